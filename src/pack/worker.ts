// What a worker thread does (and, with --jobs 1, the main thread): one policy's web page and Word
// file from its filled-in document. Task and result are plain data, copied between threads.
import type { SiblingFiles } from "../render/html/page.ts";
import { renderHtml } from "../render/html/page.ts";
import type { Diagnostic, PolicyDocument } from "../types.ts";
import { docxDiagnostics } from "./problems.ts";

export interface RenderTask {
  doc: PolicyDocument;
  html?: { name: string; siblings: SiblingFiles };
  docx?: { name: string };
}

export interface RenderedFiles {
  /** In the order of the task: Word file, then web page. */
  files: [name: string, data: string | Uint8Array][];
  diagnostics: Diagnostic[];
}

export async function renderFiles({ doc, html, docx }: RenderTask): Promise<RenderedFiles> {
  const result: RenderedFiles = { files: [], diagnostics: [] };
  if (docx) {
    // Loaded on first use: docx takes a while to import, which an HTML-only build should not pay.
    const { renderDocx } = await import("../render/docx/index.ts");
    const { data, warnings } = await renderDocx(doc);
    result.files.push([docx.name, data]);
    result.diagnostics.push(...docxDiagnostics(doc, docx.name, warnings));
  }
  if (html) result.files.push([html.name, renderHtml(doc, html.siblings)]);
  return result;
}

export default renderFiles;
