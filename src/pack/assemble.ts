// Step 3 of a client pack's build: what it has besides its policies' files — the manual, the
// read-and-sign sheets, the pack page and the zip — each rebuilt only when what it holds changed.
import { join } from "node:path";
import { CACHE_DIR, FileCache, jsonCache } from "../cache.ts";
import { formatIso } from "../dates/calendar.ts";
import type { PackEntry } from "../render/html/pack-page.ts";
import { wantsReadAndSign } from "../render/layout.ts";
import type { PdfEngine } from "../render/pdf/engine.ts";
import type { ManualLayout, ManualPartSource } from "../render/pdf/manual.ts";
import { toolFingerprint } from "../tool-fingerprint.ts";
import type { Diagnostic, Language, Org, PolicyDocument, Theme } from "../types.ts";
import { isSystemError, temporaryBeside } from "../write/atomic.ts";
import type { ZipIndex } from "../write/zip.ts";
import { sha256, themeHash } from "./fingerprint.ts";
import type { PackBuild } from "./folder.ts";
import { type BuildOptions, isLinked } from "./options.ts";
import { type Edition, type Item, policyFiles } from "./plan.ts";
import type { DocumentPool } from "./pool.ts";
import { pdfFailure } from "./problems.ts";
import type { JoinTask } from "./worker.ts";

const manualRenderer = () => import("../render/pdf/manual.ts");
// The pack page, like every renderer, is loaded only when a page is rendered: a rebuild with
// nothing to render loads none of them.
const packPageRenderer = () => import("../render/html/pack-page.ts");
const signSheetsRenderer = () => import("../render/pdf/sign-sheets.ts");

export interface AssembleStep {
  org: Org;
  editions: readonly Edition[];
  pack: PackBuild;
  options: BuildOptions;
  engine: () => Promise<PdfEngine>;
  pool: DocumentPool;
  docOf: (item: Item) => Promise<PolicyDocument>;
  theme: Theme;
  diagnostics: Diagnostic[];
}

/** A Welsh file's name says so before its extension: DCW38-….cy.pdf, <org>-policy-pack.cy.pdf. */
const suffix = (language: Language) => (language === "en" ? "" : `.${language}`);
export const manualName = (org: Org, language: Language = "en") => `${org.id}-policy-pack${suffix(language)}.pdf`;
export const signSheetsName = (org: Org, language: Language = "en") => `${org.id}-read-and-sign${suffix(language)}.pdf`;
export const zipName = (org: Org) => `${org.id}-policy-pack.zip`;

/**
 * What only a client pack has: in each of its languages the manual, the sign sheets and the pack
 * page; and one zip of everything.
 */
export async function assemblePack(step: AssembleStep): Promise<void> {
  for (const edition of step.editions) {
    await assembleManual(step, edition);
    await assembleSignSheets(step, edition);
  }
  // Past this point the pack is written whole, manifest included: a stop waits for it.
  step.options.signal?.throwIfAborted();
  for (const edition of step.editions) await assemblePackPage(step, edition);
  assembleZip(step);
}

/**
 * The combined manual, made only with every policy's PDF in hand: it is made of them. When only
 * some of its policies changed, the manual as last written is updated (see joinManual): only the
 * changed policies' PDFs are read, and the cover and contents are printed only if they changed.
 */
