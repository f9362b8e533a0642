import type { ElementContent, Root } from "hast";
import { h } from "hastscript";
import { PDFContext, type PDFDict, PDFDocument, PDFName, PDFRef } from "pdf-lib";
import { formatLong } from "../../dates/calendar.ts";
import { sha256, sha256Pieces } from "../../hash.ts";
import { labelsFor } from "../../labels/index.ts";
import {
  type CalendarDate,
  DEFAULT_THEME,
  type Language,
  type Org,
  type Policy,
  type PolicyDocument,
  type Theme,
} from "../../types.ts";
import { orgHeader, standalonePage } from "../html/page.ts";
import { orgValue } from "../layout.ts";
import { preparedBy } from "../theme.ts";
import { linkTexts, makeAccessible } from "./accessibility.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import {
  describeDocument,
  loadPdf,
  mendPrint,
  PDF_OPTIONS,
  type PdfProperties,
  printable,
  printCss,
  savePdf,
} from "./layout.ts";
import { rewriteXrefLinks, siblingPdfAction, xrefHref } from "./links.ts";
import { copyPart, type JoinedPlace, newJoinedPlace, type PartPlace, tieParts } from "./merge.ts";
import {
  copyNumberResources,
  type NumberResources,
  type NumberStreams,
  numberForms,
  numberPage,
  numberStreams,
  numbersKey,
  pageNumbers,
  unnumberPages,
} from "./page-numbers.ts";
import { crossReferences, objectReader, writePdfPieces } from "./pdf-file.ts";

const FRONT_CSS = `
.cover { break-after: page; padding-top: 30mm; }
.cover .org-header { display: flex; border: 0; flex-direction: column; align-items: flex-start; gap: 1.5rem; }
.cover .org-header img { max-height: 28mm; max-width: 80mm; }
.cover .org-name { font-size: 2rem; }
.cover h1 { font-size: 2.6rem; margin: 3rem 0 1rem; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.5rem; margin-top: 2rem; }
.cover dt { font-weight: 600; color: var(--muted); }
.cover dd { margin: 0; }
.cover .cover-text { margin-top: 2rem; max-width: 40rem; }
.cover .prepared-by { margin-top: 3rem; display: flex; flex-direction: column; align-items: flex-start; gap: 0.5rem; color: var(--muted); }
.cover .prepared-by img { max-height: 16mm; max-width: 60mm; }
.contents ol { list-style: none; padding: 0; }
.contents li { margin: 0.45rem 0; break-inside: avoid; }
.contents a { display: flex; gap: 0.6rem; color: inherit; text-decoration: none; }
.contents .code { width: 4rem; font-weight: 600; color: var(--accent); }
.contents .fill { flex: 1; border-bottom: 1px dotted var(--rule); margin-bottom: 0.3rem; }
.contents .page { width: 2.5rem; text-align: right; font-variant-numeric: tabular-nums; }
`;

/** A policy going into the manual: its filled-in document and its own PDF, which the manual takes page for page. */
export interface ManualPart {
  doc: PolicyDocument;
  pdf: Uint8Array;
}

export interface ManualPdf extends PdfOutput {
  /** How many times its cover and contents were printed: 1 when the contents took the pages allowed for them. */
  prints: number;
}

