import type { ElementContent } from "hast";
import { h } from "hastscript";
import { PDFArray, PDFName, PDFRef } from "pdf-lib";
import { formatLong } from "../../dates/calendar.ts";
import type { CalendarDate, Org, PolicyDocument } from "../../types.ts";
import { orgHeader, policyArticle, standalonePage, toHtml } from "../html/page.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import {
  bookmarks,
  bookmarkTitle,
  footerTemplate,
  headerTemplate,
  loadPdf,
  PRINT_CSS,
  pdfOptions,
  setProperties,
  squash,
} from "./layout.ts";
import { headingTexts } from "./policy.ts";

const MANUAL_CSS = `${PRINT_CSS}
.cover { break-after: page; padding-top: 30mm; }
.cover .org-header { display: flex; border: 0; flex-direction: column; align-items: flex-start; gap: 1.5rem; }
.cover .org-header img { max-height: 28mm; max-width: 80mm; }
.cover .org-name { font-size: 2rem; }
.cover h1 { font-size: 2.6rem; margin: 3rem 0 1rem; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.5rem; margin-top: 2rem; }
.cover dt { font-weight: 600; color: var(--muted); }
.cover dd { margin: 0; }
.contents { break-after: page; }
.contents ol { list-style: none; padding: 0; }
.contents li { margin: 0.45rem 0; }
.contents a { display: flex; gap: 0.6rem; color: inherit; text-decoration: none; }
.contents .code { width: 4rem; font-weight: 600; color: var(--accent); }
.contents .fill { flex: 1; border-bottom: 1px dotted var(--rule); margin-bottom: 0.3rem; }
.manual-policy { break-before: page; }
`;

function manualHtml(
  org: Org,
  docs: PolicyDocument[],
  buildDate: CalendarDate,
  pages: ReadonlyMap<string, number>,
): string {
  const name = String(org.data.name);
  const cover = h("section.cover", [
    orgHeader(org),
    h("h1", "Policy pack"),
    h("dl", [
      h("dt", "Organisation"),
      h("dd", name),
      h("dt", "Registration number"),
      h("dd", String(org.data.registration_no)),
      h("dt", "Pack date"),
      h("dd", formatLong(buildDate)),
      h("dt", "Policies"),
      h("dd", String(docs.length)),
    ]),
  ]);
  const contents = h("nav.contents", [
    h("h1#contents", "Contents"),
    h(
      "ol",
      docs.map((doc) =>
        h(
          "li",
          h("a", { href: `#${doc.policy.code}` }, [
            h("span.code", doc.policy.code),
            h("span.title", doc.policy.title),
            h("span.fill"),
            h("span.page", String(pages.get(doc.policy.code) ?? "00")),
          ]),
        ),
      ),
    ),
  ]);
  const policies: ElementContent[] = docs.map((doc) =>
    h(`section.manual-policy#${doc.policy.code}`, [
      policyArticle(doc, (xref) => `#${xref.code}`, `title-${doc.policy.code}`),
    ]),
  );
  return toHtml(
    standalonePage(`Policy pack – ${name}`, name, MANUAL_CSS, [h("main", [cover, contents, ...policies])], {
      embedFonts: false,
    }),
  );
}

/** The page (1-based) of each bookmark, by its text without spaces (see mendBookmarks). */
async function bookmarkPages(pdf: Uint8Array): Promise<Map<string, number>> {
  const doc = await loadPdf(pdf);
  const pageIndex = new Map(doc.getPages().map((page, i) => [page.ref.toString(), i + 1]));
  const pages = new Map<string, number>();
  for (const item of bookmarks(doc)) {
    const page = item.lookupMaybe(PDFName.of("Dest"), PDFArray)?.get(0);
    const title = bookmarkTitle(item);
    if (title && page instanceof PDFRef) pages.set(squash(title), pageIndex.get(page.toString()) ?? 0);
  }
  return pages;
}

/**
 * The combined manual: cover, contents with page numbers, every policy, one bookmark each,
 * cross-references as links inside the document. The contents' page numbers come from a
 * first print; a second print fills them in (a third only if that moved anything).
 */
export async function renderManual(
  org: Org,
  docs: PolicyDocument[],
  buildDate: CalendarDate,
  engine: PdfEngine,
): Promise<PdfOutput> {
  const name = String(org.data.name);
  const options = pdfOptions(
    headerTemplate(org, "Policy pack"),
    footerTemplate(`${name} · policy pack of ${formatLong(buildDate)}`),
  );
  let pages = new Map<string, number>();
  let output: PdfOutput | undefined;
  for (let pass = 0; pass < 3; pass++) {
    output = await engine.render({ html: manualHtml(org, docs, buildDate, pages), options });
    const byTitle = await bookmarkPages(output.data);
    const found = new Map(docs.map((doc) => [doc.policy.code, byTitle.get(squash(doc.policy.title)) ?? 0]));
    if (docs.every((doc) => pages.get(doc.policy.code) === found.get(doc.policy.code))) break;
    pages = found;
  }
  const data = await setProperties((output as PdfOutput).data, {
    headings: ["Policy pack", "Contents", ...docs.flatMap(headingTexts)],
    title: `Policy pack – ${name}`,
    author: name,
    subject: `Policy pack of ${name}, ${docs.length} policies`,
    keywords: docs.map((doc) => doc.policy.code),
    date: buildDate,
  });
  return { data, blocked: (output as PdfOutput).blocked };
}
