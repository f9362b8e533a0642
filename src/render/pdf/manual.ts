import type { ElementContent, Root } from "hast";
import { h } from "hastscript";
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
import { concatenate } from "./merge.ts";
import { drawPageNumbers, pageNumbers, unnumberPages } from "./page-numbers.ts";

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
  docs: PolicyDocument[],
  buildDate: CalendarDate,
  starts: number[],
  language: Language,
): Root {
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const theme = docs[0]?.theme ?? DEFAULT_THEME;
  const consultancy = theme.consultancy;
  const entries = docs.map(({ policy }, i) =>
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
          [l.policies, String(docs.length)],
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
 * What the manual is joined from besides the policies' PDFs: its printed cover and contents, the
 * page numbers for its length, and where each policy starts. Plain data: the joining runs on a
 * worker thread (joinManual).
 */
export interface ManualFront {
  front: Uint8Array;
  numbers: Uint8Array;
  /** The page (from 1) each policy starts on, and its slug, in order. */
  starts: { slug: string; page: number }[];
  properties: Omit<PdfProperties, "headings">;
  blocked: string[];
  prints: number;
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
  const pdfs = parts.map((part) => part.pdf);
  const front = await printManualFront(
    org,
    parts.map((part) => part.doc),
    pdfs,
    buildDate,
    engine,
    language,
  );
  return { data: await joinManual(front, pdfs), blocked: front.blocked, prints: front.prints };
}

/** The manual's cover and contents printed, for the policies' PDFs `pdfs`. */
export async function printManualFront(
  org: Org,
  docs: PolicyDocument[],
  pdfs: Uint8Array[],
  buildDate: CalendarDate,
  engine: PdfEngine,
  language: Language,
): Promise<ManualFront> {
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const theme = docs[0]?.theme ?? DEFAULT_THEME;
  const lengths = await Promise.all(pdfs.map(pageCount));
  // A contents page holds about 30 entries, after the cover; printed again if they took more.
  let frontPages = 1 + Math.max(1, Math.ceil(docs.length / 30));
  for (let attempt = 1; ; attempt++) {
    let next = frontPages + 1;
    const starts = lengths.map((length) => {
      next += length;
      return next - length;
    });
    const page = frontPage(org, docs, buildDate, starts, language);
    const output = await engine.render({ html: printable(page), options: PDF_OPTIONS });
    const front = await loadPdf(output.data);
    if (front.getPageCount() !== frontPages) {
      if (attempt === 3) throw new Error(`the manual's contents did not settle: ${front.getPageCount()} pages`);
      frontPages = front.getPageCount();
      continue;
    }
    // Contents entries say which policy they go to; other links what they show.
    const titles = new Map(docs.map(({ policy }) => [xrefHref(policy), l.goTo(`${policy.code} ${policy.title}`)]));
    const texts = linkTexts(page);
    makeAccessible(front, (target) => titles.get(target) ?? texts.get(target) ?? l.linkTo(target));
    mendPrint(front, [coverTitle(theme, language), l.contents]);
    return {
      front: await savePdf(front),
      numbers: (await pageNumbers(engine, { theme, language }, next - 1)).data,
      starts: docs.map(({ policy }, i) => ({ slug: policy.slug, page: starts[i] as number })),
      properties: {
        title: l.packOf(name),
        author: name,
        subject: l.packSubject(name, docs.length),
        keywords: docs.map((doc) => doc.policy.code),
        date: buildDate,
        language,
      },
      blocked: output.blocked,
      prints: attempt,
    };
  }
}

/** The manual: its front, then the policies' own PDFs (pages numbered again), as one document. */
export async function joinManual(front: ManualFront, pdfs: Uint8Array[]): Promise<Uint8Array> {
  // Each policy's PDF is read only when its turn comes: a pack's worth at once is hundreds of MB.
  const manual = await concatenate(
    (async function* () {
      yield await loadPdf(front.front);
      for (const pdf of pdfs) {
        const doc = await loadPdf(pdf);
        unnumberPages(doc);
        yield doc;
      }
    })(),
  );
  // Contents entries and cross-references go to the policy's first page (a policy outside the
  // manual, to its PDF beside it).
  const firstPages = new Map(front.starts.map(({ slug, page }) => [slug, manual.getPage(page - 1).ref]));
  rewriteXrefLinks(manual, (slug) => {
    const first = firstPages.get(slug);
    return first ? manual.context.obj({ S: "GoTo", D: [first, "Fit"] }) : siblingPdfAction(manual, slug);
  });
  await drawPageNumbers(manual, await loadPdf(front.numbers));
  describeDocument(manual, front.properties);
  return savePdf(manual);
}

/**
 * The page count of a PDF this tool wrote (pdf-lib, no object streams), read from its page tree
 * without parsing the whole file (the root counts the most pages); a full parse when that is not
 * found.
 */
async function pageCount(pdf: Uint8Array): Promise<number> {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString("latin1");
  const counts = [...text.matchAll(/<<\s*\/Type \/Pages\s*\/Count (\d+)/g)].map((match) => Number(match[1]));
  return counts.length > 0 ? Math.max(...counts) : (await loadPdf(pdf)).getPageCount();
}