/** The cover and the contents, which give the page each policy starts on and link to it. */
function frontPage(
  org: Org,
  policies: readonly Policy[],
  theme: Theme,
  buildDate: CalendarDate,
  starts: number[],
  language: Language,
): Root {
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const consultancy = theme.consultancy;
  const entries = policies.map((policy, i) =>
    h(
      "li",
      h("a", { href: xrefHref(policy) }, [
        h("span.code", policy.code),
        h("span.title", policy.language === language ? {} : { lang: labelsFor(policy.language).tag }, policy.title),
        h("span.fill"),
        h("span.page", String(starts[i])),
      ]),
    ),
  );
  const body: ElementContent[] = [
    h("section.cover", [
      orgHeader(org, "inline", language),
      h("h1", coverTitle(theme, language)),
      h("dl", [
        ...[
          [l.organisation, name],
          [l.registrationNumberCover, String(org.data.registration_no)],
          [l.packDate, formatLong(buildDate, language)],
          [l.policies, String(policies.length)],
        ].flatMap(([term, value]) => [h("dt", term), h("dd", value)]),
      ]),
      coverText(theme, language) ? h("p.cover-text", coverText(theme, language)) : null,
      consultancy
        ? h("div.prepared-by", [
            consultancy.logo ? h("img", { src: consultancy.logo.dataUri, alt: l.logoAlt(consultancy.name) }) : null,
            h("p", preparedBy(theme, l)),
          ])
        : null,
    ]),
    h("nav.contents", { ariaLabelledBy: "contents" }, [h("h1#contents", l.contents), h("ol", entries)]),
  ];
  const css =
    FRONT_CSS +
    printCss(org, theme, {
      headerRight: `${l.registrationNumber}: ${org.data.registration_no}`,
      footerLeft: l.manualFooter(name, formatLong(buildDate, language)),
      language,
    });
  return standalonePage(l.packOf(name), name, css, [h("main", body)], { embedFonts: false, theme, language });
}

/** The cover's heading: the theme's own (its Welsh form in a Welsh manual), else "Policy pack" in the manual's language. */
function coverTitle(theme: Theme, language: Language): string {
  const own = language === "cy" ? theme.cover.titleCy : theme.cover.title;
  return own ?? labelsFor(language).policyPack;
}

const coverText = (theme: Theme, language: Language) => (language === "cy" ? theme.cover.textCy : theme.cover.text);

/**
 * What the manual is joined from besides the policies' PDFs: its printed cover and contents (none
 * when they are the ones in the manual already), a key of what they show, and the page numbers
 * for its length. Plain data: the joining runs on a worker thread (joinManual).
 */
export interface ManualFront {
  front?: Uint8Array;
  source: string;
  numbers: Uint8Array;
  properties: Omit<PdfProperties, "headings">;
  blocked: string[];
  prints: number;
}

/** What the cover and contents show: the same inputs, the same front. */
export interface FrontInputs {
  org: Org;
  policies: readonly Policy[];
  theme: Theme;
  /** How many pages each policy's PDF has. */
  lengths: readonly number[];
  buildDate: CalendarDate;
  language: Language;
}

/**
 * The combined manual: a cover and contents, then every policy's own PDF page for page (its
 * footer, its read-and-sign sheet), numbered "Page N of M" throughout. Only the cover and
 * contents are printed: a policy is printed once, for its own PDF, and a manual rebuilt because
 * one policy changed costs no more printing than that policy. One document, with one structure
 * tree, its bookmarks, and links from the contents and cross-references to where each policy
 * starts.
 */
export async function renderManual(
  org: Org,
  parts: ManualPart[],
  buildDate: CalendarDate,
  engine: PdfEngine,
  language: Language = "en",
): Promise<ManualPdf> {
  const inputs = {
    org,
    policies: parts.map((part) => part.doc.policy),
    theme: parts[0]?.doc.theme ?? DEFAULT_THEME,
    lengths: await Promise.all(parts.map((part) => pageCount(part.pdf))),
    buildDate,
    language,
  };
  const front = await printManualFront(inputs, engine, sha256(JSON.stringify(inputs)));
  const policies = parts.map(({ doc, pdf }) => ({
    slug: doc.policy.slug,
    source: sha256(pdf),
    pdf,
  }));
  const { pieces } = await joinManual(front, policies);
  return { data: Buffer.concat(pieces), blocked: front.blocked, prints: front.prints };
}

/**
 * The manual's cover and contents printed, `source` being a key of `inputs`; not printed again
 * when `printed` says the front of that key is already in the manual, on that many pages.
 */
