import ical, { ICalAlarmType } from "ical-generator";
import { addDays, formatLong, parseIsoDate } from "../dates/calendar.ts";
import { DUE_WINDOW_DAYS } from "../dates/review.ts";
import { labelsFor } from "../labels/index.ts";
import type { CalendarDate, Diagnostic, Language } from "../types.ts";
import type { ReviewRow, Schedule } from "./schedule.ts";

export const REVIEW_FORMATS = ["table", "csv", "json", "ics"] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

export interface FormatOptions {
  /** Where the packs live, for the link in each calendar event: a folder or a URL. */
  packUrl: string;
  /** Check findings, included in the JSON so a script sees why an org is missing. */
  diagnostics: readonly Diagnostic[];
}

export function formatSchedule(schedule: Schedule, format: ReviewFormat, options: FormatOptions): string {
  switch (format) {
    case "table":
      return formatTable(schedule);
    case "csv":
      return formatCsv(schedule);
    case "json":
      return `${JSON.stringify({ ...schedule, diagnostics: options.diagnostics }, null, 2)}\n`;
    case "ics":
      return formatIcs(schedule, options.packUrl);
  }
}

/** "3 overdue, 1 due for review, 8 current"; due means within 30 days, or a law changed since the last review. */
export function statusCounts(rows: readonly ReviewRow[]): string {
  const count = (status: ReviewRow["status"]) => rows.filter((r) => r.status === status).length;
  return `${count("overdue")} overdue, ${count("due")} due for review, ${count("current")} current`;
}

export function formatTable(schedule: Schedule): string {
  const { rows } = schedule;
  const scope = schedule.within === undefined ? "" : ` due within ${schedule.within} days`;
  const summary = `${rows.length} review${rows.length === 1 ? "" : "s"}${scope} as of ${schedule.asOf}: ${statusCounts(rows)}`;
  if (rows.length === 0) return `${summary}\n`;
  const table = [
    ["Next review", "Status", "Days", "Org", "Code", "Version", "Last reviewed", "Reviewed by", "Outcome", "Title"],
    ...rows.map((r) => [
      r.nextReview,
      r.status,
      String(r.daysUntil),
      r.org,
      r.code,
      r.version,
      r.lastReviewed,
      r.reviewedBy ? `${r.reviewedBy} (${r.reviewerRole})` : "-",
      r.outcome ?? "-",
      r.title,
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  // Days are numbers, so right-aligned; the last column is not padded, so no line ends in spaces.
  const pad = (cell: string, i: number) =>
    i === 2 ? cell.padStart(widths[i]) : i === widths.length - 1 ? cell : cell.padEnd(widths[i]);
  const lines = table.map((cells) => cells.map(pad).join("  "));
  // Why a policy is due early goes under its row, where a long sentence does not widen the table.
  const withReasons = lines.flatMap((line, i) => {
    const reason = i > 0 ? rows[i - 1].reason : undefined;
    return reason ? [line, `  ${reason}`] : [line];
  });
  return `${withReasons.join("\n")}\n\n${summary}\n`;
}

/**
 * RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. A text that
 * starts like a formula (=, +, -, @, tab, carriage return) gets a leading ' so that a spreadsheet
 * shows it as text instead of running it: an organisation's name is data, not a formula.
 */
function csvField(value: string | number): string {
  const text = typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatCsv(schedule: Schedule): string {
  const header = [
    "org",
    "org_name",
    "org_file",
    "code",
    "title",
    "version",
    "last_reviewed",
    "next_review",
    "status",
    "days_until",
    "reviewed_by",
    "reviewer_role",
    "outcome",
    "notes",
    "reason",
  ];
  const lines = [
    header,
    ...schedule.rows.map((r) => [
      r.org,
      r.orgName,
      r.orgFile,
      r.code,
      r.title,
      r.version,
      r.lastReviewed,
      r.nextReview,
      r.status,
      r.daysUntil,
      r.reviewedBy ?? "",
      r.reviewerRole ?? "",
      r.outcome ?? "",
      r.notes ?? "",
      r.reason ?? "",
    ]),
  ];
  return lines.map((fields) => `${fields.map(csvField).join(",")}\r\n`).join("");
}

/** Midnight UTC: ical-generator writes all-day dates from a Date's UTC fields, so the time zone cannot shift them. */
const utcDate = (d: CalendarDate) => new Date(Date.UTC(d.year, d.month - 1, d.day));
const dateOf = (iso: string) => parseIsoDate(iso) as CalendarDate;

/**
 * A one-line calendar name: each line break becomes a space. Only a line break can start a line of
 * its own; ; and , are left as they are, since readers take X-WR-CALNAME without unescaping them.
 */
const icsText = (text: string) => text.replace(/\r\n|\r|\n/g, " ");

/**
 * One all-day event per org × policy on its next review date, with a reminder when it becomes due.
 * Same schedule → same bytes: fixed UIDs, DTSTAMP from the build date, no clock.
 */
export function formatIcs(schedule: Schedule, packUrl: string): string {
  const orgNames = [...new Set(schedule.rows.map((r) => r.orgName))];
  // One organisation's calendar speaks its language; a calendar of several, the consultancy's.
  const languages = [...new Set(schedule.rows.map((r) => r.language))];
  const calendarLanguage = orgNames.length === 1 && languages.length === 1 ? (languages[0] as Language) : "en";
  const calendar = ical({
    // ical-generator escapes event text but writes the calendar's name as it is: a line break in an
    // organisation's name would start lines of its own (END:VEVENT…), so it becomes a space here.
    name: labelsFor(calendarLanguage).calendarName(orgNames.length === 1 ? icsText(orgNames[0] as string) : undefined),
    prodId: { company: "policypack", product: "reviews", language: "EN" },
  });
  const stamp = utcDate(dateOf(schedule.asOf));
  const base = packUrl.replace(/\/+$/, "");
  const isUrl = /^https?:\/\//.test(base);
  for (const r of schedule.rows) {
    const next = dateOf(r.nextReview);
    const pack = `${base}/${r.org}/index.html`;
    const l = labelsFor(r.language);
    const title = r.localTitle ?? r.title;
    const what = `${r.code} ${title} (${r.orgName})`;
    const date = (iso: string) => formatLong(dateOf(iso), r.language);
    calendar.createEvent({
      id: `${r.org}-${r.code}-${r.nextReview}@policypack`,
      stamp,
      start: utcDate(next),
      end: utcDate(addDays(next, 1)), // exclusive: a one-day event, as Outlook expects
      allDay: true,
      summary: l.reviewEvent(what),
      description: [
        `${l.policy}: ${title} (${r.code})`,
        `${l.version}: ${r.version}`,
        l.lastReviewedLine(
          date(r.lastReviewed),
          r.reviewedBy
            ? { name: r.reviewedBy, role: r.reviewerRole ?? "", outcome: l.outcome[r.outcome ?? "no-change"] }
            : undefined,
        ),
        ...((r.localReason ?? r.reason) ? [`${l.why}: ${r.localReason ?? r.reason}`] : []),
        l.nextReviewLine(date(r.nextReview)),
        `${l.pack}: ${pack}`,
      ].join("\n"),
      ...(isUrl && { url: pack }),
      alarms: [
        {
          type: ICalAlarmType.display,
          trigger: DUE_WINDOW_DAYS * 86_400, // seconds before the start
          description: l.reminder(DUE_WINDOW_DAYS, what),
        },
      ],
    });
  }
  return `${calendar.toString()}\r\n`;
}
