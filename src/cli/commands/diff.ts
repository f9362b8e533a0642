import { execFile } from "node:child_process";
import { appendFile, mkdtemp, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import type { CheckResult } from "../../check/index.ts";
import { formatText, hasErrors, useColour } from "../../diagnostics/report.ts";
import { didYouMean } from "../../diagnostics/suggest.ts";
import { type Command, type CommandContext, UsageError } from "../command.ts";

const run = promisify(execFile);

const isDirectory = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

const git = (args: string[]) => run("git", args);

/** --policies and --orgs relative to `root`, which must hold them: where the same folders sit in the base. */
// The checks load only when run: --help and the other commands do not pay for them.
const checking = () => import("../../check/index.ts");

async function foldersUnder(context: CommandContext, root: string): Promise<string[]> {
  const folders: string[] = [];
  for (const option of ["policies", "orgs"]) {
    const path = context.string(option) as string;
    const rel = relative(root, await realpath(path).catch(() => resolve(path)));
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new UsageError(`--${option} ${path} is outside ${root}, so the base has no copy of it`);
    }
    folders.push(rel);
  }
  return folders;
}

/** A commit sha for `ref`, or an environment error with a did-you-mean among the branches and tags. */
async function resolveCommit(ref: string): Promise<string> {
  try {
    return (await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).stdout.trim();
  } catch {
    const refs = await git(["for-each-ref", "--format=%(refname:short)"]).then(
      (r) => r.stdout.split("\n").filter(Boolean),
      () => [],
    );
    const suggestion = didYouMean(ref, refs);
    throw new (await checking()).EnvironmentError(
      `--base ${ref} is neither a directory nor a git commit${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
    );
  }
}

interface BaseInputs {
  root: string;
  folders: string[];
  cleanup: () => Promise<void>;
}

/**
 * Where the base's policies and orgs folders are: inside `--base` when it is a directory, else
 * extracted from the git ref into a temporary directory that `cleanup` removes.
 */
async function baseInputs(context: CommandContext, base: string): Promise<BaseInputs> {
  if (await isDirectory(base)) {
    return { root: base, folders: await foldersUnder(context, process.cwd()), cleanup: async () => {} };
  }
  const top = await git(["rev-parse", "--show-toplevel"]).catch(async () => {
    throw new (await checking()).EnvironmentError(
      `--base ${base} is not a directory, and ${process.cwd()} is not in a git repository`,
    );
  });
  const sha = await resolveCommit(base);
  const folders = await foldersUnder(context, top.stdout.trim());
  const root = await mkdtemp(join(tmpdir(), "policypack-base-"));
  const cleanup = () => rm(root, { recursive: true, force: true });
  try {
    const tar = join(root, "base.tar");
    await git(["-C", top.stdout.trim(), "archive", "--format=tar", `--output=${tar}`, sha, "--", ...folders]);
    await run("tar", ["-xf", tar, "-C", root]);
  } catch (error) {
    await cleanup();
    throw new (await checking()).EnvironmentError(
      `cannot extract ${folders.join(" and ")} from ${base}: ${(error as Error).message.trim()}`,
    );
  }
  return { root, folders, cleanup };
}

/** Loads and checks the base's inputs, the same way as the current ones. */
async function checkBase(context: CommandContext, base: string): Promise<CheckResult> {
  const { root, folders, cleanup } = await baseInputs(context, base);
  try {
    const [policiesDir, orgsDir] = folders.map((folder) => join(root, folder)) as [string, string];
    for (const folder of folders) {
      if (!(await isDirectory(join(root, folder))))
        throw new (await checking()).EnvironmentError(`it has no ${folder}/ folder`);
    }
    return await (await checking()).loadAndCheck({
      policiesDir,
      orgsDir,
      buildDate: context.buildDate,
      referencesOutsidePack: context.choice("references-outside-pack", ["error", "warning"], "error"),
    });
  } catch (error) {
    if (error instanceof (await checking()).EnvironmentError)
      throw new (await checking()).EnvironmentError(`the base ${base}: ${error.message}`);
    throw error;
  } finally {
    await cleanup();
  }
}

export const diff: Command = {
  name: "diff",
  summary: "per organisation, which policies' text a change makes different, with a text diff",
  help: `policypack diff --base DIR|REF [--org ID ...] [--format text|markdown|json] [options]

  --base DIR|REF        what to compare with: a directory holding the old policies/ and orgs/
                        (a checkout), or a git ref such as main, origin/main, HEAD~1 or a sha
  --org ID              only this organisation (repeatable)
  --format FORMAT       text (default), markdown (for a pull-request comment; also appended to
                        $GITHUB_STEP_SUMMARY when set), or json

  Exit code 0 whether or not anything changed; 1 if the current inputs have errors.`,
  options: { base: { type: "string" }, org: { type: "string", multiple: true }, format: { type: "string" } },
  async run(context) {
    // Loaded here so that other commands do not pay for the diff library.
    const { comparePacks } = await import("../../diff/compare.ts");
    const { formatDiffMarkdown, formatDiffText } = await import("../../diff/format.ts");
    const base = context.string("base");
    if (!base) throw new UsageError("diff needs --base DIR or --base GIT-REF to compare with");
    const format = context.values.json
      ? "json"
      : context.choice("format", ["text", "markdown", "json"] as const, "text");
    const head = await context.check();
    const before = await checkBase(context, base);
    const wanted = (context.values.org as string[] | undefined) ?? [];
    const known = [...new Set([...before.orgs, ...head.orgs].map((o) => o.id))];
    for (const id of wanted.filter((id) => !known.includes(id))) {
      const suggestion = didYouMean(id, known);
      throw new UsageError(
        `no organisation "${id}" in the base or here${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
      );
    }
    const result = comparePacks(before, head, context.buildDate, wanted);
    const { io } = context;
    if (format === "json") {
      io.stdout.write(`${JSON.stringify({ base, ...result, diagnostics: head.diagnostics }, null, 2)}\n`);
    } else {
      // In markdown, stdout is the comment: GitHub annotations (which the runner reads there) would spoil it.
      if (format === "markdown" && head.diagnostics.length > 0) {
        io.stderr.write(`${formatText(head.diagnostics, useColour(io.stderr, io.env))}\n`);
      } else context.report(head.diagnostics);
      if (hasErrors(before.diagnostics)) {
        io.stderr.write(`note: the base (${base}) has errors; organisations it cannot build are not compared\n`);
      }
      if (format === "markdown") {
        const markdown = formatDiffMarkdown(result, base);
        io.stdout.write(markdown);
        if (io.env.GITHUB_STEP_SUMMARY) await appendFile(io.env.GITHUB_STEP_SUMMARY, markdown);
      } else io.stdout.write(`${formatDiffText(result, useColour(io.stdout, io.env))}\n`);
    }
    return hasErrors(head.diagnostics) ? 1 : 0;
  },
};