async function assembleManual(step: AssembleStep, { language, items }: Edition) {
  const { org, pack, options, engine, pool, theme, diagnostics } = step;
  const { buildDate } = options;
  const manual = manualName(org, language);
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
      const { canUpdate, pageCount, printManualFront } = await manualRenderer();
      const previous = options.force ? undefined : previousManual(pack, manual);
      const policies = await manualPolicies(pack, items, previous?.layout);
      const lengths = await Promise.all(
        policies.map((part, i) =>
          part.pdf ? pageCount(part.pdf) : (previous?.layout.parts[i + 1]?.pages.length ?? 0),
        ),
      );
      const inputs = { org, policies: items.map((item) => item.policy), theme, lengths, buildDate, language };
      const frontSource = sha256(
        toolFingerprint(),
        JSON.stringify([org.data, inputs.policies.map((p) => [p.code, p.title, p.slug, p.language]), lengths]),
        org.logo?.dataUri ?? "",
        formatIso(buildDate),
        language,
        themeHash(theme),
      );
      const printed = previous?.layout.parts[0];
      let front = await printManualFront(
        inputs,
        await engine(),
        frontSource,
        printed && { source: printed.source, pages: printed.pages.length },
      );
      // Joining is CPU work for a second or two: on the pool, so that packs' manuals join side by
      // side; the join writes the manual beside its place, for writePack to rename. An update
      // that fails (a layout that does not fit the file) is a join from scratch.
      const path = join(pack.dir, manual);
      let temporary = temporaryBeside(path);
      let joined =
        previous && canUpdate(previous.layout, front, policies)
          ? await pool.joinManual({ front, policies, previous, path: temporary }).catch(() => undefined)
          : undefined;
      if (!joined) {
        if (!front.front) front = await printManualFront(inputs, await engine(), frontSource);
        for (const [i, part] of policies.entries()) part.pdf ??= (await pack.bytes(pdfs[i] as string)) as Uint8Array;
        temporary = temporaryBeside(path);
        joined = await pool.joinManual({ front, policies, path: temporary });
      }
      pack.place(manual, temporary, joined.hash);
      manualLayouts.set(joined.hash, joined.layout);
    } catch (error) {
      pack.drop(manual);
      // Writing it failed (a full disk): reported as any file that could not be written is.
      if (isSystemError(error)) throw Object.assign(error, { path: join(pack.dir, manual) });
      diagnostics.push(pdfFailure(org.file, [manual], error));
    }
  }
}

/**
 * The manual's policies, each with a key of what its PDF is made of (its inputs' hash), and the
 * PDF itself unless the manual `previous` holds that PDF already.
 */
function manualPolicies(
  pack: PackBuild,
  items: readonly Item[],
  previous: ManualLayout | undefined,
): Promise<ManualPartSource[]> {
  const held = previous?.parts.slice(1);
  return Promise.all(
    items.map(async ({ policy: { slug } }, i) => {
      const name = `${slug}.pdf`;
      const source = pack.next[name] as string;
      const was = held?.[i];
      if (was?.slug === slug && was.source === source) return { slug, source };
      return { slug, source, pdf: (await pack.bytes(name)) as Uint8Array };
    }),
  );
}

/** Where the parts of each manual written are, by the hash of its bytes (see joinManual). */
const manualLayouts = jsonCache(
  new FileCache(join(CACHE_DIR, "manuals"), 2000),
  "manual-layout",
  (value): value is ManualLayout =>
    typeof value === "object" && value !== null && Array.isArray((value as ManualLayout).parts),
);

/**
 * The manual in the folder with its layout, when the layout of what policypack wrote there is
 * known (the join reads the file, and checks that it still holds it).
 */
function previousManual(pack: PackBuild, name: string): JoinTask["previous"] {
  const hash = pack.manifest.written[name];
  const layout = hash && pack.present.has(name) ? manualLayouts.get(hash) : undefined;
  return hash && layout ? { file: join(pack.dir, name), layout, hash } : undefined;
}

/** Every policy's read-and-sign sheet in one file, for an org that asks for them. */
async function assembleSignSheets(
  { org, pack, options, engine, docOf, theme, diagnostics }: AssembleStep,
  { language, items }: Edition,
) {
  const { buildDate } = options;
  const sheets = signSheetsName(org, language);
  if (!wantsReadAndSign(org) || items.length === 0) return;
  // A sheet shows its policy's code, title, version and newest history entries, not its text:
  // a changed sentence does not print every sheet of the pack again.
  const shown = items.map(({ policy: p }) => [
    p.code,
    p.title,
    p.slug,
    p.version,
    p.status,
    p.language,
    p.history.slice(0, 2),
  ]);
  const sheetsHash = sha256(
    toolFingerprint(),
    sheets,
    formatIso(buildDate),
    JSON.stringify(org.data),
    org.logo?.dataUri ?? "",
    themeHash(theme),
    JSON.stringify(shown),
  );
  if (!options.formats.includes("pdf")) pack.keepIfFresh(sheets, sheetsHash);
  else if (pack.wants(sheets, sheetsHash)) {
    try {
      const { renderSignSheets } = await signSheetsRenderer();
      pack.rendered.set(
        sheets,
        (await renderSignSheets(org, await Promise.all(items.map(docOf)), buildDate, await engine(), language)).data,
      );
    } catch (error) {
      pack.drop(sheets);
      diagnostics.push(pdfFailure(org.file, [sheets], error));
    }
  }
}

