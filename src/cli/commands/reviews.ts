import { stat } from "node:fs/promises";
import { hasErrors } from "../../diagnostics/report.ts";
import { didYouMean } from "../../diagnostics/suggest.ts";
import { writeFileAtomic } from "../../write/atomic.ts";
import { type Command, type CommandContext, UsageError } from "../command.ts";

function within(context: CommandContext): number | undefined {
  const text = context.string("within");
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--within takes a number of days, e.g. --within 30, not "${text}"`);
  return Number(text);
}

export const reviews: Command = {
  name: "reviews",
  summary: "the review schedule across organisations: what is overdue, due, or next",
  help: `policypack reviews [--org ID ...] [--within DAYS] [--format table|csv|json|ics] [--out FILE] [options]

  --org ID              only this organisation (repeatable; ID is the YAML file name)
  --within DAYS         only reviews due within DAYS of the build date, overdue ones included
  --format FORMAT       table (default), csv, json, or ics (iCalendar, to import into Outlook
                        or Google Calendar: one all-day event per organisation × policy)
  --out FILE            write to FILE instead of standard output
  --pack-url URL        where the packs are, for the link in each calendar event (default: output/)`,
  options: {
    org: { type: "string", multiple: true },
    within: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
    "pack-url": { type: "string", default: "output" },
  },
  async run(context) {
    // Loaded only when run: --help and the other commands do not pay for ical-generator.
    const { formatSchedule, REVIEW_FORMATS } = await import("../../reviews/formats.ts");
    const { reviewSchedule } = await import("../../reviews/schedule.ts");
    // --json, which every command takes, asks for the JSON schedule unless --format says otherwise.
    const format = context.choice("format", REVIEW_FORMATS, context.values.json ? "json" : "table");
    const days = within(context);
    const out = context.string("out");
    if (out !== undefined && (await stat(out).catch(() => undefined))?.isDirectory()) {
      throw new UsageError(`--out ${out} is a folder; give the file to write, e.g. --out reviews.${format}`);
    }
    const result = await context.check();
    const wanted = (context.values.org as string[] | undefined) ?? [];
    const ids = result.orgs.map((o) => o.id);
    for (const id of wanted) {
      if (ids.includes(id)) continue;
      const suggestion = didYouMean(id, ids);
      throw new UsageError(
        `no organisation "${id}" in ${context.string("orgs")}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
      );
    }
    context.report(result.diagnostics);
    const schedule = reviewSchedule(result, { buildDate: context.buildDate, orgs: wanted, within: days });
    const text = formatSchedule(schedule, format, {
      packUrl: context.string("pack-url") as string,
      diagnostics: result.diagnostics,
    });
    const { io } = context;
    if (out === undefined) io.stdout.write(text);
    else {
      await writeFileAtomic(out, text);
      io.stderr.write(`wrote ${schedule.rows.length} reviews to ${out}\n`);
    }
    if (!context.values.json) {
      for (const { org, reason } of schedule.skipped) io.stderr.write(`left out ${org}: ${reason} (see above)\n`);
    }
    return hasErrors(result.diagnostics) ? 1 : 0;
  },
};
