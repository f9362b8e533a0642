import { labelsFor } from "../labels/index.ts";
import type { CalendarDate, Language, LegislationItem, Org, Policy, Review, ReviewRecord } from "../types.ts";
import { WHOLE_PACK } from "../types.ts";
import { addDays, addMonths, compareDates, formatIso, formatLong, parseIsoDate } from "./calendar.ts";

/** A policy counts as "due" this many days before its next review date. */
export const DUE_WINDOW_DAYS = 30;

/** The date the org last reviewed this policy: its per-policy date, else the pack's reviewed_on. */
export function lastReviewText(org: Org, code: string): string {
  const perPolicy = org.data.policy_reviews as Record<string, string> | undefined;
  return perPolicy?.[code] ?? (org.data.reviewed_on as string);
}

/** The org's review log (`reviews:`), in file order, which the check keeps in date order. */
export function reviewRecords(org: Org): ReviewRecord[] {
  return (org.data.reviews as ReviewRecord[] | undefined) ?? [];
}

/**
 * The latest record of a review of this policy or of the whole pack; on the same day, the one
 * written last. With a build date, the log as it stood that day: later entries do not count.
 */
export function latestRecord(org: Org, code: string, buildDate?: CalendarDate): ReviewRecord | undefined {
  const until = buildDate && formatIso(buildDate);
  let latest: ReviewRecord | undefined;
  for (const record of reviewRecords(org)) {
    if (record.policy !== code && record.policy !== WHOLE_PACK) continue;
    if (until !== undefined && record.date > until) continue;
    if (!latest || record.date >= latest.date) latest = record; // ISO dates compare as strings
  }
  return latest;
}

/**
 * Assumes the org and the register passed the checks, so their dates parse. The last review is the
 * latest review record, unless `policy_reviews`/`reviewed_on` gives a later date.
 */
export function reviewOf(
  org: Org,
  policy: Policy,
  buildDate: CalendarDate,
  legislation: readonly LegislationItem[],
): Review {
  const typed = parseIsoDate(lastReviewText(org, policy.code)) as CalendarDate;
  const record = latestRecord(org, policy.code, buildDate);
  const recorded = record && (parseIsoDate(record.date) as CalendarDate);
  const fromRecord = recorded !== undefined && compareDates(recorded, typed) >= 0;
  const lastReviewed = fromRecord ? recorded : typed;
  const nextReview = addMonths(lastReviewed, policy.reviewMonths);
  let status: Review["status"] = "current";
  if (compareDates(nextReview, buildDate) < 0) status = "overdue";
  else if (compareDates(nextReview, addDays(buildDate, DUE_WINDOW_DAYS)) <= 0) status = "due";
  // A law that came (or comes within the due window) into force after the last review makes the
  // policy due whatever its cycle: the review has to check the policy still says what the law says.
  const horizon = addDays(buildDate, DUE_WINDOW_DAYS);
  const changes = legislation.filter(
    (item) =>
      item.policies.includes(policy.code) &&
      compareDates(item.inForce, lastReviewed) > 0 &&
      compareDates(item.inForce, horizon) <= 0,
  );
  if (changes.length > 0 && status === "current") status = "due";
  return {
    lastReviewed,
    nextReview,
    status,
    ...(fromRecord && record && { record }),
    ...(changes.length > 0 && { legislation: changes }),
  };
}

/** "Data (Use and Access) Act 2025 in force 19 June 2025": the laws that make a review due, or undefined. */
export function lawsToReviewFor(review: Review, language: Language = "en"): string | undefined {
  if (!review.legislation?.length) return undefined;
  const labels = labelsFor(language);
  const title = (item: LegislationItem) => (language === "cy" && item.titleCy) || item.title;
  return review.legislation.map((item) => labels.inForce(title(item), formatLong(item.inForce, language))).join("; ");
}

/** "review needed: Data (Use and Access) Act 2025 in force 19 June 2025", or undefined. */
export function reviewReason(review: Review, language: Language = "en"): string | undefined {
  const laws = lawsToReviewFor(review, language);
  return laws && labelsFor(language).reviewNeededBecause(laws);
}