/** The pack page, keyed by what it shows, so an unchanged pack does not even render it. */
async function assemblePackPage({ org, editions, pack, options, theme }: AssembleStep, edition: Edition) {
  const { buildDate } = options;
  const { language, items } = edition;
  // PDFs rendered on request (serve --watch) are linked all the same.
  const pdfLinked = isLinked(options, "pdf");
  const manual = manualName(org, language);
  const sheets = signSheetsName(org, language);
  const filesOf = (item: Item) => policyFiles(item.policy.slug, pack, options);
  const entries: PackEntry[] = items.map((item) => ({
    policy: item.policy,
    review: item.review,
    files: filesOf(item),
    ...(item.other ? { other: { policy: item.other.policy, files: filesOf(item.other) } } : {}),
  }));
  const otherEdition = editions.find((e) => e !== edition);
  const packEdition = {
    language,
    ...(otherEdition ? { other: { language: otherEdition.language, index: otherEdition.index } } : {}),
  };
  const downloads = {
    ...(pack.next[manual] || pdfLinked ? { manual } : {}),
    ...(pack.next[sheets] || (pdfLinked && wantsReadAndSign(org) && items.length > 0) ? { signSheets: sheets } : {}),
    zip: zipName(org),
  };
  const pageInputs = entries.map((e) => [
    e.policy.code,
    e.policy.title,
    e.policy.version,
    e.policy.slug,
    e.review,
    e.files,
    e.other?.policy.title,
    e.other?.files,
  ]);
  const pageHash = sha256(
    toolFingerprint(),
    formatIso(buildDate),
    JSON.stringify([org.data, pageInputs, downloads, packEdition, { ...theme, font: theme.font?.family }]),
    org.logo?.dataUri ?? "",
  );
  if (pack.wants(edition.index, pageHash)) {
    const { renderPackPage } = await packPageRenderer();
    pack.rendered.set(edition.index, renderPackPage(org, entries, downloads, buildDate, theme, packEdition));
  }
}

/**
 * The zip, keyed by its members' own hashes: made once they are written, from the files, on the
 * pool's thread (reading, summing and hashing a pack's tens of MB there, never held whole). The
 * members unchanged since the zip was last written are copied from it (see writeDeterministicZip).
 */
function assembleZip({ org, pack, options, pool }: AssembleStep) {
  const { buildDate } = options;
  const zip = zipName(org);
  const names = Object.keys(pack.next).sort();
  if (pack.wants(zip, sha256(formatIso(buildDate), ...names.flatMap((name) => [name, pack.next[name] as string])))) {
    const hash = pack.manifest.written[zip];
    const index = !options.force && hash && pack.present.has(zip) ? zipIndexes.get(hash) : undefined;
    const previous = index && { file: join(pack.dir, zip), index };
    pack.madeLast.set(zip, async (path, written) => {
      const members = names.map((name) => ({ name, file: join(pack.dir, name), sha: written[name] ?? "" }));
      const made = await pool.writeZip({ path, members, buildDate, ...(previous ? { previous } : {}) });
      zipIndexes.set(made.hash, made.index);
      return made.hash;
    });
  }
}

/** Where the members of each zip written are, by the hash of its bytes (see writeDeterministicZip). */
const zipIndexes = jsonCache(
  new FileCache(join(CACHE_DIR, "zips"), 2000),
  "zip-index",
  (value): value is ZipIndex =>
    typeof value === "object" &&
    value !== null &&
    Number.isSafeInteger((value as ZipIndex).length) &&
    Array.isArray((value as ZipIndex).members) &&
    (value as ZipIndex).members.every(
      (m) =>
        typeof m.name === "string" && typeof m.sha === "string" && [m.crc, m.size, m.at].every(Number.isSafeInteger),
    ),
);
