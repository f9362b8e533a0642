// The package's public API: what the commands do, as functions taking and returning plain data.
// Nothing here prints. Problems in the policies and organisations are diagnostics in the result
// (`ok` is false when one is an error); a bad option throws UsageError, and a problem with the
// machine (no org.schema.json, no Chromium for PDFs) throws EnvironmentError, as the CLI exits 2.
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { type CheckResult, EnvironmentError, loadAndCheck } from "./check/index.ts";
import { POLICY_CODE } from "./check/policies.ts";
import { CommandContext, UsageError } from "./cli/command.ts";
import { hasErrors, sortDiagnostics } from "./diagnostics/report.ts";
import { didYouMean } from "./diagnostics/suggest.ts";
import type { PackDiff } from "./diff/compare.ts";
import type { FieldMap } from "./import/field-map.ts";
import type { Guess } from "./import/types.ts";
import { buildPacks, FORMATS, type Format, type OrgBuild } from "./pack/build.ts";
import { parseShard, shardOf } from "./pack/shard.ts";
import { removeTemporaryFiles } from "./pack/signals.ts";
import { type ReviewRow, reviewSchedule, type SkippedOrg } from "./reviews/schedule.ts";
import type { Diagnostic, PolicyStatus, Severity } from "./types.ts";
import { checkOutFolder } from "./write/output-folder.ts";
import { type ReferenceGraph, referenceGraph } from "./xref/graph.ts";

export type { Change, OrgChange, PackDiff, PolicyChange } from "./diff/compare.ts";
export type { Guess } from "./import/types.ts";
export type { ReviewRow, SkippedOrg } from "./reviews/schedule.ts";
export type { Diagnostic, PolicyStatus, ReviewOutcome, ReviewStatus, Severity } from "./types.ts";
export type { GraphNode, ReferenceGraph } from "./xref/graph.ts";
export type { Format, OrgBuild };
export { EnvironmentError, FORMATS, UsageError };

/** Options every function takes; relative paths are relative to `cwd`. */
export interface Options {
  /** The folder the other paths are relative to (default: `process.cwd()`). */
  cwd?: string;
  /** The policy library (default: `policies`). */
  policiesDir?: string;
  /** The organisations and their `org.schema.json` (default: `orgs`). */
  orgsDir?: string;
  /** The build date, `YYYY-MM-DD` (default: `SOURCE_DATE_EPOCH` from `env`, else today). */
  asOf?: string;
  /** How citing a policy outside an organisation's pack is reported (default: `error`). */
  referencesOutsidePack?: Severity;
  /** Environment variables the tool reads: SOURCE_DATE_EPOCH, CHROME_PATH, HOME (default: `process.env`). */
  env?: Record<string, string | undefined>;
}

/** What every function returns besides its own data. */
export interface Report {
  /** No diagnostic is an error: the command would exit 0. */
  ok: boolean;
  /** As the CLI prints them; `file` is relative to `cwd` when it is inside it. */
  diagnostics: Diagnostic[];
}

interface Session {
  cwd: string;
  env: Record<string, string | undefined>;
  policies: string;
  orgs: string;
  context: CommandContext;
  /** A path as the CLI run in `cwd` would print it. */
  local(path: string): string;
}

const silent = { write: () => true };

/** Resolves the options the way the CLI does, through the CLI's own context, so defaults and errors match. */
function open(options: Options): Session {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const policies = resolve(cwd, options.policiesDir ?? "policies");
  const orgs = resolve(cwd, options.orgsDir ?? "orgs");
  const context = new CommandContext(
    { stdout: silent, stderr: silent, env },
    { policies, orgs, "as-of": options.asOf, "references-outside-pack": options.referencesOutsidePack ?? "error" },
    [],
  );
  context.validateCommon();
  const local = (path: string) => (isAbsolute(path) && path.startsWith(cwd + sep) ? relative(cwd, path) : path);
  return { cwd, env, policies, orgs, context, local };
}

