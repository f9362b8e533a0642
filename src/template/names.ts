// Placeholder names, apart from the parser that finds them (Handlebars): check needs these
// without parsing a body whose result it has kept.

export const ORG_PREFIX = "org_field_";

/** Names the tool computes itself: never typed into an organisation's YAML. */
export const COMPUTED_NAMES = [
  "last_update_date",
  "next_review_date",
  "current_year",
  "policy_code",
  "policy_title",
  "policy_version",
  "review_months",
] as const;
