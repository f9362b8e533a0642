import type { CalendarDate, Org, Policy, Review } from "../types.ts";
import { addDays, addMonths, compareDates, parseIsoDate } from "./calendar.ts";

/** A policy counts as "due" this many days before its next review date. */
export const DUE_WINDOW_DAYS = 30;

/** The date the org last reviewed this policy: its per-policy date, else the pack's reviewed_on. */
export function lastReviewText(org: Org, code: string): string {
  const perPolicy = org.data.policy_reviews as Record<string, string> | undefined;
  return perPolicy?.[code] ?? (org.data.reviewed_on as string);
}

/** Assumes the org passed the checks, so its dates parse. */
export function reviewOf(org: Org, policy: Policy, buildDate: CalendarDate): Review {
  const lastReviewed = parseIsoDate(lastReviewText(org, policy.code)) as CalendarDate;
  const nextReview = addMonths(lastReviewed, policy.reviewMonths);
  let status: Review["status"] = "current";
  if (compareDates(nextReview, buildDate) < 0) status = "overdue";
  else if (compareDates(nextReview, addDays(buildDate, DUE_WINDOW_DAYS)) <= 0) status = "due";
  return { lastReviewed, nextReview, status };
}
