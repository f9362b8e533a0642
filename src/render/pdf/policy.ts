import { toString as textOf } from "mdast-util-to-string";
import type { PolicyDocument } from "../../types.ts";
import { policyPage, toHtml } from "../html/page.ts";
import { footerLine } from "../layout.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import { footerTemplate, headerTemplate, PRINT_CSS, pdfOptions, setProperties } from "./layout.ts";

/** The policy's title and section headings: what its bookmarks say. */
export function headingTexts(doc: PolicyDocument): string[] {
  return [doc.policy.title, ...doc.tree.children.filter((node) => node.type === "heading").map((node) => textOf(node))];
}

/** One policy as A4 PDF, printed from the same page as its HTML. */
export async function renderPolicyPdf(doc: PolicyDocument, engine: PdfEngine): Promise<PdfOutput> {
  const { org, policy } = doc;
  const output = await engine.render({
    html: toHtml(policyPage(doc, { css: PRINT_CSS })),
    options: pdfOptions(
      headerTemplate(org, `Registration Number: ${org.data.registration_no}`),
      footerTemplate(footerLine(doc)),
    ),
  });
  const data = await setProperties(output.data, {
    headings: headingTexts(doc),
    title: policy.title,
    author: String(org.data.name),
    subject: `${policy.code} ${policy.title}, version ${policy.version}`,
    keywords: [policy.code, ...(policy.category ? [policy.category] : [])],
    date: doc.buildDate,
  });
  return { data, blocked: output.blocked };
}
