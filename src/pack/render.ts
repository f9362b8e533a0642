// Step 2 of a pack build: render the stale policy files (web pages and Word files, then PDFs).
import type { PdfEngine } from "../render/pdf/engine.ts";
import type { Diagnostic, PolicyDocument } from "../types.ts";
import type { PackBuild } from "./folder.ts";
import type { BuildOptions } from "./options.ts";
import type { Item, Job } from "./plan.ts";
import type { DocumentPool } from "./pool.ts";
import { chromiumStopped, pdfBlocked, pdfFailure } from "./problems.ts";
import type { FillIn, RenderTask } from "./worker.ts";

// Loaded on first use: Chromium's driver and pdf-lib take a while to import, which a no-op
// rebuild or an HTML-only build should not pay.
const pdfRenderer = () => import("../render/pdf/policy.ts");

export interface RenderStep {
  orgFile: string;
  pack: PackBuild;
  jobs: readonly Job[];
  docOf: (item: Item) => Promise<PolicyDocument>;
  fillIn: (item: Item) => FillIn;
  pool: DocumentPool;
  engine: () => Promise<PdfEngine>;
  options: BuildOptions;
  /** Called after each document rendered. */
  progress: () => void;
  diagnostics: Diagnostic[];
}

/** Web pages and Word files: one task per policy, on the pool's threads. */
export async function renderDocuments(step: RenderStep): Promise<void> {
  const { pack, docOf, options, diagnostics } = step;
  const tasks = new Map<Item, RenderTask>();
  // With threads, the document is filled in here only when the PDF needs it too, else by the
  // worker. (With --jobs 1 always here: a test compares the two.)
  const printed = new Set(step.jobs.filter((job) => job.format === "pdf").map((job) => job.item));
  const here = (item: Item) => !step.pool.threaded || item.doc !== undefined || printed.has(item);
  for (const { item, format, name } of step.jobs) {
    if (format === "pdf") continue;
    const task = tasks.get(item) ?? { doc: here(item) ? await docOf(item) : step.fillIn(item) };
    if (format === "html") task.html = { name, siblings: item.siblings ?? {} };
    else task.docx = { name };
    tasks.set(item, task);
  }
  options.signal?.throwIfAborted();
  const results = await Promise.all(
    [...tasks.values()].map(async (task) => {
      const rendered = await step.pool.run(task);
      for (const _ of rendered.files) step.progress();
      return rendered;
    }),
  );
  // Kept in the order of the jobs, whichever thread finished first.
  for (const { files, diagnostics: found } of results) {
    for (const [name, data] of files) pack.rendered.set(name, data);
    diagnostics.push(...found);
  }
  options.signal?.throwIfAborted();
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
        const printed = await renderPolicyPdf(await docOf(item), printer);
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
