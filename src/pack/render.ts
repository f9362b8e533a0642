// Step 2 of a pack build: render the stale policy files (web pages and Word files, then PDFs).
import { renderHtml } from "../render/html/page.ts";
import type { PdfEngine } from "../render/pdf/engine.ts";
import type { Diagnostic, PolicyDocument } from "../types.ts";
import type { PackBuild } from "./folder.ts";
import type { BuildOptions } from "./options.ts";
import type { Item, Job } from "./plan.ts";
import { chromiumStopped, docxDiagnostics, pdfBlocked, pdfFailure } from "./problems.ts";

// The renderers load on first use: Chromium's driver, pdf-lib and docx take about a second to
// import, which a no-op rebuild or an HTML-only build should not pay.
const docxRenderer = () => import("../render/docx/index.ts");
const pdfRenderer = () => import("../render/pdf/policy.ts");

export interface RenderStep {
  orgFile: string;
  pack: PackBuild;
  jobs: readonly Job[];
  docOf: (item: Item) => PolicyDocument;
  engine: () => Promise<PdfEngine>;
  options: BuildOptions;
  /** Called after each document rendered. */
  progress: () => void;
  diagnostics: Diagnostic[];
}

/** Web pages and Word files, one after the other. */
export async function renderDocuments(step: RenderStep): Promise<void> {
  const { pack, docOf, options, diagnostics } = step;
  for (const { item, format, name } of step.jobs) {
    if (format === "html") pack.rendered.set(name, renderHtml(docOf(item), item.siblings));
    if (format === "docx") {
      const { data, warnings } = await (await docxRenderer()).renderDocx(docOf(item));
      pack.rendered.set(name, data);
      diagnostics.push(...docxDiagnostics(docOf(item), name, warnings));
    }
    if (format !== "pdf") step.progress();
    options.signal?.throwIfAborted();
  }
}

/** PDFs, all at once: the engine's page pool decides how many print together. */
export async function printPdfs(step: RenderStep): Promise<void> {
  const { pack, docOf, options, diagnostics } = step;
  const pdfJobs = step.jobs.filter((job) => job.format === "pdf");
  if (pdfJobs.length === 0) return;
  const printer = await step.engine();
  const { renderPolicyPdf } = await pdfRenderer();
  const unprinted: { names: string[]; error?: unknown } = { names: [] };
  await Promise.all(
    pdfJobs.map(async ({ item, name }) => {
      try {
        const printed = await renderPolicyPdf(docOf(item), printer);
        pack.rendered.set(name, printed.data);
        for (const url of printed.blocked) diagnostics.push(pdfBlocked(item.policy.file, name, url));
      } catch (error) {
        pack.drop(name);
        if (chromiumStopped(error)) {
          unprinted.names.push(name);
          unprinted.error = error;
        } else diagnostics.push(pdfFailure(item.policy.file, [name], error));
      }
      step.progress();
    }),
  );
  if (unprinted.names.length > 0) diagnostics.push(pdfFailure(step.orgFile, unprinted.names.sort(), unprinted.error));
  options.signal?.throwIfAborted();
}
