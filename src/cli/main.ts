import { parseArgs } from "node:util";
import { buildPacks, FORMATS, type Format } from "../build/build.ts";
import { EnvironmentError, loadAndCheck } from "../check/index.ts";
import { resolveBuildDate } from "../dates/calendar.ts";
import { formatJson, formatText, hasErrors, useColour } from "../diagnostics/report.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { formatGraphDot, formatGraphTable, type ReferenceGraph, referenceGraph } from "../xref/graph.ts";

const USAGE = `Usage: policypack <command> [options]

Commands:
  check                 validate policies and organisations; render nothing
  build                 check, then write every organisation's pack to --out
  xref                  the cross-reference graph of the library: who cites whom,
                        and which policies nobody cites (--format table|json|dot)

Options (every command):
  --policies DIR        policy library (default: policies/)
  --orgs DIR            organisations and org.schema.json (default: orgs/)
  --as-of YYYY-MM-DD    build date for review dates (default: SOURCE_DATE_EPOCH, else today)
  --json                diagnostics (and the build summary) as JSON on stdout
  --references-outside-pack error|warning
                        how a citation of a policy that is not in an organisation's pack
                        is reported (default: error; a policy's front matter can lower it)
  -h, --help            this help

Options (build):
  --org ID              only this organisation (repeatable; ID is the YAML file name)
  --format LIST         comma-separated: ${FORMATS.join(", ")} (default: all)

Options (xref):
  --format FORMAT       table (default), json or dot (Graphviz)
  --out DIR             output folder (default: output/)

Exit codes: 0 clean (warnings allowed), 1 errors in the inputs, 2 usage or environment problem.`;

class UsageError extends Error {}

const COMMANDS = ["check", "build", "xref"];
const GRAPH_FORMATS = ["table", "json", "dot"];

export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

function parseFormats(list: string | undefined): Format[] {
  if (list === undefined) return [...FORMATS];
  const formats = list
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  for (const format of formats) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      const suggestion = didYouMean(format, FORMATS);
      throw new UsageError(
        `unknown format "${format}"${suggestion ? ` (did you mean ${suggestion}?)` : ""}; available: ${FORMATS.join(", ")}`,
      );
    }
  }
  if (formats.length === 0) throw new UsageError("--format needs at least one format");
  return formats as Format[];
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policies: { type: "string", default: "policies" },
      orgs: { type: "string", default: "orgs" },
      out: { type: "string", default: "output" },
      org: { type: "string", multiple: true },
      format: { type: "string" },
      "as-of": { type: "string" },
      json: { type: "boolean", default: false },
      "references-outside-pack": { type: "string", default: "error" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined || command === "help") {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (!COMMANDS.includes(command)) {
    const suggestion = didYouMean(command, COMMANDS);
    throw new UsageError(`unknown command "${command}"${suggestion ? ` (did you mean ${suggestion}?)` : ""}`);
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const formats = command === "xref" ? [] : parseFormats(values.format);
  const graphFormat = command === "xref" ? (values.format ?? "table") : "table";
  if (!GRAPH_FORMATS.includes(graphFormat)) {
    throw new UsageError(`xref --format takes ${GRAPH_FORMATS.join(", ")}, not "${graphFormat}"`);
  }
  const buildDate = resolveBuildDate(values["as-of"], io.env);
  if (typeof buildDate === "string") throw new UsageError(buildDate);

  const referencesOutsidePack = values["references-outside-pack"];
  if (referencesOutsidePack !== "error" && referencesOutsidePack !== "warning") {
    throw new UsageError(`--references-outside-pack takes error or warning, not "${referencesOutsidePack}"`);
  }
  const check = await loadAndCheck({
    policiesDir: values.policies,
    orgsDir: values.orgs,
    buildDate,
    referencesOutsidePack,
  });
  const report = () => {
    if (values.json) return;
    const text = formatText(check.diagnostics, useColour(io.stderr, io.env));
    if (text) io.stderr.write(`${text}\n`);
  };

  if (command === "xref") {
    report();
    const graph = referenceGraph(check.library);
    const print = {
      table: formatGraphTable,
      dot: formatGraphDot,
      json: (g: ReferenceGraph) => JSON.stringify(g, null, 2),
    };
    io.stdout.write(`${print[graphFormat as keyof typeof print](graph)}\n`);
    return hasErrors(check.diagnostics) ? 1 : 0;
  }

  if (command === "check") {
    report();
    if (values.json) io.stdout.write(`${formatJson(check.diagnostics)}\n`);
    else if (check.diagnostics.length === 0)
      io.stderr.write(
        `${check.library.policies.length} policies and ${check.orgs.length} organisations: no problems\n`,
      );
    return hasErrors(check.diagnostics) ? 1 : 0;
  }

  const wanted = values.org ?? [];
  for (const id of wanted) {
    if (!check.orgs.some((org) => org.id === id)) {
      const suggestion = didYouMean(
        id,
        check.orgs.map((o) => o.id),
      );
      throw new UsageError(
        `no organisation "${id}" in ${values.orgs}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
      );
    }
  }
  const selected = check.orgs.filter((org) => wanted.length === 0 || wanted.includes(org.id));
  const toBuild = check.buildable.filter((org) => selected.includes(org));
  const skipped = selected.filter((org) => !toBuild.includes(org)).map((org) => org.id);
  report();
  const { built, diagnostics: rendering } = await buildPacks(check, toBuild, {
    out: values.out,
    formats,
    buildDate,
    env: io.env,
  });
  const diagnostics = [...check.diagnostics, ...rendering];
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ diagnostics, built, skipped }, null, 2)}\n`);
  } else {
    if (rendering.length > 0) io.stderr.write(`${formatText(rendering, useColour(io.stderr, io.env))}\n`);
    for (const pack of built)
      io.stderr.write(`built ${pack.org}: ${pack.files.length} files in ${values.out}/${pack.org}/\n`);
    for (const id of skipped) io.stderr.write(`skipped ${id}: its inputs have errors (see above)\n`);
  }
  return hasErrors(diagnostics) ? 1 : 0;
}

/** Runs the CLI and returns its exit code; never throws, so no stack trace reaches the user. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const known =
      error instanceof UsageError ||
      error instanceof EnvironmentError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    const message = (error as Error).message;
    if (known) {
      io.stderr.write(
        `policypack: ${message}\n${error instanceof EnvironmentError ? "" : "Run policypack --help for usage.\n"}`,
      );
    } else if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      io.stderr.write(`policypack: ${message}\nCheck --policies, --orgs and --out.\n`);
    } else {
      io.stderr.write(`policypack: internal error: ${message}\nPlease report this with the command you ran.\n`);
    }
    return 2;
  }
}
