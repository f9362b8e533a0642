// What a worker thread does (and, with --jobs 1, the main thread): one policy's web page and Word
// file from its filled-in document, or an org's manual joined from its PDFs. Tasks and results
// are plain data, copied between threads.
import { readFile } from "node:fs/promises";
import type { SiblingFiles } from "../render/html/page.ts";
import type { JoinedManual, ManualFront, ManualPartSource } from "../render/pdf/manual.ts";
import type { CalendarDate, Diagnostic, Org, Policy, PolicyDocument } from "../types.ts";
import type { PackZipMember, WrittenZip, ZipIndex } from "../write/zip.ts";
import type { PackContext } from "./context.ts";
import { docxDiagnostics } from "./problems.ts";

/** What filling a policy in takes, for the worker to do it (see sendableContext). */
export interface FillIn {
  org: Org;
  policy: Policy;
  buildDate: CalendarDate;
  context: PackContext;
}

export interface RenderTask {
  /** The filled-in document when the main thread has it already (for the PDF), else what makes it. */
  doc: PolicyDocument | FillIn;
  html?: { name: string; siblings: SiblingFiles };
  docx?: { name: string };
}

export interface RenderedFiles {
  /** In the order of the task: Word file, then web page. */
  files: [name: string, data: string | Uint8Array][];
  diagnostics: Diagnostic[];
}

export async function renderFiles(task: RenderTask): Promise<RenderedFiles> {
  const { html, docx } = task;
  // Loaded on first use, as every renderer is: a thread that only writes zips loads none.
  const { policyDocument } = await import("./documents.ts");
  const doc =
    "tree" in task.doc ? task.doc : policyDocument(task.doc.org, task.doc.policy, task.doc.buildDate, task.doc.context);
  const result: RenderedFiles = { files: [], diagnostics: [] };
  if (docx) {
    // Loaded on first use: docx takes a while to import, which an HTML-only build should not pay.
    const { renderDocx } = await import("../render/docx/index.ts");
    const { data, warnings } = await renderDocx(doc);
    result.files.push([docx.name, data]);
    result.diagnostics.push(...docxDiagnostics(doc, docx.name, warnings));
  }
  if (html) result.files.push([html.name, (await import("../render/html/page.ts")).renderHtml(doc, html.siblings)]);
  return result;
}

export interface JoinTask {
  front: ManualFront;
  policies: ManualPartSource[];
  /** The manual to update: the file, its layout and the hash of the bytes the layout is of. */
  previous?: Omit<JoinedManual, "data"> & { file: string };
}

/**
 * The manual joined from its printed front and the policies' PDFs, or updated (CPU work, and
 * reading the manual to update: no browser).
 */
export async function joinManual({ front, policies, previous }: JoinTask): Promise<JoinedManual> {
  const manual = await import("../render/pdf/manual.ts");
  const old = previous && { ...previous, data: await readFile(previous.file) };
  return manual.joinManual(front, policies, old);
}

export interface ZipTask {
  /** A new file to write the zip to (see writeDeterministicZip). */
  path: string;
  /** Each member's name in the zip, the file it is read from and that file's SHA-256. */
  members: PackZipMember[];
  buildDate: CalendarDate;
  /** The pack's zip as last written, and where its members are in it. */
  previous?: { file: string; index: ZipIndex };
}

/** A pack's zip written to a file, member by member: its SHA-256 and index. */
export async function writeZip({ path, members, buildDate, previous }: ZipTask): Promise<WrittenZip> {
  const { writeDeterministicZip } = await import("../write/zip.ts");
  return writeDeterministicZip(path, members, buildDate, previous);
}

export default renderFiles;
