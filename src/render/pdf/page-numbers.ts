// "Page X of Y" is drawn onto a printed PDF afterwards instead of printed with it, so that a
// policy's own PDF can go into the manual page for page, numbered there again, without being
// printed a second time.
import {
  beginMarkedContent,
  drawObject,
  endMarkedContent,
  PDFArray,
  type PDFContext,
  PDFDict,
  type PDFDocument,
  PDFName,
  type PDFObject,
  type PDFOperator,
  PDFRawStream,
  PDFRef,
  popGraphicsState,
  pushGraphicsState,
} from "pdf-lib";
import { sha256 } from "../../hash.ts";
import type { Language, Theme } from "../../types.ts";
import { ObjectCopier } from "./copy.ts";
import type { PdfEngine } from "./engine.ts";
import { loadPdf, pageNumbersCss } from "./layout.ts";

/** The resource name of the drawn number on every page. */
const NUMBER = PDFName.of("PolicypackPageNumber");

export interface NumberStyle {
  theme: Theme;
  language: Language;
}

/** Pages showing nothing but "Page X of `total`", printed (and parsed) once. */
export interface PageNumbers {
  data: Uint8Array;
  doc: PDFDocument;
}

// Printed once per engine for each style and length: every policy of a length shares them, and
// every manual of one.
const printedNumbers = new WeakMap<PdfEngine, Map<string, Promise<PageNumbers>>>();

export function pageNumbers(engine: PdfEngine, { theme, language }: NumberStyle, total: number): Promise<PageNumbers> {
  const css = pageNumbersCss(theme, language, total);
  const printed = printedNumbers.get(engine) ?? new Map<string, Promise<PageNumbers>>();
  printedNumbers.set(engine, printed);
  let numbers = printed.get(css);
  if (!numbers) {
    const html = `<!doctype html><html><head><style>${css}</style></head><body>${"<div></div>".repeat(total)}</body></html>`;
    numbers = engine
      .render({ html, options: { preferCSSPageSize: true, tagged: false, outline: false }, urgent: true })
      .then(async ({ data }) => ({ data, doc: await loadPdf(data) }));
    printed.set(css, numbers);
    numbers.catch(() => printed.delete(css)); // a failed print is tried again by the next document
  }
  return numbers;
}

/**
 * A key of what a numbers PDF (see pageNumbers) draws: the hash of its bytes without the dates
 * Chromium stamps on every print, the only bytes in which two prints of the same numbers differ.
 * A manual keeps the numbers it has while the key holds: keyed by the bytes as printed, every
 * update of a manual drew all its numbers again (351 pages at 50 × 60, for one policy changed).
 */
export function numbersKey(numbers: Uint8Array): string {
  const text = Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength).toString("latin1");
  return sha256(text.replace(PRINT_DATES, "/$1 ()"));
}

const PRINT_DATES = /\/(CreationDate|ModDate) \(D:[^)]*\)/g;

/**
 * The page's own XObject dictionary (its resources copied onto it first): resources may be
 * shared between pages, and each page draws its own number.
 */
function ownXObjects(context: PDFContext, page: PDFDict): PDFDict {
  const resources = (page.lookupMaybe(PDFName.of("Resources"), PDFDict) ?? context.obj({})).clone(context);
  const xobjects = (resources.lookupMaybe(PDFName.of("XObject"), PDFDict) ?? context.obj({})).clone(context);
  resources.set(PDFName.of("XObject"), xobjects);
  page.set(PDFName.of("Resources"), resources);
  return xobjects;
}

const contentsOf = (context: PDFContext, page: PDFDict): PDFObject[] => {
  const contents = page.get(PDFName.of("Contents"));
  const list = contents && context.lookup(contents);
  return list instanceof PDFArray ? list.asArray() : contents ? [contents] : [];
};

/**
 * Draws "Page X of Y" on every page (Y its page count) as an artifact, in the footer's right box
 * that printCss leaves empty.
 */
export async function numberPages(doc: PDFDocument, engine: PdfEngine, style: NumberStyle): Promise<void> {
  const numbers = (await pageNumbers(engine, style, doc.getPageCount())).doc;
  const pages = doc.getPages();
  const { ref } = copyNumberResources(doc.context, numbers);
  const forms = numberForms(
    doc.context,
    numbers,
    ref,
    pages.map((_, i) => i),
  );
  const streams = numberStreams(doc.context);
  for (const [i, page] of pages.entries()) numberPage(doc.context, page.node, forms[i] as number, streams);
}

