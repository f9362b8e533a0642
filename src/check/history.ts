import { compareDates, formatLong, parseIsoDate } from "../dates/calendar.ts";
import type { PolicySource } from "../load/policies.ts";
import { positionOf } from "../load/yaml.ts";
import type { CalendarDate, Diagnostic, VersionEntry } from "../types.ts";

/** A version number as written in `history`: "3", "3.2", "3.2.1". */
export const DOTTED_VERSION = /^[0-9]+(\.[0-9]+)*$/;

/** Compares dotted version numbers part by part, as numbers: 3.10 is above 3.9, and 3.2 equals 3.2.0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The front matter's `history` entries as they passed the schema (version, date, changes required). */
interface RawEntry {
  version: string;
  date: string;
  changes: string;
  approved_by?: string;
  role?: string;
}

/**
 * The version history, newest first: `version` is its first entry, versions go down and dates do
 * not go up from one entry to the next, and no date is after the build date (a warning, like a
 * review date in the future). Assumes the front matter passed the schema.
 */
export function checkHistory(
  source: PolicySource,
  status: "draft" | "approved",
  buildDate: CalendarDate,
): { history: VersionEntry[]; diagnostics: Diagnostic[] } {
  const fm = source.frontMatter as { version: string; history?: RawEntry[] };
  const at = (pointer: string, prefer: "key" | "value" = "value") => ({
    file: source.file,
    ...positionOf(source.positions, pointer, prefer),
  });
  const diagnostics: Diagnostic[] = [];
  const raw = fm.history ?? [];
  if (raw.length === 0) {
    // Optional, so a library and imported drafts keep working; but an approved policy without one
    // cannot show an inspector what changed.
    if (status === "approved") {
      diagnostics.push({
        ...at("/version", "key"),
        severity: "warning",
        rule: "history-missing",
        message: `no version history: nothing says what changed in version ${fm.version} or who approved it`,
        hint: `add history: with an entry for "${fm.version}" (version, date, changes, approved_by, role)`,
      });
    }
    return { history: [], diagnostics };
  }
  const history = raw.map(
    (entry): VersionEntry => ({
      version: entry.version,
      date: parseIsoDate(entry.date) as CalendarDate, // the schema checked it is a calendar date
      changes: entry.changes,
      ...(entry.approved_by ? { approvedBy: entry.approved_by } : {}),
      ...(entry.role ? { role: entry.role } : {}),
    }),
  );
  const newest = history[0] as VersionEntry;
  if (newest.version !== fm.version) {
    diagnostics.push({
      ...at("/version"),
      severity: "error",
      rule: "history",
      message: `version is "${fm.version}", but the newest entry of \`history\` is "${newest.version}"`,
      hint: `history is newest first: add an entry for "${fm.version}" at the top, or set version: "${newest.version}"`,
    });
  }
  for (let i = 1; i < history.length; i++) {
    const above = history[i - 1] as VersionEntry;
    const entry = history[i] as VersionEntry;
    if (compareVersions(above.version, entry.version) <= 0) {
      const same = compareVersions(above.version, entry.version) === 0;
      diagnostics.push({
        ...at(`/history/${i}/version`),
        severity: "error",
        rule: "history",
        message: same
          ? `version ${entry.version} is in \`history\` twice (as "${above.version}" and "${entry.version}")`
          : `\`history\` is newest first, but ${entry.version} is listed below ${above.version}`,
        hint: same ? "keep one entry per version" : "put the entries in order, the newest version at the top",
      });
    } else if (compareDates(above.date, entry.date) < 0) {
      diagnostics.push({
        ...at(`/history/${i - 1}/date`),
        severity: "error",
        rule: "history",
        message: `version ${above.version} is dated ${formatLong(above.date)}, before version ${entry.version} (${formatLong(entry.date)})`,
        hint: "a later version cannot be older than an earlier one: check the dates",
      });
    }
  }
  history.forEach((entry, i) => {
    if (compareDates(entry.date, buildDate) <= 0) return;
    diagnostics.push({
      ...at(`/history/${i}/date`),
      severity: "warning",
      rule: "history-date-in-future",
      message: `version ${entry.version} is dated ${formatLong(entry.date)}, after the build date ${formatLong(buildDate)}`,
      hint: "history records versions already approved; check the year",
    });
  });
  if (status === "approved" && !newest.approvedBy) {
    diagnostics.push({
      ...at("/history/0"),
      severity: "warning",
      rule: "history-approval",
      message: `version ${newest.version} of an approved policy does not say who approved it`,
      hint: "add approved_by: and role: to the newest history entry",
    });
  }
  return { history, diagnostics };
}
