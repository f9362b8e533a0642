import type { Element, ElementContent, Root } from "hast";
import { h } from "hastscript";
import { PDFArray, PDFDict, type PDFDocument, PDFName, type PDFObject, PDFRef } from "pdf-lib";
import { formatLong } from "../../dates/calendar.ts";
import { labelsFor } from "../../labels/index.ts";
import {
  type CalendarDate,
  DEFAULT_THEME,
  type Language,
  type Org,
  type PolicyDocument,
  type Theme,
} from "../../types.ts";
import { orgHeader, policyArticle, readAndSignSheet, standalonePage } from "../html/page.ts";
import { copyrightLine, footerLine, orgValue, signSheetAfter } from "../layout.ts";
import { preparedBy } from "../theme.ts";
import { linkTexts, makeAccessible } from "./accessibility.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import { cssString, loadPdf, PDF_OPTIONS, printable, printCss, savePdf, setProperties } from "./layout.ts";
import { isXrefHref, xrefHref } from "./links.ts";
import { headingTexts } from "./policy.ts";

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
/* A fixed width, so the numbers of the second print cannot move anything from where the first put it. */
.contents .page { width: 2.5rem; text-align: right; font-variant-numeric: tabular-nums; }
.manual-policy { break-before: page; }
`;

/** A policy going into the manual, with the page count of its own PDF (where the next one starts). */
export interface ManualPart {
  doc: PolicyDocument;
  pages: number;
}

export interface ManualPdf extends PdfOutput {
  /** How many times it was printed: 1 when the policies' own PDFs placed the contents right. */
  prints: number;
}

/** The id of a policy's title in the manual: what the contents and cross-references link to. */
const titleId = (slug: string) => `${slug}--title`;

/**
 * A policy's article made fit to share one page with the others: its ids (footnotes, the title)
 * prefixed with its slug so they stay unique, and cross-references pointed at the cited title.
 */
function manualArticle(doc: PolicyDocument): Element {
  const prefix = `${doc.policy.slug}--`;
  const article = policyArticle(doc, xrefHref, "title");
  const prefixIds = (value: unknown) =>
    typeof value === "string"
      ? value
          .split(" ")
          .map((id) => prefix + id)
          .join(" ")
      : undefined;
  const visit = (node: ElementContent) => {
    if (node.type !== "element") return;
    const props = node.properties;
    for (const key of ["id", "ariaLabelledBy", "ariaDescribedBy"]) {
      if (typeof props[key] === "string") props[key] = prefixIds(props[key]);
    }
    const href = props.href;
    if (typeof href === "string" && href.startsWith("#")) props.href = `#${prefix}${href.slice(1)}`;
    if (typeof href === "string" && isXrefHref(href)) props.href = `#${titleId(href.slice(href.lastIndexOf("/") + 1))}`;
    for (const child of node.children) visit(child);
  };
  visit(article);
  return article;
}

