import type { ValidateFunction } from "ajv";
import { compareDates, formatLong, parseIsoDate } from "../dates/calendar.ts";
import { latestRecord, reviewRecords } from "../dates/review.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { pointerPart, positionOf } from "../load/yaml.ts";
import { ORG_PREFIX } from "../template/names.ts";
import {
  type CalendarDate,
  type Diagnostic,
  type Language,
  type Library,
  type Org,
  type Policy,
  type Severity,
  WHOLE_PACK,
} from "../types.ts";
import { checkReferencesInPack } from "../xref/check.ts";
import { schemaDiagnostics } from "./schema.ts";

/** Fields the page layout prints on every document, whatever the policy text uses. */
export const LAYOUT_FIELDS = [
  "name",
  "registration_no",
  "logo",
  "registered_manager_first_name",
  "registered_manager_last_name",
  "responsible_individual_name",
];
/** No field needs more, whatever the schema allows; a megabyte-long name would stall the PDF build. */
export const MAX_VALUE_LENGTH = 2_000;

/** Keys that configure the pack rather than fill placeholders. */
const PACK_KEYS = [
  "reviewed_on",
  "policy_reviews",
  "policies",
  "reviews",
  "read_and_sign",
  "language",
  "english_fallback",
];

/** The languages of an org's pack (`language: en | cy | bilingual`), Welsh first as the Welsh Language Standards expect. */
export function editions(org: Org): Language[] {
  const language = org.data.language ?? "en";
  return language === "bilingual" ? ["cy", "en"] : [language as Language];
}

/**
 * An org's pack in one language: each policy's translation, or the English one where there is
 * none yet and the org allows it (`english_fallback: true`); a policy with neither is left out
 * (check reports it as an error, so such a pack is not built).
 */
export function editionPolicies(org: Org, library: Library, language: Language): Policy[] {
  const pack = packPolicies(org, library);
  if (language === "en") return pack;
  const translated = library.translations[language] ?? {};
  return pack.flatMap((p) => translated[p.code] ?? (org.data.english_fallback === true ? [p] : []));
}

/** Schema properties that can fill a placeholder: the scalar ones. */
export function placeholderFields(schema: { properties?: Record<string, { type?: string }> }): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([key, property]) => !PACK_KEYS.includes(key) && !["object", "array"].includes(property.type ?? ""))
    .map(([key]) => key);
}

/** The policies an org asks for, drafts included: its `policies` list, else the whole library; less those a review withdrew. */
function wanted(org: Org, library: Library): Policy[] {
  const codes = org.data.policies as string[] | undefined;
  const listed = codes ? library.policies.filter((p) => codes.includes(p.code)) : library.policies;
  return listed.filter((p) => latestRecord(org, p.code)?.outcome !== "withdrawn");
}

/** The policies in an org's pack: the approved ones it asks for. A draft never reaches a client. */
export function packPolicies(org: Org, library: Library): Policy[] {
  return wanted(org, library).filter((p) => p.status !== "draft");
}

/** The drafts an org would get once approved: what `build --drafts` previews for it. */
export function draftPolicies(org: Org, library: Library): Policy[] {
  return wanted(org, library).filter((p) => p.status === "draft");
}

/**
 * Fields the policies print that the org lacks (unless used only under their own `<<#if>>`),
 * each with the first place a policy uses it.
 */
export function missingFields(org: Org, policies: readonly Policy[], library: Library) {
  const missing = new Map<string, { policy: Policy; line: number; column: number }>();
  for (const policy of policies) {
    for (const use of library.placeholders[policy.code] ?? []) {
      if (!use.name.startsWith(ORG_PREFIX)) continue;
      const field = use.name.slice(ORG_PREFIX.length);
      const guarded = use.kind === "condition" || use.guards.includes(use.name);
      if (!guarded && !isPresent(org.data[field]) && !missing.has(field)) missing.set(field, { policy, ...use });
    }
  }
  return missing;
}

const isPresent = (value: unknown) => value !== undefined && value !== null && value !== "";

export interface OrgCheckOptions {
  buildDate: CalendarDate;
  /** Severity of a citation of a policy outside the pack, unless the citing policy says otherwise. */
  referencesOutsidePack: Severity;
}