function report(session: Session, diagnostics: readonly Diagnostic[]): Report {
  // In the CLI's --json order: by file, then position.
  const local = diagnostics.map((d) => ({ ...d, file: session.local(d.file) }));
  return { ok: !hasErrors(diagnostics), diagnostics: sortDiagnostics(local) };
}

/** Throws a UsageError for an organisation id the library does not have. */
function knownOrgs(wanted: readonly string[], known: readonly string[], where: string): void {
  for (const id of wanted) {
    if (known.includes(id)) continue;
    const suggestion = didYouMean(id, known);
    throw new UsageError(`no organisation "${id}" in ${where}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`);
  }
}

export interface CheckReport extends Report {
  policies: { code: string; title: string; version: string; status: PolicyStatus; file: string }[];
  /** Every organisation; `buildable` when neither its file nor a policy of its pack has an error. */
  orgs: { id: string; name: string; file: string; buildable: boolean }[];
}

/** Validates every policy and organisation, as `policypack check`; writes nothing. */
export async function check(options: Options = {}): Promise<CheckReport> {
  const session = open(options);
  const result = await session.context.check();
  return {
    ...report(session, result.diagnostics),
    policies: result.library.policies.map(({ code, title, version, status, file }) => ({
      code,
      title,
      version,
      status,
      file: session.local(file),
    })),
    orgs: result.orgs.map((org) => ({
      id: org.id,
      name: String(org.data.name ?? org.id),
      file: session.local(org.file),
      buildable: result.buildable.includes(org),
    })),
  };
}

export interface BuildOptions extends Options {
  /** The output folder (default: `output`); the same rules as `--out`. */
  outDir?: string;
  /** Only these organisation ids (default: all). */
  orgs?: readonly string[];
  /** Default: all of `FORMATS` (html, pdf, docx); PDFs need Chromium (CHROME_PATH or on the PATH). */
  formats?: readonly Format[];
  /** Rebuild every file, even those whose inputs have not changed. */
  force?: boolean;
  /** Build into a non-empty folder policypack did not make. */
  forceOut?: boolean;
  /** `K/N`: only the K-th of N slices of the organisations. */
  shard?: string;
  /** Preview the drafts into `<outDir>/_drafts/<org>/` instead of building the packs. */
  drafts?: boolean;
  /** Called after each document rendered. */
  onProgress?: (progress: { org: string; done: number; total: number }) => void;
  /** Aborting stops the build before its next pack write; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface BuildReport extends Report {
  /** The output folder, absolute. */
  outDir: string;
  /** One entry per pack written: file names built, unchanged (skipped) and removed. */
  packs: OrgBuild[];
  /** Selected organisations not built because their inputs have errors. */
  skipped: string[];
}