function manualPage(
  org: Org,
  parts: ManualPart[],
  buildDate: CalendarDate,
  starts: number[],
  language: Language,
): Root {
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const theme = parts[0]?.doc.theme ?? DEFAULT_THEME;
  const consultancy = theme.consultancy;
  const entries = parts.map(({ doc: { policy } }, i) =>
    h(
      "li",
      h("a", { href: `#${titleId(policy.slug)}` }, [
        h("span.code", policy.code),
        h("span.title", policy.language === language ? {} : { lang: labelsFor(policy.language).tag }, policy.title),
        h("span.fill"),
        h("span.page", String(starts[i])),
      ]),
    ),
  );
  // Each policy prints on pages of its own name, which carry its own footer (code, version, review).
  const policies = parts.map(({ doc }, i) =>
    h(`div.manual-policy.p${i + 1}`, [
      manualArticle(doc),
      h("footer.doc-footer", [h("p", `${doc.policy.title} · ${footerLine(doc)}`), h("p", copyrightLine(doc))]),
      // As in the policy's own PDF, so the contents' page numbers hold.
      signSheetAfter(doc) ? readAndSignSheet(doc, `${doc.policy.slug}--read-and-sign`) : null,
    ]),
  );
  const namedPages = parts
    .map(
      ({ doc }, i) =>
        `.p${i + 1} { page: p${i + 1}; }\n@page p${i + 1} { @bottom-left { content: ${cssString(footerLine(doc))}; } }`,
    )
    .join("\n");
  const body: ElementContent[] = [
    h("section.cover", [
      orgHeader(org, "inline", language),
      h("h1", coverTitle(theme, language)),
      h("dl", [
        ...[
          [l.organisation, name],
          [l.registrationNumberCover, String(org.data.registration_no)],
          [l.packDate, formatLong(buildDate, language)],
          [l.policies, String(parts.length)],
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
    ...policies,
  ];
  const css =
    FRONT_CSS +
    printCss(org, theme, {
      headerRight: `${l.registrationNumber}: ${org.data.registration_no}`,
      footerLeft: l.manualFooter(name, formatLong(buildDate, language)),
      language,
    }) +
    namedPages;
  return standalonePage(l.packOf(name), name, css, [h("main", body)], { embedFonts: false, theme, language });
}

/** The cover's heading: the theme's own (its Welsh form in a Welsh manual), else "Policy pack" in the manual's language. */
function coverTitle(theme: Theme, language: Language): string {
  const own = language === "cy" ? theme.cover.titleCy : theme.cover.title;
  return own ?? labelsFor(language).policyPack;
}

const coverText = (theme: Theme, language: Language) => (language === "cy" ? theme.cover.textCy : theme.cover.text);

/** The page (from 1) each named destination of the document points at. */
function destinationPages(doc: PDFDocument): Map<string, number> {
  const pageOf = new Map(doc.getPages().map((page, i) => [page.ref.toString(), i + 1]));
  const dests = doc.catalog.lookupMaybe(PDFName.of("Dests"), PDFDict);
  const out = new Map<string, number>();
  for (const [key, value] of dests?.entries() ?? []) {
    const dest: PDFObject | undefined = value instanceof PDFRef ? doc.context.lookup(value) : value;
    const page = dest instanceof PDFArray ? dest.get(0) : undefined;
    if (page) out.set(key.decodeText(), pageOf.get(page.toString()) ?? 0);
  }
  return out;
}

/**
 * The combined manual, printed as one document: a cover, contents, then every policy on pages of
 * its own (its own footer), numbered "Page N of M" throughout. Chromium cannot print a link's
 * target page (no target-counter()), so the contents are printed with the pages each policy would
 * start on from its own PDF's length, read back from the printed manual, and printed again in the
 * rare case they differ. One document gives one structure tree, bookmarks and internal links.
 */
export async function renderManual(
  org: Org,
  parts: ManualPart[],
  buildDate: CalendarDate,
  engine: PdfEngine,
  language: Language = "en",
): Promise<ManualPdf> {
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const theme = parts[0]?.doc.theme ?? DEFAULT_THEME;
  // A contents page holds about 30 entries, after the cover.
  const front = 1 + Math.max(1, Math.ceil(parts.length / 30));
  let starts = parts.map((_, i) => front + 1 + parts.slice(0, i).reduce((sum, part) => sum + part.pages, 0));
  for (let attempt = 1; ; attempt++) {
    const page = manualPage(org, parts, buildDate, starts, language);
    const output = await engine.render({ html: printable(page), options: PDF_OPTIONS });
    const pdf = await loadPdf(output.data);
    const printed = destinationPages(pdf);
    const actual = parts.map(({ doc }) => printed.get(titleId(doc.policy.slug)) ?? 0);
    if (actual.some((page, i) => page !== starts[i])) {
      if (attempt === 3) throw new Error(`the manual's contents did not settle: ${actual.join(", ")}`);
      starts = actual;
      continue;
    }
    // Contents entries and cross-references say which policy they go to; other links what they show.
    const titles = new Map(
      parts.map(({ doc: { policy } }) => [`#${titleId(policy.slug)}`, l.goTo(`${policy.code} ${policy.title}`)]),
    );
    const texts = linkTexts(page);
    makeAccessible(pdf, (target) => titles.get(target) ?? texts.get(target) ?? l.linkTo(target));
    setProperties(pdf, {
      headings: [coverTitle(theme, language), l.contents, ...parts.flatMap(({ doc }) => headingTexts(doc))],
      title: l.packOf(name),
      author: name,
      subject: l.packSubject(name, parts.length),
      keywords: parts.map(({ doc }) => doc.policy.code),
      date: buildDate,
      language,
    });
    return { data: await savePdf(pdf), blocked: output.blocked, prints: attempt };
  }
}

/**
 * The page count of a PDF this tool wrote (pdf-lib, no object streams), read from its page tree
 * without parsing the whole file; a full parse when that is not found.
 */
export async function pageCount(pdf: Uint8Array): Promise<number> {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("latin1");
  const match = /<<\s*\/Type \/Pages\s*\/Count (\d+)/.exec(text);
  return match ? Number(match[1]) : (await loadPdf(pdf)).getPageCount();
}
