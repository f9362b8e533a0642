import type { CalendarDate, Language } from "../types.ts";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The years a date may fall in, in options and in files alike: outside them it is a typing mistake. */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2200;

/** A real calendar date (YYYY-MM-DD) within FIRST_YEAR–LAST_YEAR. */
export function isPlausibleIsoDate(text: string): boolean {
  const date = parseIsoDate(text);
  return date !== undefined && date.year >= FIRST_YEAR && date.year <= LAST_YEAR;
}

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses YYYY-MM-DD; undefined unless it is a real calendar date. */
export function parseIsoDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** Calendar months later; a day past the end of the target month becomes its last day (31 Jan + 1 = 28/29 Feb). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

export function formatIso(date: CalendarDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

// Made on first use: a formatter costs a few milliseconds, which an English build need not pay.
let welsh: Intl.DateTimeFormat | undefined;

/** "24 November 2026" (or "24 Tachwedd 2026" in Welsh), the way UK policies print dates. */
export function formatLong(date: CalendarDate, language: Language = "en"): string {
  if (language === "cy") {
    welsh ??= new Intl.DateTimeFormat("cy", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    return welsh.format(new Date(Date.UTC(date.year, date.month - 1, date.day)));
  }
  return `${date.day} ${MONTHS[date.month - 1]} ${date.year}`;
}

/**
 * The build date: --as-of when given, else SOURCE_DATE_EPOCH (reproducible builds), else today's local date.
 * Returns a string error for a malformed value so the CLI can exit 2 with it.
 */
export function resolveBuildDate(
  asOf: string | undefined,
  env: NodeJS.ProcessEnv,
  now: Date = new Date(),
): CalendarDate | string {
  if (asOf !== undefined) {
    return parseIsoDate(asOf) ?? `--as-of ${asOf} is not a date; write YYYY-MM-DD, e.g. --as-of 2026-11-24`;
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "") {
    if (!/^\d+$/.test(epoch)) return `SOURCE_DATE_EPOCH=${epoch} is not a number of seconds`;
    const d = new Date(Number(epoch) * 1000);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
}
