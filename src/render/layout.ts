import { formatLong } from "../dates/calendar.ts";
import { lawsToReviewFor } from "../dates/review.ts";
import type { Org, PolicyDocument, Review, ReviewOutcome } from "../types.ts";

// What every format prints around the policy text, so HTML, PDF and DOCX say the same thing.

export const responsiblePerson = (doc: PolicyDocument) =>
  `${doc.org.data.registered_manager_first_name} ${doc.org.data.registered_manager_last_name}`;

export const copyrightLine = (doc: PolicyDocument) =>
  `Copyright © ${doc.buildDate.year} – ${doc.org.data.name}. All rights reserved.`;

/** The running footer's text, before the page number. */
export const footerLine = (doc: PolicyDocument) =>
  `${doc.policy.code} · version ${doc.policy.version} · next review ${formatLong(doc.review.nextReview)}`;

/** How each outcome of a review record reads after the dash. */
export const OUTCOME_TEXT: Record<ReviewOutcome, string> = {
  "no-change": "no changes",
  amended: "amended",
  withdrawn: "withdrawn",
};

/** "by Elin Wyn Hughes (Responsible Individual) — no changes"; undefined without a review record. */
export function reviewedBy(review: Review): string | undefined {
  const { record } = review;
  return record && `by ${record.by} (${record.role}) — ${OUTCOME_TEXT[record.outcome]}`;
}

/** "15 December 2025 by Elin Wyn Hughes (Responsible Individual) — no changes", or just the date. */
export const lastReviewed = (review: Review) =>
  [formatLong(review.lastReviewed), reviewedBy(review)].filter(Boolean).join(" ");

/** The document-control block: what an inspector looks for first. */
export function documentControl(doc: PolicyDocument): [string, string][] {
  const { policy, review, org } = doc;
  return [
    ["Policy code", policy.code],
    ["Version", policy.version],
    ["Status", policy.status === "draft" ? "Draft" : "Approved"],
    ["Responsible person", `${responsiblePerson(doc)}, Registered Manager`],
    ["Responsible individual", String(org.data.responsible_individual_name)],
    ["Last reviewed", lastReviewed(review)],
    ...(review.record?.notes ? [["Review notes", review.record.notes] as [string, string]] : []),
    ["Next review date", formatLong(review.nextReview)],
    // A law in force since the last review makes the review due now, whatever the date above says.
    ...(review.legislation?.length ? [["Review needed now", lawsToReviewFor(review)] as [string, string]] : []),
    ["Review cycle", policy.reviewMonths === 12 ? "Annually" : `Every ${policy.reviewMonths} months`],
  ];
}

/**
 * What every page of a draft's preview says, in every format. Drafts are left out of client packs
 * before anything is rendered, so a renderer meets one only in `build --drafts`.
 */
export const DRAFT_MARK = "DRAFT — not for use";
export const isDraft = (doc: PolicyDocument) => doc.policy.status === "draft";

export const VERSION_HISTORY_CAPTION = "Version history";
export const VERSION_HISTORY_COLUMNS = ["Version", "Date", "Changes", "Approved by"] as const;

/** The version history table's rows, newest first; none when the policy has no history. */
export function versionHistory(doc: PolicyDocument): string[][] {
  return doc.policy.history.map((entry) => [
    entry.version,
    formatLong(entry.date),
    entry.changes,
    [entry.approvedBy, entry.role].filter(Boolean).join(", "),
  ]);
}

/** Whether the org wants a staff read-and-sign sheet after every policy (org field `read_and_sign`). */
export const wantsReadAndSign = (org: Org) => org.data.read_and_sign === true;

/** A sheet after this policy: the org asks for them, and the policy is not a draft staff must not sign. */
export const signSheetAfter = (doc: PolicyDocument) => wantsReadAndSign(doc.org) && !isDraft(doc);

export const READ_AND_SIGN_TITLE = "Read and sign: staff acknowledgement";
export const READ_AND_SIGN_COLUMNS = ["Name", "Role", "Signature", "Date"] as const;
/** Blank rows for signatures: one A4 page's worth under the sheet's heading and details. */
export const READ_AND_SIGN_ROWS = 18;

/** The sheet staff sign to say they have read this version, and why they are signing again. */
export function readAndSign(doc: PolicyDocument): { details: [string, string][]; changes?: string; statement: string } {
  const { policy, org } = doc;
  const [newest, previous] = policy.history;
  return {
    details: [
      ["Organisation", String(org.data.name)],
      ["Policy", `${policy.code} ${policy.title}`],
      ["Version", newest ? `${policy.version}, approved ${formatLong(newest.date)}` : policy.version],
    ],
    // A new version is signed again: the sheet says what changed, from the version history.
    ...(newest && previous ? { changes: `What changed since version ${previous.version}: ${newest.changes}` } : {}),
    statement: `I have read and understood this policy (${policy.code}, version ${policy.version}) and I will follow it.`,
  };
}
