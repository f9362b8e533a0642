import { toString as textOf } from "mdast-util-to-string";
import type { PolicyDocument } from "../../types.ts";
import { policyPage } from "../html/page.ts";
import { DRAFT_MARK, footerLine, isDraft } from "../layout.ts";
import { linkTexts, makeAccessible } from "./accessibility.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import { loadPdf, PDF_OPTIONS, printable, printCss, savePdf, setProperties } from "./layout.ts";
import { isXrefHref, rewriteXrefLinks, siblingPdfAction, xrefHref } from "./links.ts";

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
  const css = printCss(org, doc.theme, {
    headerRight: `Registration Number: ${org.data.registration_no}`,
    footerLeft: footerLine(doc),
    ...(isDraft(doc) ? { watermark: DRAFT_MARK } : {}),
  });
  const page = policyPage(doc, { css, href: xrefHref });
  const links = linkTexts(page);
  const output = await engine.render({ html: printable(page), options: PDF_OPTIONS });
  const pdf = await loadPdf(output.data);
  // Cross-references say where they go; other links say what they show.
  const xrefs = new Set([...links.keys()].filter(isXrefHref));
  makeAccessible(pdf, (target) => (xrefs.has(target) ? `Go to ${links.get(target)}` : links.get(target)));
  setProperties(pdf, {
    headings: headingTexts(doc),
    title: policy.title,
    author: String(org.data.name),
    subject: `${policy.code} ${policy.title}, version ${policy.version}`,
    keywords: [policy.code, ...(policy.category ? [policy.category] : [])],
    // This version's date (its last review), so the file does not change from one build day to the next.
    date: doc.review.lastReviewed,
  });
  rewriteXrefLinks(pdf, (slug) => siblingPdfAction(pdf, slug));
  return { data: await savePdf(pdf), blocked: output.blocked, pages: pdf.getPageCount() };
}