/** Checks, then writes every organisation's pack (only what changed), as `policypack build`. */
export async function build(options: BuildOptions = {}): Promise<BuildReport> {
  const session = open(options);
  const formats = options.formats ?? FORMATS;
  const unknown = formats.find((f) => !FORMATS.includes(f));
  if (unknown !== undefined || formats.length === 0) {
    throw new UsageError(`formats must be some of ${FORMATS.join(", ")}, not "${formats.join(",")}"`);
  }
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  if (typeof shard === "string") throw new UsageError(shard);
  const out = resolve(session.cwd, options.outDir ?? "output");
  const problem = await checkOutFolder(out, { policies: session.policies, orgs: session.orgs }, session.env);
  if (problem && !(problem.forcible && options.forceOut)) throw new UsageError(problem.message);
  const result = await session.context.check();
  const wanted = options.orgs ?? [];
  knownOrgs(
    wanted,
    result.orgs.map((o) => o.id),
    session.orgs,
  );
  const selected = result.orgs.filter(
    (org) =>
      (wanted.length === 0 || wanted.includes(org.id)) && (!shard || shardOf(org.id, shard.count) === shard.index),
  );
  const toBuild = (options.drafts ? result.previewable : result.buildable).filter((org) => selected.includes(org));
  try {
    const built = await buildPacks(result, toBuild, {
      out,
      formats,
      buildDate: session.context.buildDate,
      env: session.env,
      force: Boolean(options.force),
      drafts: Boolean(options.drafts),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      ...report(session, [...result.diagnostics, ...built.diagnostics]),
      outDir: out,
      packs: built.packs,
      skipped: selected.filter((org) => !toBuild.includes(org)).map((org) => org.id),
    };
  } catch (error) {
    // A stopped build leaves no half-written temporary file behind, as the CLI's Ctrl-C does not.
    if (options.signal?.aborted) removeTemporaryFiles(out);
    throw error;
  }
}

export interface ReviewsOptions extends Options {
  /** Only these organisation ids (default: all). */
  orgs?: readonly string[];
  /** Only reviews due within this many days of the build date, overdue ones included. */
  within?: number;
}

export interface ReviewsReport extends Report {
  /** The build date the statuses are as of, `YYYY-MM-DD`. */
  asOf: string;
  within?: number;
  /** One row per organisation × policy, sorted by next review date. */
  rows: ReviewRow[];
  /** Selected organisations left out because their inputs have errors. */
  skipped: SkippedOrg[];
}

/** The review schedule across organisations, as `policypack reviews --format json`. */
export async function reviews(options: ReviewsOptions = {}): Promise<ReviewsReport> {
  const session = open(options);
  const { within } = options;
  if (within !== undefined && !(Number.isInteger(within) && within >= 0)) {
    throw new UsageError(`within takes a whole number of days, not ${within}`);
  }
  const result = await session.context.check();
  const wanted = options.orgs ?? [];
  knownOrgs(
    wanted,
    result.orgs.map((o) => o.id),
    session.orgs,
  );
  const schedule = reviewSchedule(result, { buildDate: session.context.buildDate, orgs: wanted, within });
  return {
    ...report(session, result.diagnostics),
    ...schedule,
    rows: schedule.rows.map((row) => ({ ...row, orgFile: session.local(row.orgFile) })),
  };
}

export interface XrefReport extends Report, ReferenceGraph {}

/** The library's cross-references: who cites whom, and what nobody cites (`policypack xref --format json`). */
export async function xref(options: Options = {}): Promise<XrefReport> {
  const session = open(options);
  const result = await session.context.check();
  return { ...report(session, result.diagnostics), ...referenceGraph(result.library) };
}

export interface DiffOptions extends Options {
  /**
   * A folder holding the old inputs at the same paths as `policiesDir` and `orgsDir` under `cwd`
   * (a checkout of the base, e.g. made with `git worktree add`). Git refs are for the CLI.
   */
  base: string;
  /** Only these organisation ids (default: all). */
  orgs?: readonly string[];
}

export interface DiffReport extends Report, PackDiff {}

/**
 * Per organisation, which policies' text differs between `base` and the current inputs, with
 * line-diff hunks, as `policypack diff --format json`. `diagnostics` are the current inputs'.
 */
export async function diff(options: DiffOptions): Promise<DiffReport> {
  const session = open(options);
  const { comparePacks } = await import("./diff/compare.ts");
  const base = resolve(session.cwd, options.base);
  if (!(await stat(base).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`the base ${options.base} is not a folder`);
  }
  const folders = [session.policies, session.orgs].map((dir) => {
    const rel = relative(session.cwd, dir);
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new UsageError(`${dir} is outside ${session.cwd}, so the base has no copy of it`);
    }
    return join(base, rel);
  }) as [string, string];
  for (const folder of folders) {
    if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
      throw new EnvironmentError(`the base ${options.base}: it has no ${relative(base, folder)}/ folder`);
    }
  }
  const head = await session.context.check();
  let before: CheckResult;
  try {
    before = await loadAndCheck({
      policiesDir: folders[0],
      orgsDir: folders[1],
      buildDate: session.context.buildDate,
      referencesOutsidePack: options.referencesOutsidePack ?? "error",
    });
  } catch (error) {
    if (error instanceof EnvironmentError) throw new EnvironmentError(`the base ${options.base}: ${error.message}`);
    throw error;
  }
  const wanted = options.orgs ?? [];
  knownOrgs(wanted, [...new Set([...before.orgs, ...head.orgs].map((o) => o.id))], "the base or here");
  return {
    ...report(session, head.diagnostics),
    ...comparePacks(before, head, session.context.buildDate, wanted),
  };
}

