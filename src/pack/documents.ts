// Filling a policy in for an org: the Markdown parser and the template engine, loaded only when a
// policy is rendered (a rebuild with nothing to render never loads them).
import { formatLong } from "../dates/calendar.ts";
import { reviewOf } from "../dates/review.ts";
import { orgValue } from "../render/layout.ts";
import { policyTree } from "../render/tree.ts";
import { type CompiledTemplate, compileTemplate, type TemplateValue } from "../template/expand.ts";
import { ORG_PREFIX } from "../template/placeholders.ts";
import type { CalendarDate, Org, Policy, PolicyDocument } from "../types.ts";
import { linkCrossReferences } from "../xref/link.ts";
import type { PackContext } from "./context.ts";

// By body text, not by policy object: a worker thread gets a new copy of the policy with every task.
const templates = new Map<string, CompiledTemplate>();

/** Everything a placeholder can name for this org and policy: its fields and the computed values. */
function templateValues(
  org: Org,
  policy: Policy,
  review: PolicyDocument["review"],
  buildDate: CalendarDate,
): Record<string, TemplateValue> {
  const { language } = policy;
  const values: Record<string, TemplateValue> = {
    last_update_date: formatLong(review.lastReviewed, language),
    next_review_date: formatLong(review.nextReview, language),
    current_year: String(buildDate.year),
    policy_code: policy.code,
    policy_title: policy.title,
    policy_version: policy.version,
    review_months: String(policy.reviewMonths),
  };
  for (const [key, value] of Object.entries(org.data)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      values[ORG_PREFIX + key] = value;
  }
  // In a Welsh text, a field's Welsh form (`name_cy`) stands in for the field.
  if (language !== "en") {
    const suffix = `_${language}`;
    for (const [key, value] of Object.entries(org.data)) {
      if (key.endsWith(suffix) && typeof value === "string") values[ORG_PREFIX + key.slice(0, -suffix.length)] = value;
    }
  }
  return values;
}

/** One policy filled in for one org, with its cross-references linked, as a plain value every renderer reads. */
export function policyDocument(
  org: Org,
  policy: Policy,
  buildDate: CalendarDate,
  context: PackContext,
): PolicyDocument {
  let template = templates.get(policy.body);
  if (!template) {
    template = compileTemplate(policy.body);
    templates.set(policy.body, template);
  }
  const review = reviewOf(org, policy, buildDate, context.legislation);
  const expansion = template(templateValues(org, policy, review, buildDate), `${ORG_PREFIX}logo`);
  const tree = policyTree(expansion, orgValue(org, "name", policy.language), org.logo);
  linkCrossReferences({ ...context, self: policy, citedBy: context.citedBy.get(policy.code) ?? [] })(tree);
  return { org, theme: context.theme, policy, review, buildDate, tree };
}