export function checkOrg(
  org: Org,
  validate: ValidateFunction,
  library: Library,
  options: OrgCheckOptions,
): Diagnostic[] {
  const { buildDate } = options;
  const diagnostics = schemaDiagnostics(validate, org.data, org.positions, org.file);
  if (diagnostics.some((d) => d.severity === "error")) return diagnostics;
  // The schema is the consultancy's to edit: a field added without maxLength still has a bound.
  for (const [key, value] of Object.entries(org.data)) {
    if (typeof value !== "string" || value.length <= MAX_VALUE_LENGTH) continue;
    diagnostics.push({
      file: org.file,
      ...positionOf(org.positions, `/${pointerPart(key)}`),
      severity: "error",
      rule: "schema",
      message: `\`${key}\` is ${value.length} characters long; at most ${MAX_VALUE_LENGTH} are allowed`,
      hint: `shorten it, and give \`${key}\` a maxLength in the organisation schema`,
    });
  }
  if (diagnostics.some((d) => d.severity === "error")) return diagnostics;
  const at = (pointer: string, prefer: "key" | "value" = "value") => ({
    file: org.file,
    ...positionOf(org.positions, pointer, prefer),
  });
  const codes = library.policies.map((p) => p.code);

  const unknownCode = (code: string, pointer: string, prefer: "key" | "value") => {
    if (codes.includes(code)) return;
    const suggestion = didYouMean(code, codes);
    diagnostics.push({
      ...at(pointer, prefer),
      severity: "error",
      rule: "unknown-policy",
      message: `policy ${code} is not in the library`,
      hint: suggestion ? `did you mean ${suggestion}?` : `the library has ${codes.join(", ")}`,
    });
  };
  for (const [i, code] of ((org.data.policies as string[] | undefined) ?? []).entries()) {
    unknownCode(code, `/policies/${i}`, "value");
    const draft = library.policies.find((p) => p.code === code && p.status === "draft");
    if (draft) {
      diagnostics.push({
        ...at(`/policies/${i}`),
        severity: "error",
        rule: "draft-in-pack",
        message: `${code} is a draft (${draft.file} says status: draft): a draft goes into no client pack`,
        hint: `take ${code} out of \`policies\` until it is approved, or approve it (status: approved); build --drafts previews it`,
      });
    }
  }
  const perPolicy = (org.data.policy_reviews as Record<string, string> | undefined) ?? {};
  for (const code of Object.keys(perPolicy)) unknownCode(code, `/policy_reviews/${code}`, "key");

  diagnostics.push(...checkReviewRecords(org, codes, buildDate));

  const dates: [string, string][] = [
    ["/reviewed_on", org.data.reviewed_on as string],
    ...Object.entries(perPolicy).map(([code, date]): [string, string] => [`/policy_reviews/${code}`, date]),
  ];
  for (const [pointer, text] of dates) {
    const date = parseIsoDate(text);
    if (date && compareDates(date, buildDate) > 0) {
      diagnostics.push({
        ...at(pointer),
        severity: "warning",
        rule: "review-date-in-future",
        message: `review date ${formatLong(date)} is after the build date ${formatLong(buildDate)}`,
        hint: "a review date records a review that happened; check the year",
      });
    }
  }

  // Every field a policy in the pack prints must be present, unless it only appears under <<#if field>>.
  const pack = packPolicies(org, library);
  const drafts = draftPolicies(org, library);
  const used = new Set(LAYOUT_FIELDS);
  for (const policy of [...pack, ...drafts]) {
    for (const use of library.placeholders[policy.code] ?? []) {
      if (use.name.startsWith(ORG_PREFIX)) used.add(use.name.slice(ORG_PREFIX.length));
    }
  }
  const missing = missingFields(org, pack, library);
  for (const [field, { policy, line, column }] of missing) {
    diagnostics.push({
      ...at(""),
      severity: "error",
      rule: "missing-field",
      message: `\`${field}\` is missing, and ${policy.code} uses it at ${policy.file}:${line}:${column}`,
      hint: `add \`${field}: …\` to ${org.file}, or leave ${policy.code} out of \`policies\``,
    });
  }
  // A draft's missing field stops nothing yet, but will when it is approved.
  for (const [field, { policy, line, column }] of missingFields(org, drafts, library)) {
    if (missing.has(field)) continue;
    diagnostics.push({
      ...at(""),
      severity: "warning",
      rule: "missing-field",
      message: `\`${field}\` is missing, and the draft ${policy.code} uses it at ${policy.file}:${line}:${column}`,
      hint: `add \`${field}: …\` to ${org.file} before ${policy.code} is approved`,
    });
  }
  diagnostics.push(...checkReferencesInPack(org, pack, library, options.referencesOutsidePack));
  diagnostics.push(...missingTranslations(org, pack, library, at("/language")));
  // A field's Welsh form (`name_cy`) is used wherever the field is, in a pack that has Welsh.
  const welsh = editions(org).includes("cy");
  for (const key of Object.keys(org.data)) {
    if (used.has(key) || PACK_KEYS.includes(key)) continue;
    if (key.endsWith("_cy") && used.has(key.slice(0, -3))) {
      if (welsh) continue;
      diagnostics.push({
        ...at(`/${key}`, "key"),
        severity: "warning",
        rule: "unused-field",
        message: `\`${key}\` is the Welsh form of \`${key.slice(0, -3)}\`, but this pack is in English only`,
        hint: "set `language: cy` or `language: bilingual`, or remove it",
      });
      continue;
    }
    diagnostics.push({
      ...at(`/${key}`, "key"),
      severity: "warning",
      rule: "unused-field",
      message: `\`${key}\` is not used by any policy in this pack`,
      hint: `remove it, or use it in a policy as <<org_field_${key}>>`,
    });
  }
  return diagnostics;
}

