import { formatLong } from "../dates/calendar.ts";
import { reviewOf } from "../dates/review.ts";
import { policyTree } from "../render/tree.ts";
import { type CompiledTemplate, compileTemplate, type TemplateValue } from "../template/expand.ts";
import { ORG_PREFIX } from "../template/placeholders.ts";
import type { CalendarDate, Org, Policy, PolicyDocument } from "../types.ts";

const templates = new Map<Policy, CompiledTemplate>();

/** Everything a placeholder can name for this org and policy: its fields and the computed values. */
function templateValues(
  org: Org,
  policy: Policy,
  review: PolicyDocument["review"],
  buildDate: CalendarDate,
): Record<string, TemplateValue> {
  const values: Record<string, TemplateValue> = {
    last_update_date: formatLong(review.lastReviewed),
    next_review_date: formatLong(review.nextReview),
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
  return values;
}

/** One policy filled in for one org, as a plain value every renderer reads. */
export function policyDocument(org: Org, policy: Policy, buildDate: CalendarDate): PolicyDocument {
  let template = templates.get(policy);
  if (!template) {
    template = compileTemplate(policy.body);
    templates.set(policy, template);
  }
  const review = reviewOf(org, policy, buildDate);
  const expansion = template(templateValues(org, policy, review, buildDate), `${ORG_PREFIX}logo`);
  return { org, policy, review, buildDate, tree: policyTree(expansion, String(org.data.name), org.logo) };
}
