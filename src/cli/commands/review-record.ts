// policypack review record: appends one entry to an organisation's review log.
import { readFile } from "node:fs/promises";
import { checkOrg, packPolicies } from "../../check/orgs.ts";
import { compileSchema } from "../../check/schema.ts";
import { compareDates, FIRST_YEAR, formatIso, formatLong, LAST_YEAR, parseIsoDate } from "../../dates/calendar.ts";
import { reviewOf, reviewRecords } from "../../dates/review.ts";
import { didYouMean } from "../../diagnostics/suggest.ts";
import { labelsFor } from "../../labels/index.ts";
import { forbiddenInValue } from "../../load/characters.ts";
import { loadOrgSchema } from "../../load/orgs.ts";
import { parseYamlWithPositions } from "../../load/yaml.ts";
import { AppendError, appendReviewRecord } from "../../reviews/record.ts";
import {
  type Diagnostic,
  type Library,
  type Org,
  REVIEW_OUTCOMES,
  type ReviewRecord,
  WHOLE_PACK,
} from "../../types.ts";
import { writeFileAtomic } from "../../write/atomic.ts";
import { type CommandContext, UsageError } from "../command.ts";
import { USAGE } from "./review.ts";

function required(context: CommandContext, name: string, example: string): string {
  const value = context.string(name)?.trim();
  if (!value) throw new UsageError(`review record needs --${name}, e.g. --${name} ${example}`);
  return value;
}

/** The errors `check` would find in the organisation file if its text were `text`. */
async function errorsIn(text: string, org: Org, library: Library, context: CommandContext): Promise<Diagnostic[]> {
  const parsed = parseYamlWithPositions(text, org.file);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || parsed.data === undefined) return errors;
  const schema = await loadOrgSchema(context.string("orgs") as string);
  if (typeof schema === "string") throw new UsageError(schema);
  const candidate: Org = { ...org, data: (parsed.data ?? {}) as Record<string, unknown>, positions: parsed.positions };
  return checkOrg(candidate, compileSchema(schema), library, {
    buildDate: context.buildDate,
    referencesOutsidePack: context.choice("references-outside-pack", ["error", "warning"], "error"),
  }).filter((d) => d.severity === "error");
}

export async function recordReview(context: CommandContext): Promise<number> {
  const [action, ...extra] = context.positionals;
  if (action !== "record") {
    throw new UsageError(
      action === undefined ? `review takes an action: ${USAGE}` : `unknown action "${action}"; did you mean ${USAGE}?`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const id = required(context, "org", "afon-homecare");
  const code = required(context, "policy", "DCW13");
  const by = required(context, "by", '"Elin Wyn Hughes"');
  const role = required(context, "role", '"Responsible Individual"');
  required(context, "outcome", "no-change");
  const outcome = context.choice("outcome", REVIEW_OUTCOMES, "no-change");
  const notes = context.string("notes")?.trim();
  // What check would reject is refused here, before it is written into the organisation's file.
  for (const [name, value] of [
    ["by", by],
    ["role", role],
    ["notes", notes],
  ] as const) {
    const bad = value === undefined ? undefined : forbiddenInValue(value);
    if (bad) {
      throw new UsageError(
        `--${name} holds ${bad.what}, which cannot appear in a Word, web or PDF document; ${bad.hint}`,
      );
    }
  }
  const { buildDate } = context;
  const dateText = context.string("date") ?? formatIso(buildDate);
  const date = parseIsoDate(dateText);
  if (!date) throw new UsageError(`--date ${dateText} is not a date; write YYYY-MM-DD, e.g. --date 2026-11-24`);
  if (date.year < FIRST_YEAR || date.year > LAST_YEAR) {
    throw new UsageError(
      `--date ${dateText} is outside the years ${FIRST_YEAR}–${LAST_YEAR}; write the day of the review as YYYY-MM-DD, e.g. --date 2026-11-24`,
    );
  }
  if (compareDates(date, buildDate) > 0) {
    throw new UsageError(
      `--date ${dateText} is after the build date ${formatIso(buildDate)}: record a review once it has happened`,
    );
  }
  if (code === WHOLE_PACK && outcome === "withdrawn") {
    throw new UsageError("a review of the whole pack cannot withdraw it; record a withdrawal per policy");
  }

  const result = await context.check();
  const ids = result.orgs.map((o) => o.id);
  const org = result.orgs.find((o) => o.id === id);
  if (!org) {
    const suggestion = didYouMean(id, ids);
    throw new UsageError(
      `no organisation "${id}" in ${context.string("orgs")}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
    );
  }
  // Appending to a file that does not pass its checks could bury a mistake under a new entry.
  const own = result.diagnostics.filter((d) => d.file === org.file && d.severity === "error");
  if (own.length > 0) {
    context.report(own);
    context.io.stderr.write(`policypack: nothing recorded: fix the errors in ${org.file} first\n`);
    return 1;
  }
  const listed = (org.data.policies as string[] | undefined) ?? result.library.policies.map((p) => p.code);
  if (code !== WHOLE_PACK && !listed.includes(code)) {
    const suggestion = didYouMean(code, listed);
    throw new UsageError(
      `${code} is not in the pack of ${id}${suggestion ? ` (did you mean ${suggestion}?)` : ""}; --policy takes one of ${listed.join(", ")}, or ${WHOLE_PACK}`,
    );
  }
  // The check keeps the log in date order, so its last entry is its latest.
  const latest = reviewRecords(org).at(-1)?.date ?? "";
  if (latest > dateText) {
    throw new UsageError(
      `${org.file} already records a review on ${latest}; the log is in date order, so --date must be ${latest} or later`,
    );
  }

  const record: ReviewRecord = { date: dateText, policy: code, by, role, outcome, ...(notes && { notes }) };
  let next: string;
  try {
    next = appendReviewRecord(await readFile(org.file, "utf8"), record);
  } catch (error) {
    if (!(error instanceof AppendError)) throw error;
    context.io.stderr.write(`policypack: nothing recorded in ${org.file}: ${error.message}\n`);
    return 1;
  }
  const [error] = await errorsIn(next, org, result.library, context);
  if (error) {
    throw new UsageError(
      `nothing recorded in ${org.file}: the new entry would not pass the check: ${error.message}${error.hint ? ` (${error.hint})` : ""}`,
    );
  }
  await writeFileAtomic(org.file, next);

  const updated = { ...org, data: { ...org.data, reviews: [...reviewRecords(org), record] } };
  const policy = result.library.policies.find((p) => p.code === code);
  const stillInPack = policy && packPolicies(updated, result.library).includes(policy);
  const nextReview = stillInPack
    ? reviewOf(updated, policy, buildDate, result.library.legislation).nextReview
    : undefined;
  if (context.values.json) {
    context.io.stdout.write(
      `${JSON.stringify({ org: id, file: org.file, record, ...(nextReview && { nextReview: formatIso(nextReview) }) }, null, 2)}\n`,
    );
    return 0;
  }
  const what = code === WHOLE_PACK ? "the whole pack" : code;
  const after = nextReview
    ? `; next review ${formatLong(nextReview)}`
    : outcome === "withdrawn"
      ? `; ${code} leaves the pack`
      : "";
  context.io.stdout.write(
    `recorded in ${org.file}: ${what} reviewed ${formatLong(date)} by ${by} (${role}) — ${labelsFor("en").outcome[outcome]}${after}\n`,
  );
  return 0;
}
