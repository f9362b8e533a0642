import type { Element, Root } from "hast";
import {
  ParseSpeeds,
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFObject,
  PDFString,
} from "pdf-lib";
import type { PDFOptions } from "puppeteer-core";
import { labelsFor } from "../../labels/index.ts";
import type { CalendarDate, Language, Org, Theme } from "../../types.ts";
import { toHtml } from "../html/page.ts";
import { orgValue } from "../layout.ts";
import { fontFamily } from "../theme.ts";
import { setXmp } from "./accessibility.ts";
import { readPdf, writePdf } from "./pdf-file.ts";

/** A CSS string literal: an org value can never end the string, the rule or the <style> element. */
export function cssString(text: string): string {
  return `"${text
    .replace(/[\\"]/g, "\\$&")
    .replace(/[\n\r\f]/g, " ")
    .replace(/</g, "\\3c ")}"`;
}

/** The logo scaled into the header's box, keeping its proportions, as an image CSS can place. */
function headerLogo(org: Org): string | undefined {
  if (!org.logo) return undefined;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="34"><image href="${org.logo.dataUri}" width="132" height="34" preserveAspectRatio="xMinYMid meet"/></svg>`;
  return `url("data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}")`;
}

export interface RunningText {
  /** Right of the header, e.g. the registration number. */
  headerRight: string;
  /** Left of the footer, e.g. code, version and next review date. */
  footerLeft: string;
  /** Printed at the top of every page and across it, e.g. "DRAFT — not for use". */
  watermark?: string;
  /** The language of the document: "Page X of Y" and the organisation's name in it. */
  language: Language;
}

/** A faint diagonal word across the page: an image, so it is drawn, not read as text. */
function watermarkImage(word: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="850" viewBox="0 0 600 850"><text x="300" y="425" transform="rotate(-55 300 425)" text-anchor="middle" dominant-baseline="middle" font-family="sans-serif" font-weight="700" font-size="${Math.round(950 / word.length)}" fill="#8a1c1c" fill-opacity="0.07">${word}</text></svg>`;
  return `url("data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}")`;
}

const PAGE_BOX = "size: A4; margin: 26mm 18mm 20mm;";
const boxText = (theme: Theme) =>
  `font-family: ${cssString(fontFamily(theme))}; font-size: 7.5pt; color: ${theme.colours.muted};`;
// The footer's boxes have their own line height (as the page's root gives it: the pages of
// numbers have no such root), and the number's box a fixed width whatever the footer's left
// holds, so that a number drawn in afterwards (numberPages) sits where Chromium would print it.
const bottomBox = (theme: Theme, rule: string) =>
  `${boxText(theme)} line-height: 1.5; vertical-align: top; padding-top: 2mm; border-top: 0.5pt solid ${rule};`;
const NUMBER_BOX = "width: 32mm; text-align: right;";

/**
 * Print CSS for every PDF: A4, the running header (logo, organisation) and footer as CSS
 * page-margin boxes, so Chromium lays them out with the document instead of rendering a header
 * and footer template for every page; and the on-page header hidden, since the running one
 * replaces it. The footer's right box is left empty: "Page X of Y" is drawn into it afterwards
 * (numberPages). Values from the organisation go in as escaped CSS strings.
 */
export function printCss(org: Org, theme: Theme, text: RunningText): string {
  const { rule, accent } = theme.colours;
  const top = `${boxText(theme)} vertical-align: bottom; padding-bottom: 2mm; border-bottom: 0.5pt solid ${rule};`;
  const bottom = bottomBox(theme, rule);
  const logo = headerLogo(org);
  const labels = labelsFor(text.language);
  const name = cssString(orgValue(org, "name", text.language));
  return `
@page {
  ${PAGE_BOX}
  @top-left { content: ${logo ? `${logo} "  " ` : ""}${name}; ${top} font-weight: 600; font-size: 8.5pt; color: ${accent}; }
  @top-right { content: ${cssString(text.headerRight)}; ${top} }
  @bottom-left { content: ${cssString(text.footerLeft)}; ${bottom} }
  @bottom-right { content: ""; ${bottom} ${NUMBER_BOX} }${
    text.watermark
      ? `\n  @top-center { content: ${cssString(text.watermark)}; ${top} font-weight: 700; font-size: 9pt; color: #8a1c1c; }`
      : ""
  }
}${
    // A fixed box is printed on every page.
    text.watermark
      ? `\nbody::before { content: ""; position: fixed; inset: 0; z-index: 10; background: ${watermarkImage(labels.watermark)} center / contain no-repeat; }`
      : ""
  }
