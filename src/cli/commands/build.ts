import { buildPacks, FORMATS, type Format } from "../../build/build.ts";
import { formatText, hasErrors, useColour } from "../../diagnostics/report.ts";
import { didYouMean } from "../../diagnostics/suggest.ts";
import { type Command, type CommandContext, UsageError } from "../command.ts";

function formats(context: CommandContext): Format[] {
  const list = context.string("format");
  if (list === undefined) return [...FORMATS];
  const wanted = list
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  for (const format of wanted) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      const suggestion = didYouMean(format, FORMATS);
      throw new UsageError(
        `unknown format "${format}"${suggestion ? ` (did you mean ${suggestion}?)` : ""}; available: ${FORMATS.join(", ")}`,
      );
    }
  }
  if (wanted.length === 0) throw new UsageError("--format needs at least one format");
  return wanted as Format[];
}

export const build: Command = {
  name: "build",
  summary: "check, then write every organisation's pack to --out",
  help: `policypack build [--org ID ...] [--format LIST] [--out DIR] [options]

  --org ID              only this organisation (repeatable; ID is the YAML file name)
  --format LIST         comma-separated: ${FORMATS.join(", ")} (default: all)
  --out DIR             output folder (default: output/)`,
  options: {
    org: { type: "string", multiple: true },
    format: { type: "string" },
    out: { type: "string", default: "output" },
  },
  async run(context) {
    const chosen = formats(context);
    const out = context.string("out") as string;
    const result = await context.check();
    const wanted = (context.values.org as string[] | undefined) ?? [];
    for (const id of wanted) {
      if (result.orgs.some((org) => org.id === id)) continue;
      const suggestion = didYouMean(
        id,
        result.orgs.map((o) => o.id),
      );
      throw new UsageError(
        `no organisation "${id}" in ${context.string("orgs")}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
      );
    }
    const selected = result.orgs.filter((org) => wanted.length === 0 || wanted.includes(org.id));
    const toBuild = result.buildable.filter((org) => selected.includes(org));
    const skipped = selected.filter((org) => !toBuild.includes(org)).map((org) => org.id);
    context.report(result.diagnostics);
    const { built, diagnostics: rendering } = await buildPacks(result, toBuild, {
      out,
      formats: chosen,
      buildDate: context.buildDate,
      env: context.io.env,
    });
    const diagnostics = [...result.diagnostics, ...rendering];
    const { io } = context;
    if (context.values.json) {
      io.stdout.write(`${JSON.stringify({ diagnostics, built, skipped }, null, 2)}\n`);
    } else {
      if (rendering.length > 0) io.stderr.write(`${formatText(rendering, useColour(io.stderr, io.env))}\n`);
      for (const pack of built)
        io.stderr.write(`built ${pack.org}: ${pack.files.length} files in ${out}/${pack.org}/\n`);
      for (const id of skipped) io.stderr.write(`skipped ${id}: its inputs have errors (see above)\n`);
    }
    return hasErrors(diagnostics) ? 1 : 0;
  },
};
