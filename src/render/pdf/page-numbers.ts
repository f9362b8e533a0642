// "Page X of Y" is drawn onto a printed PDF afterwards instead of printed with it, so that a
// policy's own PDF can go into the manual page for page, numbered there again, without being
// printed a second time.
import {
  beginMarkedContent,
  drawObject,
  endMarkedContent,
  PDFArray,
  PDFDict,
  type PDFDocument,
  type PDFEmbeddedPage,
  PDFName,
  type PDFObject,
  type PDFOperator,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
} from "pdf-lib";
import type { Language, Theme } from "../../types.ts";
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
      .render({ html, options: { preferCSSPageSize: true, tagged: false, outline: false } })
      .then(async ({ data }) => ({ data, doc: await loadPdf(data) }));
    printed.set(css, numbers);
    numbers.catch(() => printed.delete(css)); // a failed print is tried again by the next document
  }
  return numbers;
}

/**
 * The page's own XObject dictionary (its resources copied onto it first): resources may be
 * shared between pages, and each page draws its own number.
 */
function ownXObjects(page: PDFPage): PDFDict {
  const { context } = page.doc;
  const resources = (page.node.lookupMaybe(PDFName.of("Resources"), PDFDict) ?? context.obj({})).clone(context);
  const xobjects = (resources.lookupMaybe(PDFName.of("XObject"), PDFDict) ?? context.obj({})).clone(context);
  resources.set(PDFName.of("XObject"), xobjects);
  page.node.set(PDFName.of("Resources"), resources);
  return xobjects;
}

const contentsOf = (page: PDFPage): PDFObject[] => {
  const contents = page.node.get(PDFName.of("Contents"));
  const list = contents && page.doc.context.lookup(contents);
  return list instanceof PDFArray ? list.asArray() : contents ? [contents] : [];
};

/**
 * Draws "Page X of Y" on every page (Y its page count) as an artifact, in the footer's right box
 * that printCss leaves empty.
 */
export async function numberPages(doc: PDFDocument, engine: PdfEngine, style: NumberStyle): Promise<void> {
  await drawPageNumbers(doc, (await pageNumbers(engine, style, doc.getPageCount())).doc);
}

/** Draws each page of `numbers` (see pageNumbers) onto the same page of `doc`, as an artifact. */
export async function drawPageNumbers(doc: PDFDocument, numbers: PDFDocument): Promise<void> {
  const pages = doc.getPages();
  const drawn = await doc.embedPages(numbers.getPages());
  const { context } = doc;
  const stream = (...operators: PDFOperator[]) => context.register(context.contentStream(operators));
  // The page's own content runs inside q … Q, so that none of its graphics state reaches the number.
  const save = stream(pushGraphicsState());
  const restore = stream(popGraphicsState());
  const draw = stream(
    beginMarkedContent("Artifact"),
    pushGraphicsState(),
    drawObject(NUMBER),
    popGraphicsState(),
    endMarkedContent(),
  );
  for (const [i, page] of pages.entries()) {
    page.node.set(PDFName.of("Contents"), context.obj([save, ...contentsOf(page), restore, draw]));
    ownXObjects(page).set(NUMBER, (drawn[i] as PDFEmbeddedPage).ref);
  }
}

/** Takes off what numberPages drew, leaving the pages as printed: to be numbered as part of another document. */
export function unnumberPages(doc: PDFDocument): void {
  for (const page of doc.getPages()) {
    const xobjects = ownXObjects(page);
    if (!xobjects.has(NUMBER)) continue;
    xobjects.delete(NUMBER);
    page.node.set(PDFName.of("Contents"), doc.context.obj(contentsOf(page).slice(1, -2)));
  }
}
