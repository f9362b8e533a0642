import type { CheckResult } from "../check/index.ts";
import { editions, packPolicies } from "../check/orgs.ts";
import { formatIso } from "../dates/calendar.ts";
import { reviewOf, reviewReason } from "../dates/review.ts";
import type { CalendarDate, Language, Org, ReviewOutcome, ReviewStatus } from "../types.ts";

/** One policy of one organisation's pack, with its review dates (ISO) as of the build date. */
export interface ReviewRow {
  org: string;
  orgName: string;
  orgFile: string;
  code: string;
  title: string;
  version: string;
  lastReviewed: string;
  nextReview: string;
  status: ReviewStatus;
  /** Days from the build date to the next review; negative when overdue. */
  daysUntil: number;
  /** Who did the last review, and what came of it, when a review record says so. */
  reviewedBy?: string;
  reviewerRole?: string;
  outcome?: ReviewOutcome;
  notes?: string;
  /** Why the policy is due before its cycle says: "review needed: … in force 1 July 2026". */
  reason?: string;
  /** The language the org reads its pack in first (Welsh for a bilingual pack): its calendar events'. */
  language: Language;
  /** The title and the reason in that language, when it is not English. */
  localTitle?: string;
  localReason?: string;
}

export interface SkippedOrg {
  org: string;
  reason: string;
}

export interface Schedule {
  asOf: string;
  /** Only reviews due within this many days (overdue ones included), when set. */
  within?: number;
  rows: ReviewRow[];
  /** Selected organisations left out because their inputs have errors. */
  skipped: SkippedOrg[];
}

export interface ScheduleOptions {
  buildDate: CalendarDate;
  /** Only these organisation ids; all when absent or empty. */
  orgs?: readonly string[];
  within?: number;
}

const DAY_MS = 86_400_000;
const utc = (d: CalendarDate) => Date.UTC(d.year, d.month - 1, d.day);

/** The review schedule across organisations, sorted by next review date, then org, then code. */
export function reviewSchedule(result: CheckResult, options: ScheduleOptions): Schedule {
  const { buildDate, within } = options;
  const selected = result.orgs.filter((org) => !options.orgs?.length || options.orgs.includes(org.id));
  const rows: ReviewRow[] = [];
  const skipped: SkippedOrg[] = [];
  for (const org of selected) {
    // An org with errors may have dates that do not parse, so its reviews cannot be trusted.
    if (!result.buildable.includes(org)) {
      skipped.push({ org: org.id, reason: skipReason(org, result) });
      continue;
    }
    const language = editions(org)[0] ?? "en";
    for (const policy of packPolicies(org, result.library)) {
      const localTitle = language === "en" ? undefined : result.library.translations[language]?.[policy.code]?.title;
      const review = reviewOf(org, policy, buildDate, result.library.legislation);
      const daysUntil = Math.round((utc(review.nextReview) - utc(buildDate)) / DAY_MS);
      // A policy due because a law changed is due now, whatever its cycle's date.
      if (within !== undefined && daysUntil > within && !review.legislation) continue;
      const { record } = review;
      const reason = reviewReason(review);
      rows.push({
        org: org.id,
        orgName: String(org.data.name),
        orgFile: org.file,
        code: policy.code,
        title: policy.title,
        version: policy.version,
        lastReviewed: formatIso(review.lastReviewed),
        nextReview: formatIso(review.nextReview),
        status: review.status,
        daysUntil,
        ...(record && { reviewedBy: record.by, reviewerRole: record.role, outcome: record.outcome }),
        ...(record?.notes !== undefined && { notes: record.notes }),
        ...(reason && { reason }),
        language,
        ...(localTitle && { localTitle }),
        ...(reason && language !== "en" && { localReason: reviewReason(review, language) }),
      });
    }
  }
  // ISO dates sort as strings.
  rows.sort((a, b) => cmp(a.nextReview, b.nextReview) || cmp(a.org, b.org) || cmp(a.code, b.code));
  return { asOf: formatIso(buildDate), ...(within !== undefined && { within }), rows, skipped };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Why `loadAndCheck` did not mark the org buildable, in a few words. */
function skipReason(org: Org, result: CheckResult): string {
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  const own = errors.filter((d) => d.file === org.file).length;
  if (own > 0) return `${own} error${own === 1 ? "" : "s"} in ${org.file}`;
  const files = new Set(errors.map((d) => d.file));
  const broken = packPolicies(org, result.library).filter((p) => files.has(p.file));
  if (broken.length > 0) return `errors in its pack's ${broken.map((p) => p.code).join(", ")}`;
  return "a file of the library (a policy or the legislation register) has errors";
}