export async function printManualFront(
  inputs: FrontInputs,
  engine: PdfEngine,
  source: string,
  printed?: { source: string; pages: number },
): Promise<ManualFront> {
  const { org, policies, theme, lengths, buildDate, language } = inputs;
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const properties = {
    title: l.packOf(name),
    author: name,
    subject: l.packSubject(name, policies.length),
    keywords: policies.map((policy) => policy.code),
    date: buildDate,
    language,
  };
  const policyPages = lengths.reduce((a, b) => a + b, 0);
  const numbers = async (frontPages: number) =>
    (await pageNumbers(engine, { theme, language }, frontPages + policyPages)).data;
  if (printed?.source === source) {
    return { source, numbers: await numbers(printed.pages), properties, blocked: [], prints: 0 };
  }
  // A contents page holds about 30 entries, after the cover; printed again if they took more.
  let frontPages = 1 + Math.max(1, Math.ceil(policies.length / 30));
  for (let attempt = 1; ; attempt++) {
    let next = frontPages + 1;
    const starts = lengths.map((length) => {
      next += length;
      return next - length;
    });
    const page = frontPage(org, policies, theme, buildDate, starts, language);
    const output = await engine.render({ html: printable(page), options: PDF_OPTIONS, urgent: true });
    const front = await loadPdf(output.data);
    if (front.getPageCount() !== frontPages) {
      if (attempt === 3) throw new Error(`the manual's contents did not settle: ${front.getPageCount()} pages`);
      frontPages = front.getPageCount();
      continue;
    }
    // Contents entries say which policy they go to; other links what they show.
    const titles = new Map(policies.map((policy) => [xrefHref(policy), l.goTo(`${policy.code} ${policy.title}`)]));
    const texts = linkTexts(page);
    makeAccessible(front, (target) => titles.get(target) ?? texts.get(target) ?? l.linkTo(target));
    mendPrint(front, [coverTitle(theme, language), l.contents]);
    return {
      front: savePdf(front),
      source,
      numbers: await numbers(frontPages),
      properties,
      blocked: output.blocked,
      prints: attempt,
    };
  }
}

/** A policy's part of the manual: what its PDF was made from, and the PDF itself when the join copies it. */
export interface ManualPartSource {
  slug: string;
  /** A key of what the PDF was made from: the same key, the same PDF. */
  source: string;
  pdf?: Uint8Array;
}

/** Where everything of a joined manual is, by object number, to replace its parts later (plain data). */
export interface ManualLayout extends JoinedPlace {
  /** The file's next free object number. */
  size: number;
  root: number;
  info: number;
  /** The document's properties, as JSON: the catalog and info dictionary are kept only while they hold. */
  describes: string;
  numbers: NumberStreams & { total: number; resources: ManualNumberResources };
  /** Each page's drawn number (a form XObject), by part. */
  forms: number[][];
}

export interface JoinedManual {
  /** The file's bytes, in the pieces they were made and copied in (see writePdfPieces). */
  pieces: Uint8Array[];
  layout: ManualLayout;
  /** sha256() of the file. */
  hash: string;
}

/** A manual joined before: its bytes, their layout and the SHA-256 the layout was recorded with. */
export interface PreviousManual {
  data: Uint8Array;
  layout: ManualLayout;
  hash: string;
}

/** The manual's parts: its front, then the policies'. */
function manualParts(front: ManualFront, policies: readonly ManualPartSource[]): ManualPartSource[] {
  const pdf = front.front;
  return [{ slug: "", source: front.source, ...(pdf ? { pdf } : {}) }, ...policies];
}

/**
 * Whether `previous` can be updated into the manual of `front` and `policies` rather than joined
 * again: the same policies in the same order, and the same properties.
 */
export function canUpdate(previous: ManualLayout, front: ManualFront, policies: readonly ManualPartSource[]): boolean {
  const parts = manualParts(front, policies);
  return (
    previous.describes === JSON.stringify(front.properties) &&
    previous.parts.length === parts.length &&
    parts.every((part, i) => i === 0 || previous.parts[i]?.slug === part.slug) &&
    // a layout that records where each part's objects are, as ranges (not one from before it did)
    previous.numbers.resources !== undefined &&
    previous.parts.every((part) => Array.isArray(part.objects) && part.objects.every(Array.isArray))
  );
}

/**
 * The manual: its front, then the policies' own PDFs (pages numbered again), as one document.
 * With `previous` (see canUpdate), an update of it: only the parts whose source changed are
 * copied (only their PDFs need be given), the objects tying the parts together are written anew,
 * and numbers are drawn again only on pages whose number changed; the rest of the old file is
 * copied as it is, without the replaced parts' objects, into a file written whole.
 */
