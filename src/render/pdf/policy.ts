import { toString as textOf } from "mdast-util-to-string";
import type { PolicyDocument } from "../../types.ts";
import { policyPage } from "../html/page.ts";
import { footerLine, isDraft, labelsOf, orgName } from "../layout.ts";
import { linkTexts, makeAccessible } from "./accessibility.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import { loadPdf, PDF_OPTIONS, printable, printCss, savePdf, setProperties } from "./layout.ts";
import { isXrefHref, rewriteXrefLinks, siblingPdfAction, xrefHref } from "./links.ts";
import { numberPages } from "./page-numbers.ts";

/** The policy's title and section headings: what its bookmarks say. */
export function headingTexts(doc: PolicyDocument): string[] {
  return [doc.policy.title, ...doc.tree.children.filter((node) => node.type === "heading").map((node) => textOf(node))];
}

export interface PolicyPdf extends PdfOutput {
  pages: number;
}

/** One policy as A4 PDF, printed from the same page as its HTML; cross-references open the sibling PDF. */
export async function renderPolicyPdf(doc: PolicyDocument, engine: PdfEngine): Promise<PolicyPdf> {
  const { org, policy } = doc;
  const l = labelsOf(doc);
  const css = printCss(org, doc.theme, {
    headerRight: `${l.registrationNumber}: ${org.data.registration_no}`,
    footerLeft: footerLine(doc),
    ...(isDraft(doc) ? { watermark: l.draftMark } : {}),
    language: policy.language,
  });
  const page = policyPage(doc, { css, href: xrefHref });
  const links = linkTexts(page);
  const output = await engine.render({ html: printable(page), options: PDF_OPTIONS });
  const pdf = await loadPdf(output.data);
  // Cross-references say where they go; other links say what they show.
  const xrefs = new Set([...links.keys()].filter(isXrefHref));
  makeAccessible(pdf, (target) =>
    xrefs.has(target) ? l.goTo(links.get(target) ?? "") : (links.get(target) ?? l.linkTo(target)),
  );
  setProperties(pdf, {
    headings: headingTexts(doc),
    title: policy.title,
    author: orgName(doc),
    subject: l.policySubject(policy.code, policy.title, policy.version),
    keywords: [policy.code, ...(policy.category ? [policy.category] : [])],
    // This version's date (its last review), so the file does not change from one build day to the next.
    date: doc.review.lastReviewed,
    language: policy.language,
  });
  rewriteXrefLinks(
    pdf.getPages().map((page) => page.node),
    (slug) => siblingPdfAction(pdf.context, slug),
  );
  await numberPages(pdf, engine, { theme: doc.theme, language: policy.language });
  return { data: savePdf(pdf), blocked: output.blocked, pages: pdf.getPageCount() };
}
