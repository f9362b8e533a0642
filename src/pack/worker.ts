// What a worker thread does (and, with --jobs 1, the main thread): one policy's web page and Word
// file from its filled-in document, or an org's manual joined from its PDFs. Tasks and results
// are plain data, copied between threads.
import { open, rm } from "node:fs/promises";
import type { SiblingFiles } from "../render/html/page.ts";
import type { JoinedManual, ManualFront, ManualPartSource, PreviousManual } from "../render/pdf/manual.ts";
import type { CalendarDate, Diagnostic, Org, Policy, PolicyDocument } from "../types.ts";
import { createInFolder } from "../write/atomic.ts";
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
  previous?: Omit<PreviousManual, "data"> & { file: string };
  /** A new file to write the manual to (created, never overwritten). */
  path: string;
}

/** A manual as written by joinManual: its SHA-256 and layout. */
export type WrittenManual = Omit<JoinedManual, "pieces">;

/**
 * The manual joined from its printed front and the policies' PDFs, or updated (CPU work, and
 * reading the manual to update: no browser), and written to `path` by this thread, in the pieces
 * it was made of. A manual is 10 MB at 60 policies: read into a new buffer, joined into another
 * and handed back, each manual took 20 MB more memory outside V8's heap, which V8 counts, and it
 * collected the whole heap of the thread building the packs every two or three manuals (13 of
 * its 17 whole collections after one policy changed at 50 x 60, and 3.9 s of its helper
 * threads' marking; 4 and 0.4 s since).
 */
export async function joinManual({ front, policies, previous, path }: JoinTask): Promise<WrittenManual> {
  const manual = await import("../render/pdf/manual.ts");
  const reading = previous && (await readManual(previous.file));
  try {
    const { pieces, hash, layout } = await manual.joinManual(
      front,
      policies,
      reading && previous && { ...previous, data: reading.data },
    );
    await writePieces(path, pieces);
    return { hash, layout };
  } finally {
    reading?.release();
  }
}

/** The buffer the manual to update is read into, kept for the next one (see joinManual). */
let readBuffer: Buffer | undefined;

async function readManual(file: string): Promise<{ data: Buffer; release: () => void }> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    // Taken while one join uses it (joins on a thread take turns; this does not rely on it).
    const own =
      readBuffer !== undefined && readBuffer.length >= size ? readBuffer : Buffer.allocUnsafeSlow(size + (size >> 3));
    readBuffer = undefined;
    const data = own.subarray(0, size);
    for (let done = 0; done < size; ) {
      const { bytesRead } = await handle.read(data, done, size - done, done);
      if (bytesRead === 0) throw new Error(`${file} was cut short while it was read`);
      done += bytesRead;
    }
    const release = () => {
      readBuffer = own;
    };
    return { data, release };
  } finally {
    await handle.close();
  }
}

/** `pieces` written to the new file `path` (removed again when that fails), in as few calls as the system allows. */
async function writePieces(path: string, pieces: readonly Uint8Array[]): Promise<void> {
  const handle = await createInFolder(path, () => open(path, "wx"));
  try {
    for (let i = 0; i < pieces.length; i += MAX_PIECES_A_CALL) {
      const batch = pieces.slice(i, i + MAX_PIECES_A_CALL);
      const { bytesWritten } = await handle.writev(batch);
      const length = batch.reduce((sum, piece) => sum + piece.length, 0);
      // A short write (a full disk reports itself as an error next): the rest from where it stopped.
      if (bytesWritten < length) await handle.writeFile(Buffer.concat(batch).subarray(bytesWritten));
    }
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(path, { force: true });
    throw error;
  }
}

/** IOV_MAX on Linux and macOS: the most pieces one writev takes. */
const MAX_PIECES_A_CALL = 1024;

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