export async function joinManual(
  front: ManualFront,
  policies: readonly ManualPartSource[],
  previous?: PreviousManual,
): Promise<JoinedManual> {
  const parts = manualParts(front, policies);
  const old = previous && canUpdate(previous.layout, front, policies) ? previous : undefined;
  // Hashed here, off the main thread: the layout is of exactly these bytes.
  if (old && sha256(old.data) !== old.hash) throw new Error("the manual is not the file its layout describes");
  let doc: PDFDocument | undefined;
  let context: PDFContext;
  let joined: JoinedPlace;
  let streams: NumberStreams;
  if (old) {
    context = PDFContext.create();
    context.largestObjectNumber = old.layout.size - 1;
    const { size, root, info, describes, numbers, forms, ...place } = old.layout;
    joined = { ...place, parts: [] };
    streams = numbers;
  } else {
    doc = await PDFDocument.create({ updateMetadata: false });
    context = doc.context;
    joined = newJoinedPlace(context, doc.catalog.get(PDFName.of("Pages")) as PDFRef);
    streams = numberStreams(context);
  }
  // Each policy's PDF is read only when its turn comes: a pack's worth at once is hundreds of MB.
  const copied = new Map<number, PDFDict[]>();
  for (const [i, part] of parts.entries()) {
    const was = old?.layout.parts[i];
    if (was?.source === part.source) {
      joined.parts.push(was);
      continue;
    }
    if (!part.pdf) throw new Error(`the manual was not given the PDF of ${part.slug || "its front"}`);
    const pdf = await loadPdf(part.pdf);
    if (i > 0) unnumberPages(pdf);
    const { pdf: _, ...source } = part;
    const { place, pages } = copyPart(pdf, context, joined, i > 0 ? source : { ...source, slug: undefined }, was);
    joined.parts.push(place);
    copied.set(i, pages);
  }
  // Contents entries and cross-references go to the policy's first page (a policy outside the
  // manual, to its PDF beside it).
  const firstPages = new Map(joined.parts.map((part) => [part.slug, part.pages[0]]));
  rewriteXrefLinks([...copied.values()].flat(), (slug) => {
    const first = firstPages.get(slug);
    return first ? context.obj({ S: "GoTo", D: [PDFRef.of(first), "Fit"] }) : siblingPdfAction(context, slug);
  });
  const { forms, resources } = await numberManual(context, front, joined.parts, copied, streams, old?.layout);
  const references = old && crossReferences(old.data);
  const reader = old && references && objectReader(old.data, references, context);
  const oldChain = new Map(
    old?.layout.parts.flatMap((part) => part.bookmarks).map((n, i, all) => [n, `${all[i - 1]} ${all[i + 1]}`]),
  );
  tieParts(
    context,
    joined,
    (n) => (context.lookup(PDFRef.of(n)) ?? reader?.(PDFRef.of(n))) as PDFDict,
    (n, prev, next) => !reader || context.lookup(PDFRef.of(n)) !== undefined || oldChain.get(n) !== `${prev} ${next}`,
  );
  if (doc) {
    doc.catalog.set(PDFName.of("StructTreeRoot"), PDFRef.of(joined.structTreeRoot));
    doc.catalog.set(PDFName.of("MarkInfo"), context.obj({ Marked: true }));
    doc.catalog.set(PDFName.of("Outlines"), PDFRef.of(joined.outlines));
    describeDocument(doc, front.properties);
  }
  const { Root, Info } = doc
    ? context.trailerInfo
    : { Root: PDFRef.of(old?.layout.root ?? 0), Info: PDFRef.of(old?.layout.info ?? 0) };
  const size = context.largestObjectNumber + 1;
  const trailer = context.obj({ Size: size, Root, Info });
  // The replaced parts' objects, their pages' numbers and the numbers' old resources are left out.
  const replaced = [...copied.keys()].flatMap((i) => {
    const was = old?.layout.parts[i];
    return was ? [...was.objects, ...(old?.layout.forms[i] ?? []).map((n) => [n, n + 1] as const)] : [];
  });
  if (old && resources !== old.layout.numbers.resources) replaced.push(old.layout.numbers.resources.objects);
  const pieces = writePdfPieces(
    context,
    trailer,
    old && references && { data: old.data, references, dropped: replaced },
  );
  const total = joined.parts.reduce((n, part) => n + part.pages.length, 0);
  const hash = sha256Pieces();
  for (const piece of pieces) hash.update(piece);
  return {
    pieces,
    hash: hash.digest(),
    layout: {
      ...joined,
      size,
      root: (Root as PDFRef).objectNumber,
      info: (Info as PDFRef).objectNumber,
      describes: JSON.stringify(front.properties),
      numbers: { ...streams, total, resources },
      forms,
    },
  };
}

