import { lstat, readFile, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { CheckResult } from "../check/index.ts";
import { EnvironmentError } from "../check/index.ts";
import { draftPolicies, missingFields, packPolicies } from "../check/orgs.ts";
import { formatIso } from "../dates/calendar.ts";
import { reviewOf } from "../dates/review.ts";
import type { DocxWarning } from "../render/docx/index.ts";
import { type OverviewRow, type PackEntry, renderOverview, renderPackPage } from "../render/html/pack-page.ts";
import { logoFile, packFontFiles, renderHtml, type SiblingFiles } from "../render/html/page.ts";
import { wantsReadAndSign } from "../render/layout.ts";
import { findBrowser, INSTALL_HINT } from "../render/pdf/browser.ts";
import type { PdfEngine } from "../render/pdf/engine.ts";
import type { CalendarDate, Diagnostic, Org, Policy, PolicyDocument, Review, Theme } from "../types.ts";
import { writeFileAtomic } from "../write/atomic.ts";
import { MANIFEST, readManifest, writeManifest } from "../write/manifest.ts";
import { claimOutFolder, folderEntries, mayReplace, type OutFolder } from "../write/output-folder.ts";
import { deterministicZip } from "../write/zip.ts";
import { packContext, policyDocument } from "./documents.ts";
import { policyInputs, sha256, toolFingerprint } from "./fingerprint.ts";

export const FORMATS = ["html", "pdf", "docx"] as const;
export type Format = (typeof FORMATS)[number];

export interface BuildOptions {
  out: string;
  formats: readonly Format[];
  buildDate: CalendarDate;
  env: NodeJS.ProcessEnv;
  /** Rebuild every output, whatever the manifest says. */
  force?: boolean;
  /** Called after each document rendered, for progress bars. */
  onProgress?: (progress: { org: string; done: number; total: number }) => void;
  /** Aborted by SIGINT/SIGTERM (src/pack/signals.ts): the build stops before its next pack write. */
  signal?: AbortSignal;
  /** Build only the previews of drafts, into `<out>/_drafts/<org>/`, and no client pack. */
  drafts?: boolean;
  /**
   * Formats not rendered in this run that the pages link to all the same, because the caller
   * renders them when asked for (serve --watch). Without it a stale PDF would drop out of the
   * pages, and its link with it, until the next full build.
   */
  linked?: readonly Format[];
}

/**
 * Where `build --drafts` writes: beside the packs, never in one. An org id cannot start with an
 * underscore, so no pack folder can have this name.
 */
export const DRAFTS_FOLDER = "_drafts";

export interface OrgBuild {
  org: string;
  /** File names in the pack folder. */
  built: string[];
  skipped: string[];
  removed: string[];
}

export interface BuildResult {
  packs: OrgBuild[];
  /** Problems met while rendering (a PDF that failed twice, a blocked request, what Word cannot show). */
  diagnostics: Diagnostic[];
}

type Bytes = string | Uint8Array;

interface Item {
  policy: Policy;
  review: Review;
  /** Hash of everything the policy's outputs are made of (see policyInputs). */
  inputs: string;
  doc?: PolicyDocument;
  /** This policy's PDF and Word files in the pack, which its web page links to. */
  siblings?: SiblingFiles;
}

interface Job {
  item: Item;
  format: Format;
  name: string;
}

/** One org's pack folder: what the manifest says was built from what, and what this build renders. */
class PackBuild {
  readonly next: Record<string, string> = {};
  readonly rendered = new Map<string, Bytes>();

  constructor(
    readonly dir: string,
    private readonly old: Record<string, string>,
    private readonly force: boolean,
    /** The files in the folder now: one directory read instead of a stat per output. */
    private readonly present: ReadonlySet<string>,
  ) {}

  /** Records the output's inputs; true when it must be rendered (changed, missing, or forced). */
  wants(name: string, hash: string): boolean {
    this.next[name] = hash;
    return this.force || this.old[name] !== hash || !this.present.has(name);
  }

  /** An output of a format not built this time stays only while it is still up to date. */
  keepIfFresh(name: string, hash: string): void {
    if (this.old[name] === hash && this.present.has(name)) this.next[name] = hash;
  }

  drop(name: string): void {
    delete this.next[name];
    this.rendered.delete(name);
  }

  bytes(name: string): Promise<Bytes> {
    const fresh = this.rendered.get(name);
    return fresh !== undefined ? Promise.resolve(fresh) : readFile(join(this.dir, name));
  }
}

// The renderers load on first use: Chromium's driver, pdf-lib and docx take about a second to
// import, which a no-op rebuild or an HTML-only build should not pay.
const docxRenderer = () => import("../render/docx/index.ts");
const pdfRenderer = () => import("../render/pdf/policy.ts");
const manualRenderer = () => import("../render/pdf/manual.ts");
const signSheetsRenderer = () => import("../render/pdf/sign-sheets.ts");

function docxDiagnostics(doc: PolicyDocument, name: string, warnings: DocxWarning[]) {
  return warnings.map(
    (warning): Diagnostic => ({
      file: warning.file ?? doc.policy.file,
      // Positions are in the filled-in text; they match the source unless a <<#if>> block above was left out.
      line: warning.file ? warning.line : warning.line + doc.policy.bodyLine - 1,
      column: warning.column,
      severity: "warning",
      rule: "docx-unsupported",
      message: `${name}: ${warning.message}`,
    }),
  );
}

// The engine's error when Chromium died after its one restart (checked by name: importing the
// engine would load puppeteer on builds that print nothing).
const chromiumStopped = (error: unknown) => (error as Error).name === "ChromiumStopped";

/** `names` were not written; one error for all of them when Chromium itself is gone. */
function pdfFailure(file: string, names: string[], error: unknown): Diagnostic {
  const reason = (error as Error).message.split("\n")[0];
  const what = names.length === 1 ? `${names[0]} was` : `${names.length} PDFs were`;
  const which = names.length === 1 ? "" : ` (${names.join(", ")})`;
  return {
    file,
    line: 1,
    column: 1,
    severity: "error",
    rule: "pdf-render",
    ...(chromiumStopped(error)
      ? {
          message: `${what} not written${which}: ${reason}`,
          hint: "Chromium was killed or crashed twice during this build; build again, and if it keeps happening look on the machine for the cause (memory, `dmesg`) or set CHROME_PATH to another Chromium",
        }
      : {
          message: `${what} not written${which}: Chromium failed twice (${reason})`,
          hint: "the other files were written; build again, or try --format html to rule out the policy's content",
        }),
  };
}

function outputError(file: string, message: string, hint: string): Diagnostic {
  return { file, line: 1, column: 1, severity: "error", rule: "output-folder", message, hint };
}

/** A file in the way of an output: policypack never overwrites what it did not write. */
function notOurs(dir: string, name: string, consequence: string): Diagnostic {
  return outputError(
    join(dir, name),
    `${join(dir, name)} is in the way: policypack did not write it (${join(dir, MANIFEST)} does not list it), so it was left as it is and ${consequence}`,
    "move it out of the output folder (or delete it), then build again",
  );
}

/** A file policypack no longer needs, but which no longer holds what policypack wrote there. */
function leftInPlace(dir: string, name: string): Diagnostic {
  return {
    file: join(dir, name),
    line: 1,
    column: 1,
    severity: "warning",
    rule: "output-folder",
    message: `left ${join(dir, name)} in place: the pack no longer needs it, but it is not the file policypack wrote there (changed since, or not recorded in ${join(dir, MANIFEST)})`,
    hint: "delete it by hand if nobody needs it",
  };
}

/** A name policypack gives a file of a pack folder: a policy's page, PDF or Word file, or the pack's own. */
function isOutputName(name: string, org: string): boolean {
  return (
    /^[A-Z]{2,}[0-9]+-[a-z0-9-]+\.(html|pdf|docx)$/.test(name) ||
    /^(index\.html|logo\.(png|jpg|svg)|[a-z0-9-]+\.woff2)$/.test(name) ||
    [`${org}-policy-pack.pdf`, `${org}-policy-pack.zip`, `${org}-read-and-sign.pdf`].includes(name)
  );
}

const fileHash = (path: string) =>
  readFile(path).then(
    (bytes) => sha256(bytes),
    () => undefined,
  );

const pick = (map: Record<string, string>, names: readonly string[]) =>
  Object.fromEntries(names.filter((name) => Object.hasOwn(map, name)).map((name) => [name, map[name] as string]));

/** Manifest entries that could name something outside their folder: never followed, never deleted. */
function ignoredEntries(dir: string, ignored: readonly string[]): Diagnostic[] {
  // Twenty are enough to see what happened; a manifest of a million bad entries is not a million lines.
  const shown = ignored.slice(0, 20);
  const more = ignored.length - shown.length;
  return shown.map((entry, i) => ({
    file: join(dir, MANIFEST),
    line: 1,
    column: 1,
    severity: "warning",
    rule: "output-folder",
    message: `ignored the entry ${entry.length > 200 ? `${entry.slice(0, 200)}…` : entry}: it is not a plain file name in ${dir}/, so it was neither read nor removed${i === shown.length - 1 && more > 0 ? ` (and ${more} more entries like it)` : ""}`,
    hint: "policypack never writes such an entry; if this folder came from a cache or an artifact, it may have been tampered with",
  }));
}

/**
 * The pack folder and its manifest, or undefined (with an error) when it is not policypack's to
 * write into: a file or a symlink in its place, or a manifest.json that is someone else's.
 */
async function openPackFolder(dir: string, file: string, diagnostics: Diagnostic[]) {
  const kind = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (kind && !kind.isDirectory()) {
    diagnostics.push(
      outputError(
        file,
        `${dir} is not a folder policypack made (a file or a link is in its place), so the pack was not written`,
        `move ${dir} out of the output folder, then build again`,
      ),
    );
    return undefined;
  }
  const manifest = await readManifest(dir);
  if (manifest.notOurs) {
    diagnostics.push(
      outputError(
        join(dir, MANIFEST),
        `${manifest.notOurs}, so nothing was written in ${dir}/`,
        `move ${dir} out of the output folder (policypack makes the folder and its manifest itself), then build again`,
      ),
    );
    return undefined;
  }
  diagnostics.push(...ignoredEntries(dir, manifest.ignored));
  return { manifest, entries: await folderEntries(dir) };
}

/**
 * The drafts to preview for an org: those it would get once approved, whose own file has no
 * errors and whose fields the org has (a missing one is already a warning).
 */
function previewPolicies(org: Org, check: CheckResult): Policy[] {
  const broken = new Set(check.diagnostics.filter((d) => d.severity === "error").map((d) => d.file));
  const drafts = draftPolicies(org, check.library).filter((p) => !broken.has(p.file));
  const lacking = new Set([...missingFields(org, drafts, check.library).values()].map(({ policy }) => policy));
  return drafts.filter((p) => !lacking.has(p));
}

/**
 * Renders what changed in one org's pack, then writes it; unchanged outputs are not touched. A
 * preview (build --drafts) is the org's drafts alone, with no pack page, manual or zip.
 */
async function buildPack(
  org: Org,
  check: CheckResult,
  options: BuildOptions,
  engine: () => Promise<PdfEngine>,
  diagnostics: Diagnostic[],
): Promise<OrgBuild | undefined> {
  const preview = Boolean(options.drafts);
  const dir = preview ? join(options.out, DRAFTS_FOLDER, org.id) : join(options.out, org.id);
  const policies = preview ? previewPolicies(org, check) : packPolicies(org, check.library);
  // No folder for an org with nothing to preview, but an old preview is emptied.
  if (preview && policies.length === 0 && !(await lstat(dir).catch(() => undefined))) return undefined;
  const folder = await openPackFolder(dir, org.file, diagnostics);
  if (!folder) return undefined;
  const { manifest, entries: inFolder } = folder;
  const old = manifest.files;
  // Only regular files count as present: a folder or symlink under an output's name is never read.
  const present = new Set([...inFolder].filter(([, kind]) => kind === "file").map(([name]) => name));
  const pack = new PackBuild(dir, old, Boolean(options.force), present);
  const { buildDate } = options;
  const linked = (format: Format) => options.linked?.includes(format) ?? false;
  const context = packContext(policies, check.library);
  const items: Item[] = policies.map((policy) => {
    const review = reviewOf(org, policy, buildDate, check.library.legislation);
    return { policy, review, inputs: policyInputs(org, policy, review, buildDate.year, context, check.library) };
  });
  const docOf = (item: Item) => {
    item.doc ??= policyDocument(org, item.policy, buildDate, context);
    return item.doc;
  };

  const jobs: Job[] = [];
  for (const item of items) {
    // The web page comes last: it links to the PDF and Word files this pack holds.
    for (const format of ["pdf", "docx", "html"] as const) {
      const name = `${item.policy.slug}.${format}`;
      if (format === "html") {
        item.siblings = Object.fromEntries(
          (["pdf", "docx"] as const)
            .filter((f) => pack.next[`${item.policy.slug}.${f}`] || linked(f))
            .map((f) => [f, `${item.policy.slug}.${f}`]),
        );
      }
      const hash =
        format === "html" ? sha256(item.inputs, format, JSON.stringify(item.siblings)) : sha256(item.inputs, format);
      if (!options.formats.includes(format)) pack.keepIfFresh(name, hash);
      else if (pack.wants(name, hash)) jobs.push({ item, format, name });
    }
  }
  // The web fonts and the logo, shared by every web page of the pack (PDFs and Word files embed theirs).
  const shared = preview && policies.length === 0 ? [] : await packFontFiles(policies, check.library.theme);
  const logo = org.logo && logoFile(org.logo);
  if (logo && shared.length > 0) shared.push(logo);
  for (const file of shared) {
    if (pack.wants(file.name, sha256(file.name, file.data))) pack.rendered.set(file.name, file.data);
  }
  let done = 0;
  const progress = () => options.onProgress?.({ org: org.id, done: ++done, total: jobs.length });
  for (const { item, format, name } of jobs) {
    if (format === "html") pack.rendered.set(name, renderHtml(docOf(item), item.siblings));
    if (format === "docx") {
      const { data, warnings } = await (await docxRenderer()).renderDocx(docOf(item));
      pack.rendered.set(name, data);
      diagnostics.push(...docxDiagnostics(docOf(item), name, warnings));
    }
    if (format !== "pdf") progress();
    options.signal?.throwIfAborted();
  }
  const pdfJobs = jobs.filter((job) => job.format === "pdf");
  if (pdfJobs.length > 0) {
    const printer = await engine();
    const { renderPolicyPdf } = await pdfRenderer();
    const unprinted: { names: string[]; error?: unknown } = { names: [] };
    await Promise.all(
      pdfJobs.map(async ({ item, name }) => {
        try {
          const printed = await renderPolicyPdf(docOf(item), printer);
          pack.rendered.set(name, printed.data);
          for (const url of printed.blocked) {
            diagnostics.push({
              file: item.policy.file,
              line: 1,
              column: 1,
              severity: "warning",
              rule: "pdf-network",
              message: `${name} tried to load ${url}; it was blocked`,
            });
          }
        } catch (error) {
          pack.drop(name);
          if (chromiumStopped(error)) {
            unprinted.names.push(name);
            unprinted.error = error;
          } else diagnostics.push(pdfFailure(item.policy.file, [name], error));
        }
        progress();
      }),
    );
    if (unprinted.names.length > 0) diagnostics.push(pdfFailure(org.file, unprinted.names.sort(), unprinted.error));
    options.signal?.throwIfAborted();
  }

  if (!preview) await packFiles(org, items, pack, options, engine, diagnostics, docOf, check.library.theme);
  else options.signal?.throwIfAborted(); // as packFiles does before its pack page and zip
  return writePack(org, pack, manifest, inFolder, present, diagnostics);
}

/** What only a client pack has: the manual, the pack page and the zip. */
async function packFiles(
  org: Org,
  items: Item[],
  pack: PackBuild,
  options: BuildOptions,
  engine: () => Promise<PdfEngine>,
  diagnostics: Diagnostic[],
  docOf: (item: Item) => PolicyDocument,
  theme: Theme,
): Promise<void> {
  const { buildDate } = options;
  const linked = (format: Format) => options.linked?.includes(format) ?? false;
  // The manual is printed only with every policy's PDF in hand: their lengths place its contents.
  const manual = `${org.id}-policy-pack.pdf`;
  const pdfs = items.map((item) => `${item.policy.slug}.pdf`);
  const manualHash = sha256(
    toolFingerprint(),
    formatIso(buildDate),
    JSON.stringify(org.data),
    org.logo?.dataUri ?? "",
    ...pdfs.map((name) => pack.next[name] ?? "-"),
  );
  if (!options.formats.includes("pdf")) pack.keepIfFresh(manual, manualHash);
  else if (pdfs.every((name) => pack.next[name]) && pack.wants(manual, manualHash)) {
    try {
      const { renderManual, pageCount } = await manualRenderer();
      const parts = await Promise.all(
        items.map(async (item, i) => ({
          doc: docOf(item),
          pages: await pageCount((await pack.bytes(pdfs[i] as string)) as Uint8Array),
        })),
      );
      pack.rendered.set(manual, (await renderManual(org, parts, buildDate, await engine())).data);
    } catch (error) {
      pack.drop(manual);
      diagnostics.push(pdfFailure(org.file, [manual], error));
    }
  }

  // Every policy's read-and-sign sheet in one file, for an org that asks for them.
  const sheets = `${org.id}-read-and-sign.pdf`;
  if (wantsReadAndSign(org) && items.length > 0) {
    const sheetsHash = sha256(
      toolFingerprint(),
      sheets,
      formatIso(buildDate),
      JSON.stringify(org.data),
      org.logo?.dataUri ?? "",
      ...items.map((item) => item.inputs),
    );
    if (!options.formats.includes("pdf")) pack.keepIfFresh(sheets, sheetsHash);
    else if (pack.wants(sheets, sheetsHash)) {
      try {
        const { renderSignSheets } = await signSheetsRenderer();
        pack.rendered.set(sheets, (await renderSignSheets(org, items.map(docOf), buildDate, await engine())).data);
      } catch (error) {
        pack.drop(sheets);
        diagnostics.push(pdfFailure(org.file, [sheets], error));
      }
    }
  }

  // Past this point the pack is written whole, manifest included: a stop waits for it.
  options.signal?.throwIfAborted();
  const zip = `${org.id}-policy-pack.zip`;
  const entries: PackEntry[] = items.map((item) => ({
    policy: item.policy,
    review: item.review,
    files: Object.fromEntries(
      FORMATS.filter((f) => pack.next[`${item.policy.slug}.${f}`] || linked(f)).map((f) => [
        f,
        `${item.policy.slug}.${f}`,
      ]),
    ),
  }));
  const downloads = {
    ...(pack.next[manual] || linked("pdf") ? { manual } : {}),
    ...(pack.next[sheets] || (linked("pdf") && wantsReadAndSign(org) && items.length > 0)
      ? { signSheets: sheets }
      : {}),
    zip,
  };
  // The pack page is keyed by what it shows, so an unchanged pack does not even render it.
  const pageInputs = entries.map((e) => [
    e.policy.code,
    e.policy.title,
    e.policy.version,
    e.policy.slug,
    e.review,
    e.files,
  ]);
  const pageHash = sha256(
    toolFingerprint(),
    formatIso(buildDate),
    JSON.stringify([org.data, pageInputs, downloads, { ...theme, font: theme.font?.family }]),
    org.logo?.dataUri ?? "",
  );
  if (pack.wants("index.html", pageHash))
    pack.rendered.set("index.html", renderPackPage(org, entries, downloads, buildDate, theme));
  // The zip is keyed by its members' own hashes.
  const members = Object.keys(pack.next).sort();
  if (pack.wants(zip, sha256(formatIso(buildDate), ...members.flatMap((name) => [name, pack.next[name] as string])))) {
    const files = new Map<string, Bytes>();
    for (const name of members) files.set(name, await pack.bytes(name));
    pack.rendered.set(zip, deterministicZip(files, buildDate));
  }
}

/** Writes the rendered files and the manifest, unless a file policypack did not write is in the way. */
async function writePack(
  org: Org,
  pack: PackBuild,
  manifest: {
    files: Record<string, string>;
    written: Record<string, string>;
    legacy?: boolean;
    ignored: readonly string[];
  },
  inFolder: ReadonlyMap<string, "file" | "other">,
  present: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): Promise<OrgBuild | undefined> {
  const { dir } = pack;
  const old = manifest.files;
  const written = [...pack.rendered.keys()];
  const inTheWay = written.filter((name) => inFolder.has(name) && !(present.has(name) && Object.hasOwn(old, name)));
  if (inTheWay.length > 0) {
    diagnostics.push(...inTheWay.map((name) => notOurs(dir, name, `nothing was written in ${dir}/`)));
    return undefined;
  }
  // New files are listed before they are written, so a build killed halfway still owns them;
  // "" matches no hash, so the next build writes them again.
  const contents = { ...manifest.written };
  for (const [name, data] of pack.rendered) contents[name] = sha256(data);
  const fresh = written.filter((name) => !Object.hasOwn(old, name));
  if (fresh.length > 0) {
    const files = { ...old, ...Object.fromEntries(fresh.map((name) => [name, ""])) };
    await writeManifest(dir, { version: 1, files, written: contents });
  }
  for (const [name, data] of pack.rendered) await writeFileAtomic(join(dir, name), data);
  const removed: string[] = [];
  for (const name of Object.keys(old).filter((name) => !Object.hasOwn(pack.next, name) && present.has(name))) {
    // Only a regular file that still holds what policypack wrote is removed: a manifest is
    // untrusted, and a file changed since (or one a tampered manifest claims) is someone's. A
    // manifest from before hashes were recorded can only vouch for names policypack gives files.
    const ours = manifest.legacy
      ? isOutputName(name, org.id)
      : (await fileHash(join(dir, name))) === manifest.written[name];
    if (ours) {
      await rm(join(dir, name), { force: true });
      removed.push(name);
    } else diagnostics.push(leftInPlace(dir, name));
  }
  // Files kept from a manifest that recorded no hashes (built before they were) are hashed once.
  for (const name of Object.keys(pack.next)) contents[name] ??= (await fileHash(join(dir, name))) ?? "";
  const next = { version: 1 as const, files: pack.next, written: pick(contents, Object.keys(pack.next)) };
  const sorted = (files: Record<string, string>) => JSON.stringify(Object.entries(files).sort());
  if (
    sorted(next.files) !== sorted(old) ||
    sorted(next.written) !== sorted(manifest.written) ||
    !present.has(MANIFEST) ||
    manifest.ignored.length > 0
  ) {
    await writeManifest(dir, next);
  }
  const built = [...pack.rendered.keys()].sort();
  return {
    org: org.id,
    built,
    skipped: Object.keys(pack.next)
      .filter((name) => !pack.rendered.has(name))
      .sort(),
    removed,
  };
}

/** Every organisation of the library, whether built in this run or not, with its review status. */
function overview(check: CheckResult, buildDate: CalendarDate): string {
  const rows: OverviewRow[] = check.orgs.map((org) =>
    check.buildable.includes(org)
      ? {
          org,
          reviews: packPolicies(org, check.library).map((policy) => ({
            policy,
            review: reviewOf(org, policy, buildDate, check.library.legislation),
          })),
        }
      : { org },
  );
  return renderOverview(rows, buildDate, check.library.theme);
}

/**
 * Writes the overview at the top of the output folder, listed in the top manifest first; only
 * when its content differs, so an unchanged build touches nothing.
 */
async function writeOverview(out: string, top: OutFolder, content: string, diagnostics: Diagnostic[]) {
  const name = "index.html";
  const path = join(out, name);
  if (top.notOurs) {
    diagnostics.push(
      outputError(
        path,
        `${top.notOurs}, so ${path} was not written`,
        `move ${join(out, MANIFEST)} away, then build again`,
      ),
    );
    return;
  }
  if (!(await mayReplace(out, name, top.files))) {
    diagnostics.push(notOurs(out, name, "the overview of every pack was not written"));
    return;
  }
  const hash = sha256(content);
  if (top.files[name] !== hash) await writeManifest(out, { version: 1, files: { ...top.files, [name]: hash } });
  const current = await readFile(path, "utf8").catch(() => undefined);
  if (current !== content) await writeFileAtomic(path, content);
}

/** `<out>/_drafts` is a real folder or absent: never a link that would send previews elsewhere. */
async function draftsFolderIsOurs(out: string, diagnostics: Diagnostic[]): Promise<boolean> {
  const dir = join(out, DRAFTS_FOLDER);
  const kind = await lstat(dir).catch(() => undefined);
  if (!kind || kind.isDirectory()) return true;
  diagnostics.push(
    outputError(
      dir,
      `${dir} is not a folder policypack made (a file or a link is in its place), so no draft was previewed`,
      `move ${dir} out of the output folder, then build --drafts again`,
    ),
  );
  return false;
}

export async function buildPacks(
  check: CheckResult,
  orgs: readonly Org[],
  options: BuildOptions,
): Promise<BuildResult> {
  const result: BuildResult = { packs: [], diagnostics: [] };
  // Chromium starts only when a PDF has to be printed: a no-op rebuild never launches it.
  let engine: Promise<PdfEngine> | undefined;
  const getEngine = () => {
    engine ??= (async () => {
      const browser = findBrowser(options.env);
      if ("error" in browser) throw new EnvironmentError(browser.error);
      const { PdfEngine } = await import("../render/pdf/engine.ts");
      return PdfEngine.launch({
        executablePath: browser.path,
        pages: availableParallelism(),
        timeoutMs: 20_000, // per browser call; a healthy one takes well under a second
        ...(check.library.theme.font ? { fontDirectories: [check.library.theme.font.directory] } : {}),
      }).catch((error: Error) => {
        const reason = error.message.split("\n")[0];
        throw new EnvironmentError(`Chromium (${browser.path}) did not start, twice: ${reason}; ${INSTALL_HINT}`);
      });
    })();
    return engine;
  };
  // A stop closes Chromium at once, so documents still printing fail instead of finishing.
  options.signal?.addEventListener("abort", () => void engine?.then((e) => e.close()).catch(() => {}), { once: true });
  try {
    const top = await claimOutFolder(options.out);
    result.diagnostics.push(...ignoredEntries(options.out, top.ignored));
    if (options.drafts && !(await draftsFolderIsOurs(options.out, result.diagnostics))) return result;
    for (const org of orgs) {
      const pack = await buildPack(org, check, options, getEngine, result.diagnostics);
      if (pack) result.packs.push(pack);
    }
    // Previews change no client's pack, so not the overview either.
    if (!options.drafts) {
      await writeOverview(options.out, top, overview(check, options.buildDate), result.diagnostics);
    }
  } finally {
    await (await engine?.catch(() => undefined))?.close();
  }
  return result;
}