export interface ImportOptions extends Options {
  /** The policy's code (default: the code the library's policies cite its title with). */
  code?: string;
  /** The policy's title (default: the document's, unless that is a placeholder line or a numbered section). */
  title?: string;
  /** Where `<CODE>-<slug>.md` goes (default: `policiesDir`). */
  outDir?: string;
  /** Overwrite a policy file that already exists. */
  force?: boolean;
  /** false: convert only, and return the text without writing it (default: true). */
  write?: boolean;
  /** A YAML file of the documents' own placeholder tokens and the fields they stand for, as `--map`. */
  map?: string;
  /** A Word document's tracked changes: imported as if accepted (default) or as if rejected. */
  revisions?: "accept" | "reject";
}

export interface ImportReport extends Report {
  /** The file imported, as given. */
  source: string;
  /** The policy source written (or that would be), relative to `cwd`; null when it cannot be imported. */
  output: string | null;
  code: string | null;
  title: string | null;
  /** The policy source: front matter and Markdown. */
  text: string | null;
  written: boolean;
  /** Every guess the importer made, with its source line: review them before approving the policy. */
  guesses: Guess[];
}

const notImported = (source: string) => ({
  source,
  output: null,
  code: null,
  title: null,
  text: null,
  written: false,
  guesses: [],
});

/** Turns a legacy page, Word, OpenDocument, RTF or PDF document into a policy source, as `policypack import`. */
export async function importFile(path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const session = open(options);
  const { code } = options;
  if (code !== undefined && !POLICY_CODE.test(code)) {
    throw new UsageError(`code ${code} is not a policy code (capital letters then digits, e.g. DCW40)`);
  }
  const file = resolve(session.cwd, path);
  if (!existsSync(file)) throw new UsageError(`no such file: ${path}`);
  // Loaded here, as the command does: the importer pulls in mammoth and rehype.
  const { importPolicy, loadFieldMap } = await import("./import/index.ts");
  const { savePolicy } = await import("./import/write.ts");
  const out = resolve(session.cwd, options.outDir ?? session.policies);
  let fieldMap: { file: string; map: FieldMap } | undefined;
  if (options.map !== undefined) {
    const mapFile = resolve(session.cwd, options.map);
    if (!existsSync(mapFile)) throw new UsageError(`no such map file: ${options.map}`);
    const loaded = await loadFieldMap(mapFile, session.orgs);
    // A wrong map would import the file wrongly: nothing is imported until it is right.
    if (!loaded.map) return { ...report(session, loaded.diagnostics), ...notImported(path) };
    fieldMap = { file: mapFile, map: loaded.map };
  }
  const result = await importPolicy(file, {
    ...(code ? { code } : {}),
    ...(options.title ? { title: options.title } : {}),
    policiesDir: session.policies,
    orgsDir: session.orgs,
    out,
    revisions: options.revisions ?? "accept",
    searchPath: session.env.PATH ?? "",
    ...(fieldMap ? { fieldMap } : {}),
  });
  const diagnostics = [...result.diagnostics];
  let written = false;
  if (result.output && options.write !== false) {
    const refused = await savePolicy(file, result.output, out, Boolean(options.force));
    if (refused) diagnostics.push(refused);
    else written = true;
  }
  return {
    ...report(session, diagnostics),
    source: path,
    output: result.output ? session.local(result.output.path) : null,
    code: result.output?.code ?? null,
    title: result.output?.title ?? null,
    text: result.output?.text ?? null,
    written,
    guesses: result.guesses,
  };
}