// The numbers of a length are the same PDF for every manual of that length (and style): parsed
// once by each thread, not once a manual (a 350-page one is most of what updating a manual parses).
const numbersParsed = new Map<string, Promise<PDFDocument>>();

function parsedNumbers(numbers: Uint8Array, key: string): Promise<PDFDocument> {
  let parsed = numbersParsed.get(key);
  if (!parsed) {
    parsed = loadPdf(numbers);
    numbersParsed.set(key, parsed);
    parsed.catch(() => numbersParsed.delete(key));
    for (const old of [...numbersParsed.keys()].slice(0, -4)) numbersParsed.delete(old); // the few lengths in use
  }
  return parsed;
}

/** The number forms' resources in a manual, and which numbers PDF (by its hash) they are of. */
export type ManualNumberResources = NumberResources & { key: string };

/**
 * Draws "Page N of M" on the copied parts' pages, and draws again the numbers of other pages
 * that moved or whose total changed (each in place of its old one). Returns every page's number
 * form, by part, and the resources they draw with: those of the old file when they are of the
 * same numbers PDF, else copied anew (and then every number is drawn anew with them).
 */
async function numberManual(
  context: PDFContext,
  front: ManualFront,
  parts: readonly PartPlace[],
  copied: ReadonlyMap<number, PDFDict[]>,
  streams: NumberStreams,
  old: ManualLayout | undefined,
): Promise<{ forms: number[][]; resources: ManualNumberResources }> {
  const key = numbersKey(front.numbers);
  const numbers = await parsedNumbers(front.numbers, key);
  const kept = old?.numbers.resources.key === key ? old.numbers.resources : undefined;
  const resources = kept ?? { key, ...copyNumberResources(context, numbers) };
  const total = parts.reduce((n, part) => n + part.pages.length, 0);
  const wanted: { part: number; page: number; index: number; at?: number }[] = [];
  let index = 0;
  let oldIndex = 0;
  for (const [i, part] of parts.entries()) {
    for (const page of part.pages.keys()) {
      const at = copied.has(i) ? undefined : old?.forms[i]?.[page];
      const moved = index !== oldIndex || total !== old?.numbers.total || !kept;
      if (at === undefined || moved)
        wanted.push({ part: i, page, index: index + page, ...(at === undefined ? {} : { at }) });
    }
    index += part.pages.length;
    oldIndex += old?.parts[i]?.pages.length ?? 0;
  }
  const forms = parts.map((_, i) => [...(copied.has(i) ? [] : (old?.forms[i] ?? []))]);
  const made = numberForms(
    context,
    numbers,
    resources.ref,
    wanted.map((w) => w.index),
    wanted.map((w) => w.at),
  );
  for (const [k, { part, page }] of wanted.entries()) {
    const form = made[k] as number;
    (forms[part] as number[])[page] = form;
    const pageDict = copied.get(part)?.[page];
    if (pageDict) numberPage(context, pageDict, form, streams);
  }
  return { forms, resources };
}

/**
 * The page count of a PDF this tool wrote (pdf-lib, no object streams), read from its page tree
 * without parsing the whole file (the root counts the most pages); a full parse when that is not
 * found.
 */
export async function pageCount(pdf: Uint8Array): Promise<number> {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("latin1");
  const counts = [...text.matchAll(/<<\s*\/Type \/Pages\s*\/Count (\d+)/g)].map((match) => Number(match[1]));
  return counts.length > 0 ? Math.max(...counts) : (await loadPdf(pdf)).getPageCount();
}
