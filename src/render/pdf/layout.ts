import type { ElementContent } from "hast";
import { h } from "hastscript";
import { ParseSpeeds, PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from "pdf-lib";
import type { PDFOptions } from "puppeteer-core";
import type { CalendarDate, Org } from "../../types.ts";
import { FONT_FAMILY } from "../fonts.ts";
import { toHtml } from "../html/page.ts";

// Page geometry shared by every PDF. Header and footer templates live in the margins.
const MARGIN = { top: "26mm", bottom: "20mm", left: "18mm", right: "18mm" };

/** Print-only CSS added to the HTML page: the running header replaces the on-page one. */
export const PRINT_CSS = `
@page { size: A4; margin: ${MARGIN.top} ${MARGIN.right} ${MARGIN.bottom} ${MARGIN.left}; }
@media print { .org-header, .doc-footer p:first-child, .skip { display: none; } .doc-footer { margin-top: 1.5rem; } }`;

// Header/footer templates are separate tiny documents: inline styles only, no web fonts
// (Chromium finds the project's font through fontconfig), images only as data URIs.
const TEMPLATE_CSS = `<style>
.bar { box-sizing: border-box; width: 100%; margin: 0 ${MARGIN.left}; display: flex; align-items: center; justify-content: space-between;
  gap: 4mm; font-family: "${FONT_FAMILY}"; font-size: 7.5pt; color: #51606d; -webkit-print-color-adjust: exact; }
.top { border-bottom: 0.5pt solid #c9d3db; padding-bottom: 2mm; margin-top: 8mm; }
.bottom { border-top: 0.5pt solid #c9d3db; padding-top: 2mm; margin-bottom: 7mm; }
.org { display: flex; align-items: center; gap: 3mm; font-weight: 600; color: #0f4c5c; font-size: 8.5pt; }
img { max-height: 9mm; max-width: 35mm; }
</style>`;

const template = (children: ElementContent[], className: string) =>
  TEMPLATE_CSS + toHtml({ type: "root", children: [h(`div.bar.${className}`, children)] });

export function headerTemplate(org: Org, right: string): string {
  const name = String(org.data.name);
  return template(
    [h("span.org", [org.logo ? h("img", { src: org.logo.dataUri, alt: "" }) : null, name]), h("span", right)],
    "top",
  );
}

/** Chromium fills the pageNumber and totalPages spans on every page. */
export function footerTemplate(left: string): string {
  return template(
    [h("span", left), h("span", ["Page ", h("span.pageNumber"), " of ", h("span.totalPages")])],
    "bottom",
  );
}

export function pdfOptions(header: string, footer: string): PDFOptions {
  return {
    format: "A4",
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: header,
    footerTemplate: footer,
    margin: MARGIN,
    tagged: true,
    outline: true,
  };
}

export interface PdfProperties {
  /** The texts of the document's headings, to mend the bookmarks Chromium makes of them. */
  headings: string[];
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  date: CalendarDate;
}

/** pdf-lib yields to the event loop every 100 objects by default, which costs more than the parsing. */
export const loadPdf = (pdf: Uint8Array) =>
  PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });

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
 * Chromium drops the space at a heading's line break in its bookmark ("ImproperTreatment"):
 * give each bookmark its heading's real text back.
 */
function mendBookmarks(doc: PDFDocument, headings: string[]): void {
  const byLetters = new Map(headings.map((heading) => [squash(heading), heading]));
  for (const item of bookmarks(doc)) {
    const heading = byLetters.get(squash(bookmarkTitle(item) ?? ""));
    if (heading) item.set(PDFName.of("Title"), PDFHexString.fromText(heading));
  }
}

/** Chromium sets only the title; the rest of the document properties are written here. */
export async function setProperties(pdf: Uint8Array, properties: PdfProperties): Promise<Uint8Array> {
  const doc = await loadPdf(pdf);
  mendBookmarks(doc, properties.headings);
  const date = new Date(Date.UTC(properties.date.year, properties.date.month - 1, properties.date.day));
  doc.setTitle(properties.title, { showInWindowTitleBar: true });
  doc.setAuthor(properties.author);
  doc.setSubject(properties.subject);
  doc.setKeywords(properties.keywords);
  doc.setCreator("policypack");
  doc.setProducer("policypack with Chromium");
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  return doc.save({ useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY });
}
