import { formatLong } from "../dates/calendar.ts";
import { lawsToReviewFor } from "../dates/review.ts";
import { type Labels, labelsFor } from "../labels/index.ts";
import type { Language, Org, PolicyDocument, Review } from "../types.ts";

// What every format prints around the policy text, so HTML, PDF and DOCX say the same thing, in
// the language of the policy's text.

/** The labels of this document's language. */
export const labelsOf = (doc: PolicyDocument): Labels => labelsFor(doc.policy.language);

/** A date as this document prints it ("24 Tachwedd 2026" in a Welsh one). */
const dateOf = (doc: PolicyDocument, date: Review["nextReview"]) => formatLong(date, doc.policy.language);

/** The org's value for a field as this document's language has it: `name_cy` in Welsh, else `name`. */
export function orgValue(org: Org, field: string, language: Language): string {
  const own = language === "en" ? undefined : org.data[`${field}_${language}`];
  return String(own ?? org.data[field]);
}

export const orgName = (doc: PolicyDocument) => orgValue(doc.org, "name", doc.policy.language);

export const responsiblePerson = (doc: PolicyDocument) =>
  `${doc.org.data.registered_manager_first_name} ${doc.org.data.registered_manager_last_name}`;

export const copyrightLine = (doc: PolicyDocument) => labelsOf(doc).copyright(doc.buildDate.year, orgName(doc));

/** The running footer's text, before the page number. */
export const footerLine = (doc: PolicyDocument) =>
  labelsOf(doc).footer(doc.policy.code, doc.policy.version, dateOf(doc, doc.review.nextReview));

/** "by Elin Wyn Hughes (Responsible Individual) — no changes"; undefined without a review record. */
export function reviewedBy(review: Review, labels: Labels): string | undefined {
  const { record } = review;
  return record && labels.reviewedBy(record.by, record.role, labels.outcome[record.outcome]);
}

/** "15 December 2025 by Elin Wyn Hughes (Responsible Individual) — no changes", or just the date. */
export const lastReviewed = (doc: PolicyDocument) =>
  [dateOf(doc, doc.review.lastReviewed), reviewedBy(doc.review, labelsOf(doc))].filter(Boolean).join(" ");

function translationNotes({ policy }: PolicyDocument): string[] {
  const l = labelsFor(policy.language);
  const { translation } = policy;
  if (!translation) return [];
  return [
    ...(translation.status === "draft" ? [l.draftTranslation] : []),
    ...(translation.version !== policy.version ? [l.translatedFromOlder(translation.version, policy.version)] : []),
  ];
}

/** The document-control block: what an inspector looks for first. */
export function documentControl(doc: PolicyDocument): [string, string][] {
  const { policy, review, org } = doc;
  const l = labelsOf(doc);
  return [
    [l.policyCode, policy.code],
    [l.version, policy.version],
    [l.status, policy.status === "draft" ? l.draft : l.approved],
    // A translation no Welsh speaker has approved yet, or made from an older English version, says
    // so where an inspector looks first.
    ...(translationNotes(doc).length > 0
      ? [[l.translation, translationNotes(doc).join("; ")] as [string, string]]
      : []),
    [l.responsiblePerson, `${responsiblePerson(doc)}, ${l.registeredManager}`],
    [l.responsibleIndividual, String(org.data.responsible_individual_name)],
    [l.lastReviewed, lastReviewed(doc)],
    ...(review.record?.notes ? [[l.reviewNotes, review.record.notes] as [string, string]] : []),
    [l.nextReviewDate, dateOf(doc, review.nextReview)],
    // A law in force since the last review makes the review due now, whatever the date above says.
    ...(review.legislation?.length
      ? [[l.reviewNeededNow, lawsToReviewFor(review, policy.language) ?? ""] as [string, string]]
      : []),
    [l.reviewCycle, policy.reviewMonths === 12 ? l.annually : l.everyMonths(policy.reviewMonths)],
  ];
}

/**
 * Drafts are left out of client packs before anything is rendered, so a renderer meets one only
 * in `build --drafts`, whose every page says so (labelsOf(doc).draftMark).
 */
export const isDraft = (doc: PolicyDocument) => doc.policy.status === "draft";

/** The version history table's rows, newest first; none when the policy has no history. */
export function versionHistory(doc: PolicyDocument): string[][] {
  return doc.policy.history.map((entry) => [
    entry.version,
    dateOf(doc, entry.date),
    entry.changes,
    [entry.approvedBy, entry.role].filter(Boolean).join(", "),
  ]);
}

/** Whether the org wants a staff read-and-sign sheet after every policy (org field `read_and_sign`). */
export const wantsReadAndSign = (org: Org) => org.data.read_and_sign === true;

/** A sheet after this policy: the org asks for them, and the policy is not a draft staff must not sign. */
export const signSheetAfter = (doc: PolicyDocument) => wantsReadAndSign(doc.org) && !isDraft(doc);

/** Blank rows for signatures: one A4 page's worth under the sheet's heading and details. */
export const READ_AND_SIGN_ROWS = 18;

/** The sheet staff sign to say they have read this version, and why they are signing again. */
export function readAndSign(doc: PolicyDocument): { details: [string, string][]; changes?: string; statement: string } {
  const { policy } = doc;
  const l = labelsOf(doc);
  const [newest, previous] = policy.history;
  return {
    details: [
      [l.organisation, orgName(doc)],
      [l.policy, `${policy.code} ${policy.title}`],
      [l.version, newest ? l.versionApproved(policy.version, dateOf(doc, newest.date)) : policy.version],
    ],
    // A new version is signed again: the sheet says what changed, from the version history.
    ...(newest && previous ? { changes: l.changesSince(previous.version, newest.changes) } : {}),
    statement: l.statement(policy.code, policy.version),
  };
}
