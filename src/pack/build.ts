import { lstat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { CheckResult } from "../check/index.ts";
import { EnvironmentError } from "../check/index.ts";
import { draftPolicies, editionPolicies, editions, missingFields, packPolicies } from "../check/orgs.ts";
import { formatIso } from "../dates/calendar.ts";
import { reviewOf } from "../dates/review.ts";
import type { OverviewRow } from "../render/html/pack-page.ts";
import { findBrowser, INSTALL_HINT } from "../render/pdf/browser.ts";
import type { PdfEngine } from "../render/pdf/engine.ts";
import { toolFingerprint } from "../tool-fingerprint.ts";
import type { CalendarDate, Diagnostic, Org, Policy } from "../types.ts";
import { claimOutFolder } from "../write/output-folder.ts";
import { assemblePack } from "./assemble.ts";
import { sha256, themeHash } from "./fingerprint.ts";
import { draftsFolderIsOurs, openPackFolder, writeOverview, writePack } from "./folder.ts";
import { inFlight, settled } from "./in-flight.ts";
import { type BuildOptions, type BuildResult, DRAFTS_FOLDER, type OrgBuild } from "./options.ts";
import { packEditions, planPolicyFiles, planSharedFiles } from "./plan.ts";
import { type DocumentPool, documentPool } from "./pool.ts";
import { ignoredEntries } from "./problems.ts";
import { printPdfs, renderDocuments } from "./render.ts";

export {
  type BuildOptions,
  type BuildResult,
  DRAFTS_FOLDER,
  FORMATS,
  type Format,
  type OrgBuild,
} from "./options.ts";

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
 * Builds one org's pack: plans what is stale, renders it, assembles the manual, pack page and
 * zip, then writes what changed (unchanged outputs are not touched). A preview (build --drafts)
 * is the org's drafts alone, with no pack page, manual or zip.
 */
async function buildPack(
  org: Org,
  check: CheckResult,
  options: BuildOptions,
  engine: () => Promise<PdfEngine>,
  pool: DocumentPool,
  diagnostics: Diagnostic[],
  /**
   * Told how much the pack has left to render: once planned, its files (its manual and zip count
   * one); once its web pages and Word files are made, its PDFs; once those are printed, one.
   */
  weigh: (documents: number) => void = () => {},
): Promise<OrgBuild | undefined> {
  const preview = Boolean(options.drafts);
  const dir = preview ? join(options.out, DRAFTS_FOLDER, org.id) : join(options.out, org.id);
  // A preview is of English drafts; a pack is in each language the org asks for, Welsh first.
  const languages = preview
    ? [{ language: "en" as const, policies: previewPolicies(org, check) }]
    : editions(org).map((language) => ({ language, policies: editionPolicies(org, check.library, language) }));
  const policies = [...new Set(languages.flatMap((l) => l.policies))];
  // No folder for an org with nothing to preview, but an old preview is emptied.
  if (preview && policies.length === 0 && !(await lstat(dir).catch(() => undefined))) return undefined;
  const pack = await openPackFolder(dir, org.file, Boolean(options.force), diagnostics);
  if (!pack) return undefined;

  // 1. Plan: which files are stale.
  const { editions: packEditionList, items, docOf, fillIn } = packEditions(org, languages, check, options.buildDate);
  const jobs = planPolicyFiles(items, pack, options);
  await planSharedFiles(org, policies, check, pack, preview);
  weigh(jobs.length + 1);

  // 2. Render them: web pages and Word files on the pool's threads while Chromium prints.
  let done = 0;
  const progress = () => options.onProgress?.({ org: org.id, done: ++done, total: jobs.length });
  const step = { orgFile: org.file, pack, jobs, docOf, fillIn, pool, engine, options, progress, diagnostics };
  // Once its web pages and Word files are made, the pack weighs only its PDFs, which Chromium
  // prints: the next pack may start rendering meanwhile; once printed, only its manual and zip.
  const printing = jobs.filter((job) => job.format === "pdf").length;
  await settled([renderDocuments(step).then(() => weigh(printing + 1)), printPdfs(step)]);
  weigh(1);

  try {
    // 3. Assemble the manual, pack page and zip.
    if (!preview) {
      await assemblePack({
        org,
        editions: packEditionList,
        pack,
        options,
        engine,
        pool,
        docOf,
        theme: check.library.theme,
        diagnostics,
      });
    } else options.signal?.throwIfAborted(); // as assemblePack does before its pack page and zip

    // 4. Write and record.
    return await writePack(org, pack, diagnostics);
  } finally {
    await pack.settle(); // a manual written for a pack that was not
  }
}

/** How many policy files the packs under way may render together, per thread, beyond one pack a thread. */
const DOCUMENTS_IN_FLIGHT = 30;

/**
 * One thread per CPU when the build may have enough to render or join to repay starting them (a
 * thread loads the renderers anew: about as long as 30 Word files or 100 web pages take), else one.
 * Only what is stale is rendered, so this is the most there could be. A build that prints leaves
 * one CPU to Chromium, whose page pool prints on every CPU: on 2 cores a second thread made a full
 * build of 60 policies x 6 organisations no faster (84.3 and 92.3 s against 88.7 and 93.3 s) and
 * doubled its peak (910 and 1012 MiB against 492 and 511), and one policy changed at 50
 * organisations took as long (20.9 and 24.6 s against 20.1 and 24.0 s; 2026-12-02).
 */
function defaultJobs(check: CheckResult, orgs: readonly Org[], options: BuildOptions): number {
  const most = orgs.length * check.library.policies.length;
  const printing = options.formats.includes("pdf");
  // Joining a manual takes about as long as 30 Word files.
  const manuals = printing && !options.drafts ? 120 * orgs.length : 0;
  const work =
    (options.formats.includes("docx") ? 4 * most : 0) + (options.formats.includes("html") ? most : 0) + manuals;
  return work >= 400 ? Math.max(1, availableParallelism() - (printing ? 1 : 0)) : 1;
}

/**
 * Every organisation of the library, whether built in this run or not, with its review status:
 * the overview page's rows, and the key of what the page shows (it is rendered only when that
 * changed).
 */
function overview(check: CheckResult, buildDate: CalendarDate): { key: string; render: () => Promise<string> } {
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
  const { theme } = check.library;
  const shown = rows.map(({ org, reviews }) => [
    org.id,
    org.data.name,
    reviews?.map(({ policy, review }) => [policy.code, review]),
  ]);
  return {
    key: sha256(toolFingerprint(), formatIso(buildDate), themeHash(theme), JSON.stringify(shown)),
    render: async () => (await import("../render/html/pack-page.ts")).renderOverview(rows, buildDate, theme),
  };
}

export async function buildPacks(
  check: CheckResult,
  orgs: readonly Org[],
  options: BuildOptions,
): Promise<BuildResult> {
  const result: BuildResult = { packs: [], diagnostics: [] };
  const jobs = options.jobs ?? defaultJobs(check, orgs, options);
  const pool = documentPool(jobs, { printing: options.formats.includes("pdf") });
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
    // Packs overlap, so that no thread waits while a pack's policies print or its manual and zip
    // are made: as many as there are threads, and more while those under way have little left to
    // render (a pack whose web pages and Word files are made waits on Chromium for its PDFs, then
    // on its manual and zip; after one policy changed, each pack renders only three files). Each
    // pack in flight holds what it rendered until it is written: a whole pack is tens of MB, so
    // big packs go no more than one a thread. Results are kept in the order of the orgs.
    const packs: (OrgBuild | undefined)[] = [];
    const found: Diagnostic[][] = orgs.map(() => []);
    try {
      await inFlight(orgs, jobs, DOCUMENTS_IN_FLIGHT * jobs, async (org, i, weigh) => {
        packs[i] = await buildPack(org, check, options, getEngine, pool, found[i] as Diagnostic[], weigh);
      });
    } finally {
      result.diagnostics.push(...found.flat());
    }
    result.packs.push(...packs.filter((pack) => pack !== undefined));
    // Previews change no client's pack, so not the overview either.
    if (!options.drafts) {
      await writeOverview(options.out, top, overview(check, options.buildDate), result.diagnostics);
    }
  } finally {
    await (await engine?.catch(() => undefined))?.close();
    await pool.close();
  }
  return result;
}