@media print { .org-header, .doc-footer p:first-child, .skip { display: none; } .doc-footer { margin-top: 1.5rem; } }
/* A line that introduces a list ("This means:") stays on the page of the list's first item. */
p:has(+ ul, + ol) { break-after: avoid; }`;
}

/**
 * Pages that show nothing but "Page X of `total`", in the footer's right box of printCss, at the
 * same place and in the same type: what numberPages draws onto printed pages.
 */
export function pageNumbersCss(theme: Theme, language: Language, total: number): string {
  const [page, of] = labelsFor(language).pageOf.map(cssString);
  // A transparent rule, so the number sits where the ruled box puts it.
  const bottom = bottomBox(theme, "transparent");
  return `@page { ${PAGE_BOX} @bottom-right { content: ${page} counter(page) ${of} "${total}"; ${bottom} ${NUMBER_BOX} } }
body { margin: 0; } div { break-after: page; height: 1px; }`;
}

/**
 * The page as Chromium prints it: without its Content-Security-Policy meta. The engine reuses a
 * page for many documents, and a CSP set by one document's meta outlives setContent(): its
 * hash-pinned style-src then blocks the next document's styles (no running header, no print CSS).
 * The printing browser runs no script and blocks every request anyway.
 */
export function printable(tree: Root): string {
  withoutCsp(tree); // the tree is each caller's own, built for this print
  return toHtml(tree);
}

function withoutCsp(node: Root | Element): void {
  node.children = node.children.filter(
    (child) =>
      !(child.type === "element" && String(child.properties.httpEquiv).toLowerCase() === "content-security-policy"),
  ) as typeof node.children;
  for (const child of node.children) if (child.type === "element") withoutCsp(child);
}

export const PDF_OPTIONS: PDFOptions = {
  format: "A4",
  printBackground: true,
  preferCSSPageSize: true,
  tagged: true,
  outline: true,
};

export interface PdfProperties {
  /** The texts of the document's headings, to mend the bookmarks Chromium makes of them. */
  headings: string[];
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  date: CalendarDate;
  language: Language;
}

/**
 * The document, read at once (readPdf) when it is a file as Chromium and writePdf make them, else
 * by pdf-lib, told not to yield to the event loop every 100 objects, which costs more than the parsing.
 */
export async function loadPdf(pdf: Uint8Array): Promise<PDFDocument> {
  const kept = lastSaved.get(pdf);
  if (kept) {
    lastSaved.delete(pdf);
    return kept;
  }
  const context = readPdf(pdf);
  if (!context) return PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  // What PDFDocument.load does with the context its parser made (its constructor is private).
  const Document = PDFDocument as unknown as new (
    context: PDFContext,
    ignoreEncryption: boolean,
    updateMetadata: boolean,
  ) => PDFDocument;
  return new Document(context, false, false);
}

const decode = (value: unknown) =>
  value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
export const squash = (text: string) => text.replace(/\s+/g, "");

/** Every bookmark of the outline, depth first. */
export function* bookmarks(doc: PDFDocument): Generator<PDFDict> {
  function* walk(first: PDFDict | undefined): Generator<PDFDict> {
    for (let item = first; item; item = item.lookupMaybe(PDFName.of("Next"), PDFDict)) {
      yield item;
      yield* walk(item.lookupMaybe(PDFName.of("First"), PDFDict));
    }
  }
  yield* walk(doc.catalog.lookupMaybe(PDFName.of("Outlines"), PDFDict)?.lookupMaybe(PDFName.of("First"), PDFDict));
}

export const bookmarkTitle = (item: PDFDict) => decode(item.lookup(PDFName.of("Title")));

/**
 * Chromium drops the space at a heading's line break in its bookmark ("ImproperTreatment"), and
 * names a heading that follows a forced page break twice ("ContentsContents", the manual's
 * contents after its cover): give each bookmark its heading's real text back.
 */
function mendBookmarks(doc: PDFDocument, headings: string[]): void {
  const byLetters = new Map(headings.map((heading) => [squash(heading), heading]));
  for (const item of bookmarks(doc)) {
    const letters = squash(bookmarkTitle(item) ?? "");
    const half = letters.slice(0, letters.length / 2);
    const heading = byLetters.get(letters) ?? (letters === half + half ? byLetters.get(half) : undefined);
    if (heading) item.set(PDFName.of("Title"), PDFHexString.fromText(heading));
  }
}

const NODE_ID = /^node\d{8}$/;

/**
 * Chromium names tagged elements after DOM node numbers, which grow with every document a page
 * has printed: renumber them from 1, in the same order, so the same policy gives the same bytes.
 * Order is kept, so the ID name tree stays sorted.
 */
function renumberNodeIds(doc: PDFDocument): void {
  const found = new Set<string>();
  const objects = doc.context.enumerateIndirectObjects().map(([, object]) => object);
  for (const object of objects) visitNodeIds(object, found);
  const renumbered = new Map([...found].sort().map((id, i) => [id, `node${String(i + 1).padStart(8, "0")}`]));
  for (const object of objects) visitNodeIds(object, found, renumbered);
}

// Module-level rather than closures made per call: V8 optimises a closure made anew for each
// document again and again (see README, Benchmarks).
/** Collects the node ids under `object` in `found`, or with `replace` gives each its new name. */
function visitNodeIds(object: PDFObject, found: Set<string>, replace?: Map<string, string>): void {
  if (object instanceof PDFDict) {
    for (const [key, value] of object.entries()) {
      const to = nodeIdIn(value, found, replace);
      if (to) object.set(key, to);
    }
  } else if (object instanceof PDFArray) {
    const values = object.asArray();
    for (let i = 0; i < values.length; i++) {
      const to = nodeIdIn(values[i] as PDFObject, found, replace);
      if (to) object.set(i, to);
    }
  }
}

/** A node id's replacement (or, collecting, undefined); anything else is visited in turn. */
function nodeIdIn(value: PDFObject, found: Set<string>, replace?: Map<string, string>): PDFString | undefined {
  if (!(value instanceof PDFString && NODE_ID.test(value.asString()))) visitNodeIds(value, found, replace);
  else if (replace) return PDFString.of(replace.get(value.asString()) as string);
  else found.add(value.asString());
  return undefined;
}

const CREATOR = "policypack";
const PRODUCER = "policypack with Chromium";

/** What Chromium printed made right: bookmarks that say their headings, ids that do not depend on the page's past. */
export function mendPrint(doc: PDFDocument, headings: string[]): void {
  mendBookmarks(doc, headings);
  renumberNodeIds(doc);
}

/** A printed document mended (mendPrint) and given its properties. */
export function setProperties(doc: PDFDocument, properties: PdfProperties): void {
  mendPrint(doc, properties.headings);
  describeDocument(doc, properties);
}

/** Chromium sets only the title; the rest of the document properties are written here. */
export function describeDocument(doc: PDFDocument, properties: Omit<PdfProperties, "headings">): void {
  const date = new Date(Date.UTC(properties.date.year, properties.date.month - 1, properties.date.day));
  doc.setTitle(properties.title, { showInWindowTitleBar: true });
  doc.setAuthor(properties.author);
  doc.setSubject(properties.subject);
  doc.setKeywords(properties.keywords);
  doc.setCreator(CREATOR);
  doc.setProducer(PRODUCER);
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  setXmp(doc, {
    title: properties.title,
    author: properties.author,
    subject: properties.subject,
    keywords: properties.keywords,
    creator: CREATOR,
    producer: PRODUCER,
    date: date.toISOString().replace(".000Z", "Z"),
    language: labelsFor(properties.language).tag,
  });
}

/**
 * The document's bytes, written by writePdf rather than pdf-lib's save(), whose closures made per
 * call V8 compiled again for each document (see README, Benchmarks). Nothing here embeds fonts or
 * pages, which save() would have flushed first.
 */
export function savePdf(doc: PDFDocument): Uint8Array {
  const { context } = doc;
  const { Root, Info, ID } = context.trailerInfo;
  const bytes = writePdf(
    context,
    context.obj({ Size: context.largestObjectNumber + 1, Root, ...(Info ? { Info } : {}), ...(ID ? { ID } : {}) }),
  );
  lastSaved.set(bytes, doc);
  for (const old of [...lastSaved.keys()].slice(0, -KEEP_SAVED)) lastSaved.delete(old);
  return bytes;
}

/**
 * The documents saved last, by the bytes saved: a policy's PDF is copied into its manual soon
 * after it is saved, on the same thread, and loadPdf hands out the document (once) instead of
 * parsing the bytes again. Only the last few: each holds thousands of objects.
 */
const lastSaved = new Map<Uint8Array, PDFDocument>();
const KEEP_SAVED = 4;
