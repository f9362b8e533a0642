import type { ElementContent } from "hast";
import { h } from "hastscript";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, type PDFRef } from "pdf-lib";
import { formatLong } from "../../dates/calendar.ts";
import type { CalendarDate, Org, Policy } from "../../types.ts";
import { orgHeader, standalonePage, toHtml } from "../html/page.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import { bookmarkTitle, loadPdf, PDF_OPTIONS, printCss, savePdf, setProperties } from "./layout.ts";
import { rewriteXrefLinks, xrefHref } from "./links.ts";

const FRONT_CSS = `
.cover { break-after: page; padding-top: 30mm; }
.cover .org-header { display: flex; border: 0; flex-direction: column; align-items: flex-start; gap: 1.5rem; }
.cover .org-header img { max-height: 28mm; max-width: 80mm; }
.cover .org-name { font-size: 2rem; }
.cover h1 { font-size: 2.6rem; margin: 3rem 0 1rem; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.5rem; margin-top: 2rem; }
.cover dt { font-weight: 600; color: var(--muted); }
.cover dd { margin: 0; }
.contents ol { list-style: none; padding: 0; }
.contents li { margin: 0.45rem 0; break-inside: avoid; }
.contents a { display: flex; gap: 0.6rem; color: inherit; text-decoration: none; }
.contents .code { width: 4rem; font-weight: 600; color: var(--accent); }
.contents .fill { flex: 1; border-bottom: 1px dotted var(--rule); margin-bottom: 0.3rem; }
`;

/** A printed policy, ready to go into the manual. */
export interface ManualPart {
  policy: Policy;
  pdf: Uint8Array;
}

interface LoadedPart {
  policy: Policy;
  source: PDFDocument;
}

function frontHtml(org: Org, parts: LoadedPart[], buildDate: CalendarDate, frontPages: number): string {
  const name = String(org.data.name);
  let page = frontPages + 1;
  const entries = parts.map(({ policy, source }) => {
    const entry = h(
      "li",
      h("a", { href: xrefHref(policy) }, [
        h("span.code", policy.code),
        h("span.title", policy.title),
        h("span.fill"),
        h("span.page", String(page)),
      ]),
    );
    page += source.getPageCount();
    return entry;
  });
  const body: ElementContent[] = [
    h("section.cover", [
      orgHeader(org),
      h("h1", "Policy pack"),
      h("dl", [
        ...[
          ["Organisation", name],
          ["Registration number", String(org.data.registration_no)],
          ["Pack date", formatLong(buildDate)],
          ["Policies", String(parts.length)],
        ].flatMap(([term, value]) => [h("dt", term), h("dd", value)]),
      ]),
    ]),
    h("nav.contents", [h("h1", "Contents"), h("ol", entries)]),
  ];
  const css =
    FRONT_CSS +
    printCss(org, { headerRight: "Policy pack", footerLeft: `${name} · policy pack of ${formatLong(buildDate)}` });
  return toHtml(standalonePage(`Policy pack – ${name}`, name, css, [h("main", body)], { embedFonts: false }));
}

interface Bookmark {
  title: string;
  page: PDFRef;
  children: Bookmark[];
}

/** A PDF's bookmarks as a tree, with their pages mapped through `pageRef`. */
function readBookmarks(doc: PDFDocument, pageRef: (index: number) => PDFRef): Bookmark[] {
  const index = new Map(doc.getPages().map((page, i) => [page.ref.toString(), i]));
  const read = (first: PDFDict | undefined): Bookmark[] => {
    const out: Bookmark[] = [];
    for (let item = first; item; item = item.lookupMaybe(PDFName.of("Next"), PDFDict)) {
      const target = item.lookupMaybe(PDFName.of("Dest"), PDFArray)?.get(0);
      out.push({
        title: bookmarkTitle(item) ?? "",
        page: pageRef(index.get(String(target)) ?? 0),
        children: read(item.lookupMaybe(PDFName.of("First"), PDFDict)),
      });
    }
    return out;
  };
  return read(doc.catalog.lookupMaybe(PDFName.of("Outlines"), PDFDict)?.lookupMaybe(PDFName.of("First"), PDFDict));
}