/** What every numbered page draws besides its number: its own content in q … Q, then the number, as an artifact. */
export interface NumberStreams {
  save: number;
  restore: number;
  draw: number;
}

export function numberStreams(context: PDFContext): NumberStreams {
  const stream = (...operators: PDFOperator[]) => context.register(context.contentStream(operators)).objectNumber;
  // The page's own content runs inside q … Q, so that none of its graphics state reaches the number.
  return {
    save: stream(pushGraphicsState()),
    restore: stream(popGraphicsState()),
    draw: stream(
      beginMarkedContent("Artifact"),
      pushGraphicsState(),
      drawObject(NUMBER),
      popGraphicsState(),
      endMarkedContent(),
    ),
  };
}

/** Where the resources the number forms draw with (the numbers' font) are in a document. */
export interface NumberResources {
  ref: number;
  /** The object numbers their copy was given, [from, to). */
  objects: readonly [number, number];
}

const sharedResources = new WeakMap<PDFDocument, PDFDict>();

/** The resources every page of `numbers` draws with: Chromium prints each page of a document with the same. */
function resourcesOf(numbers: PDFDocument): PDFDict {
  let shared = sharedResources.get(numbers);
  if (!shared) {
    const [first, ...others] = numbers.getPages().map((page) => page.node.Resources());
    if (!first || others.some((resources) => resources?.toString() !== first.toString())) {
      throw new Error("the pages of numbers do not share their resources");
    }
    shared = first;
    sharedResources.set(numbers, shared);
  }
  return shared;
}

/** The resources of the pages of `numbers` (see pageNumbers) copied into `context`, once for all its pages. */
export function copyNumberResources(context: PDFContext, numbers: PDFDocument): NumberResources {
  const from = context.largestObjectNumber + 1;
  const ref = context.register(new ObjectCopier(numbers.context, context).copy(resourcesOf(numbers))).objectNumber;
  return { ref, objects: [from, context.largestObjectNumber + 1] };
}

/**
 * The pages `indexes` of `numbers` as form XObjects in `context` drawing with `resources` (see
 * copyNumberResources), by object number: each at `at[i]` when given (a number drawn anew where
 * the old one was), else a new object. A form is its page's content stream, still compressed.
 */
export function numberForms(
  context: PDFContext,
  numbers: PDFDocument,
  resources: number,
  indexes: readonly number[],
  at: readonly (number | undefined)[] = [],
): number[] {
  // A loop rather than a callback made per call: V8 optimises such a closure again for every manual.
  const forms: number[] = [];
  for (const [i, index] of indexes.entries()) {
    const page = numbers.getPage(index).node;
    const [content, ...more] = contentsOf(numbers.context, page).map((ref) => numbers.context.lookup(ref));
    if (!(content instanceof PDFRawStream) || more.length > 0) {
      throw new Error(`page ${index + 1} of numbers is not one content stream`);
    }
    const form = PDFRawStream.of(
      context.obj({ Type: "XObject", Subtype: "Form", FormType: 1, BBox: page.MediaBox().clone(context) }),
      content.contents,
    );
    form.dict.set(PDFName.of("Resources"), PDFRef.of(resources));
    for (const key of [PDFName.of("Filter"), PDFName.of("DecodeParms")]) {
      const value = content.dict.get(key);
      if (value) form.dict.set(key, value.clone(context));
    }
    const ref = at[i] === undefined ? context.nextRef() : PDFRef.of(at[i]);
    context.assign(ref, form);
    forms.push(ref.objectNumber);
  }
  return forms;
}

/** Makes `page` draw the form `form` (its number) after its own content. */
export function numberPage(context: PDFContext, page: PDFDict, form: number, streams: NumberStreams): void {
  const ref = PDFRef.of;
  page.set(
    PDFName.of("Contents"),
    context.obj([ref(streams.save), ...contentsOf(context, page), ref(streams.restore), ref(streams.draw)]),
  );
  ownXObjects(context, page).set(NUMBER, ref(form));
}

/** Takes off what numberPages drew, leaving the pages as printed: to be numbered as part of another document. */
export function unnumberPages(doc: PDFDocument): void {
  for (const page of doc.getPages()) {
    const xobjects = ownXObjects(doc.context, page.node);
    if (!xobjects.has(NUMBER)) continue;
    xobjects.delete(NUMBER);
    page.node.set(PDFName.of("Contents"), doc.context.obj(contentsOf(doc.context, page.node).slice(1, -2)));
  }
}
