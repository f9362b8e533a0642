import { formatLong } from "../dates/calendar.ts";
import { reviewOf } from "../dates/review.ts";
import { orgValue } from "../render/layout.ts";
import { policyTree } from "../render/tree.ts";
import { type CompiledTemplate, compileTemplate, type TemplateValue } from "../template/expand.ts";
import { ORG_PREFIX } from "../template/placeholders.ts";
import type { CalendarDate, LegislationItem, Library, Org, Policy, PolicyDocument, Theme } from "../types.ts";
import { codePattern } from "../xref/extract.ts";
import { linkCrossReferences } from "../xref/link.ts";

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

/** The cross-reference context of one pack: which codes link, and who cites whom. */
export interface PackContext {
  pattern: RegExp;
  pack: ReadonlyMap<string, Policy>;
  citedBy: ReadonlyMap<string, Policy[]>;
  /** The library's legislation register, for review dates. */
  legislation: readonly LegislationItem[];
  theme: Theme;
}

export function packContext(pack: readonly Policy[], library: Library): PackContext {
  const citedBy = new Map<string, Policy[]>(pack.map((p) => [p.code, []]));
  for (const citing of pack) {
    const cited = new Set((library.references[citing.code] ?? []).map((ref) => ref.to));
    for (const code of cited) if (code !== citing.code) citedBy.get(code)?.push(citing);
  }
  return {
    pattern: codePattern(library.policies.map((p) => p.code)),
    pack: new Map(pack.map((p) => [p.code, p])),
    citedBy,
    legislation: library.legislation,
    theme: library.theme,
  };
}

/**
 * The context as a worker thread gets it for one policy: cited and citing policies by code,
 * title and slug only (what links show), and only this policy's citing ones, so that a task does
 * not copy every policy's text, nor who cites every other policy (two thirds of a task, before).
 * `briefs` keeps one brief copy of each policy, which a task then copies once however often it
 * names it.
 */
export function sendableContext(context: PackContext, code: string, briefs: Map<Policy, Policy>): PackContext {
  const brief = (p: Policy): Policy => {
    let copy = briefs.get(p);
    if (!copy) {
      copy = { ...p, body: "", history: [] };
      briefs.set(p, copy);
    }
    return copy;
  };
  return {
    ...context,
    pack: new Map([...context.pack].map(([cited, p]) => [cited, brief(p)])),
    citedBy: new Map([[code, (context.citedBy.get(code) ?? []).map(brief)]]),
  };
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