/** Policies of the pack with no translation in a language the org asks for: an error, or a warning when it allows English instead. */
function missingTranslations(
  org: Org,
  pack: Policy[],
  library: Library,
  at: { file: string; line: number; column: number },
) {
  const diagnostics: Diagnostic[] = [];
  for (const language of editions(org).filter((l) => l !== "en")) {
    const lacking = pack.filter((p) => !library.translations[language]?.[p.code]).map((p) => p.code);
    if (lacking.length === 0) continue;
    const fallback = org.data.english_fallback === true;
    const name = language === "cy" ? "Welsh" : language;
    diagnostics.push({
      ...at,
      severity: fallback ? "warning" : "error",
      rule: "translation-missing",
      message: `${lacking.join(", ")} ${lacking.length === 1 ? "has" : "have"} no ${name} translation${
        fallback ? ": the Welsh pack gives the English text, marked as English only" : ", so the pack is not built"
      }`,
      hint: fallback
        ? `translate ${lacking.length === 1 ? "it" : "them"} (policypack translate export --lang ${language})`
        : `translate ${lacking.length === 1 ? "it" : "them"} (policypack translate export --lang ${language}), or set english_fallback: true to give the English text meanwhile`,
    });
  }
  return diagnostics;
}

/** The review log: known codes, no review after the build date, oldest first (new reviews go at the end). */
function checkReviewRecords(org: Org, codes: readonly string[], buildDate: CalendarDate): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const at = (pointer: string) => ({
    file: org.file,
    ...positionOf(org.positions, pointer),
    severity: "error" as const,
  });
  let latest: string | undefined;
  reviewRecords(org).forEach((record, i) => {
    if (record.policy !== WHOLE_PACK && !codes.includes(record.policy)) {
      const suggestion = didYouMean(record.policy, codes);
      diagnostics.push({
        ...at(`/reviews/${i}/policy`),
        rule: "unknown-policy",
        message: `policy ${record.policy} is not in the library`,
        hint: suggestion
          ? `did you mean ${suggestion}?`
          : `write a code the library has, or ${WHOLE_PACK} for the whole pack`,
      });
    }
    if (record.policy === WHOLE_PACK && record.outcome === "withdrawn") {
      diagnostics.push({
        ...at(`/reviews/${i}/outcome`),
        rule: "review-record",
        message: "a review of the whole pack cannot withdraw it",
        hint: "record a withdrawal for each policy that leaves the pack",
      });
    }
    const date = parseIsoDate(record.date) as CalendarDate;
    if (compareDates(date, buildDate) > 0) {
      // A warning: a build --as-of an earlier day sees the log as it stood then.
      diagnostics.push({
        ...at(`/reviews/${i}/date`),
        severity: "warning",
        rule: "review-record",
        message: `a review is recorded on ${formatLong(date)}, after the build date ${formatLong(buildDate)}: it does not count yet`,
        hint: "a review record says what happened: check the date",
      });
    }
    if (latest !== undefined && record.date < latest) {
      diagnostics.push({
        ...at(`/reviews/${i}/date`),
        rule: "review-record",
        message: `this review (${formatLong(date)}) is listed after one on ${formatLong(parseIsoDate(latest) as CalendarDate)}`,
        hint: "the log is oldest first: move this entry up to its place in date order",
      });
    }
    if (latest === undefined || record.date > latest) latest = record.date;
  });
  return diagnostics;
}