/** Writes `bookmarks` as the document's outline, open at the top level. */
function writeBookmarks(doc: PDFDocument, bookmarks: Bookmark[]): void {
  const { context } = doc;
  const write = (items: Bookmark[], parent: PDFRef): { first: PDFRef; last: PDFRef; count: number } | undefined => {
    const refs = items.map(() => context.nextRef());
    let count = 0;
    items.forEach((item, i) => {
      const dict = context.obj({ Title: PDFHexString.fromText(item.title), Parent: parent, Dest: [item.page, "Fit"] });
      if (i > 0) dict.set(PDFName.of("Prev"), refs[i - 1] as PDFRef);
      if (i < items.length - 1) dict.set(PDFName.of("Next"), refs[i + 1] as PDFRef);
      const children = write(item.children, refs[i] as PDFRef);
      if (children) {
        dict.set(PDFName.of("First"), children.first);
        dict.set(PDFName.of("Last"), children.last);
        dict.set(PDFName.of("Count"), context.obj(-children.count)); // negative: closed
      }
      context.assign(refs[i] as PDFRef, dict);
      count++;
    });
    return refs.length > 0 ? { first: refs[0] as PDFRef, last: refs.at(-1) as PDFRef, count } : undefined;
  };
  const root = context.nextRef();
  const top = write(bookmarks, root);
  context.assign(
    root,
    context.obj({ Type: "Outlines", ...(top ? { First: top.first, Last: top.last, Count: top.count } : {}) }),
  );
  doc.catalog.set(PDFName.of("Outlines"), root);
  doc.catalog.set(PDFName.of("PageMode"), PDFName.of("UseOutlines"));
}

/**
 * The combined manual: a cover, contents with the page each policy starts on, then every policy's
 * own PDF, so each keeps its footer (code, version, review date, its pages). Bookmarks for each
 * policy and its sections; cross-references jump to the cited policy's first page. Assembling
 * printed policies instead of printing one long document is what keeps a 60-policy pack fast.
 */
export async function renderManual(
  org: Org,
  printed: ManualPart[],
  buildDate: CalendarDate,
  engine: PdfEngine,
): Promise<PdfOutput> {
  const name = String(org.data.name);
  const options = PDF_OPTIONS;
  const parts = await Promise.all(printed.map(async ({ policy, pdf }) => ({ policy, source: await loadPdf(pdf) })));
  // The contents' page numbers depend on how many pages the cover and contents take: guess, then check.
  let frontPages = 2;
  let front = await engine.render({ html: frontHtml(org, parts, buildDate, frontPages), options });
  let frontPdf = await loadPdf(front.data);
  if (frontPdf.getPageCount() !== frontPages) {
    frontPages = frontPdf.getPageCount();
    front = await engine.render({ html: frontHtml(org, parts, buildDate, frontPages), options });
    frontPdf = await loadPdf(front.data);
  }

  const manual = await PDFDocument.create();
  const frontCopies = await manual.copyPages(frontPdf, frontPdf.getPageIndices());
  for (const page of frontCopies) manual.addPage(page);
  const bookmarks: Bookmark[] = [
    { title: "Policy pack", page: (frontCopies[0] as (typeof frontCopies)[0]).ref, children: [] },
    { title: "Contents", page: (frontCopies[1] ?? frontCopies[0])?.ref as PDFRef, children: [] },
  ];
  const starts = new Map<string, PDFRef>();
  for (const { policy, source } of parts) {
    const copies = await manual.copyPages(source, source.getPageIndices());
    for (const page of copies) manual.addPage(page);
    starts.set(policy.slug, (copies[0] as (typeof copies)[0]).ref);
    bookmarks.push(...readBookmarks(source, (i) => (copies[i] ?? copies[0])?.ref as PDFRef));
  }
  rewriteXrefLinks(manual, (slug) => {
    const start = starts.get(slug);
    return start ? manual.context.obj({ S: "GoTo", D: [start, "Fit"] }) : undefined;
  });
  writeBookmarks(manual, bookmarks);
  setProperties(manual, {
    headings: [],
    title: `Policy pack – ${name}`,
    author: name,
    subject: `Policy pack of ${name}, ${parts.length} policies`,
    keywords: parts.map((part) => part.policy.code),
    date: buildDate,
  });
  return { data: await savePdf(manual), blocked: front.blocked };
}
