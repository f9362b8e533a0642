import { availableParallelism } from "node:os";
import { hasErrors } from "../../diagnostics/report.ts";
import { didYouMean } from "../../diagnostics/suggest.ts";
import { DRAFTS_FOLDER, FORMATS, type Format } from "../../pack/options.ts";
import { parseShard, shardOf } from "../../pack/shard.ts";
import { Interrupted, removeTemporaryFiles, stoppable } from "../../pack/signals.ts";
import { checkOutFolder } from "../../write/output-folder.ts";
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

/** --jobs N: how many threads render web pages and Word files; by default the build decides. */
function jobs(context: CommandContext): number | undefined {
  const text = context.string("jobs");
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,3}$/.test(text.trim())) {
    throw new UsageError(`--jobs wants a whole number of threads from 1 to 9999, not "${text}"`);
  }
  return Number(text);
}

/** A progress bar on a terminal; nothing in CI logs, which get one line per pack instead. */
function progressBar(context: CommandContext) {
  const { stderr } = context.io;
  if (!stderr.isTTY || context.values.json) return undefined;
  return ({ org, done, total }: { org: string; done: number; total: number }) => {
    const width = 24;
    const filled = Math.round((done / total) * width);
    stderr.write(`\r${org} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} documents\u001b[K`);
    if (done === total) stderr.write("\r\u001b[K");
  };
}

export const build: Command = {
  name: "build",
  summary: "check, then write every organisation's pack to --out (only what changed)",
  help: `policypack build [--org ID ...] [--format LIST] [--out DIR] [--force-out] [--force] [--jobs N] [--shard K/N] [--drafts] [options]

  --org ID              only this organisation (repeatable; ID is the YAML file name)
  --format LIST         comma-separated: ${FORMATS.join(", ")} (default: all)
  --out DIR             output folder (default: output/); not /, your home folder or the library's
                        folders, and not a folder of other files unless --force-out
  --force-out           build into a non-empty folder policypack did not make (files it did not
                        write are still never overwritten or removed)
  --force               rebuild every file, even those whose inputs have not changed
  --jobs N              threads rendering web pages and Word files, beside Chromium's own
                        processes for PDFs (default: the number of CPUs, here ${availableParallelism()}, for a
                        build with enough to render, one fewer when it prints PDFs; one for a
                        few documents)
  --shard K/N           build only the K-th of N slices of the organisations (for CI matrices;
                        an organisation stays in its slice when others are added)
  --drafts              instead of the packs, preview the draft policies (status: draft) for
                        review, watermarked "DRAFT — not for use", in DIR/${DRAFTS_FOLDER}/<org>/: never
                        in a pack, its manual or its zip`,
  options: {
    org: { type: "string", multiple: true },
    format: { type: "string" },
    out: { type: "string", default: "output" },
    force: { type: "boolean", default: false },
    "force-out": { type: "boolean", default: false },
    jobs: { type: "string" },
    shard: { type: "string" },
    drafts: { type: "boolean", default: false },
  },
  async run(context) {
    const chosen = formats(context);
    const threads = jobs(context);
    const out = context.string("out") as string;
    const shardText = context.string("shard");
    const shard = shardText === undefined ? undefined : parseShard(shardText);
    if (typeof shard === "string") throw new UsageError(shard);
    const library = { policies: context.string("policies") as string, orgs: context.string("orgs") as string };
    const problem = await checkOutFolder(out, library, context.io.env);
    if (problem && !(problem.forcible && context.values["force-out"])) throw new UsageError(problem.message);
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
    const selected = result.orgs.filter(
      (org) =>
        (wanted.length === 0 || wanted.includes(org.id)) && (!shard || shardOf(org.id, shard.count) === shard.index),
    );
    const drafts = Boolean(context.values.drafts);
    const toBuild = (drafts ? result.previewable : result.buildable).filter((org) => selected.includes(org));
    const skipped = selected.filter((org) => !toBuild.includes(org)).map((org) => org.id);
    context.report(result.diagnostics);
    const { buildPacks } = await import("../../pack/build.ts"); // the renderers: not for --help
    const outcome = await stoppable(
      (signal) =>
        buildPacks(result, toBuild, {
          out,
          formats: chosen,
          buildDate: context.buildDate,
          env: context.io.env,
          force: Boolean(context.values.force),
          ...(threads ? { jobs: threads } : {}),
          ...(progressBar(context) ? { onProgress: progressBar(context) } : {}),
          signal,
          drafts,
        }),
      () => removeTemporaryFiles(out),
    );
    if (outcome instanceof Interrupted) return outcome.report(context.io.stderr);
    const { packs, diagnostics: rendering } = outcome;
    const diagnostics = [...result.diagnostics, ...rendering];
    const { io } = context;
    const total = (key: "built" | "skipped" | "removed") => packs.reduce((sum, pack) => sum + pack[key].length, 0);
    const summary = `${total("built")} files built, ${total("skipped")} unchanged, ${total("removed")} removed, in ${packs.length} ${drafts ? "previews" : "packs"}`;
    if (context.values.json) {
      io.stdout.write(`${JSON.stringify({ diagnostics, packs, skipped, summary }, null, 2)}\n`);
    } else {
      context.report(rendering);
      for (const pack of packs) {
        const removed = pack.removed.length > 0 ? `, ${pack.removed.length} removed` : "";
        io.stderr.write(
          `${pack.org}: ${pack.built.length} built, ${pack.skipped.length} unchanged${removed} (${out}/${drafts ? `${DRAFTS_FOLDER}/` : ""}${pack.org}/)\n`,
        );
      }
      for (const id of skipped) io.stderr.write(`skipped ${id}: its inputs have errors (see above)\n`);
      io.stderr.write(`${total("built") === 0 && total("removed") === 0 ? "nothing to do: " : ""}${summary}\n`);
    }
    return hasErrors(diagnostics) ? 1 : 0;
  },
};
