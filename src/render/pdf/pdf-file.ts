// A PDF file written from a pdf-lib context: whole, or rewritten from a file written here before,
// with the objects the context does not replace copied from it byte for byte, never parsed.
import {
  type PDFContext,
  PDFCrossRefSection,
  type PDFDict,
  PDFHeader,
  type PDFObject,
  PDFObjectParser,
  PDFRef,
  PDFTrailer,
  PDFTrailerDict,
} from "pdf-lib";

interface Serializable {
  sizeInBytes(): number;
  copyBytesInto(buffer: Uint8Array, offset: number): number;
}

const BLANK_LINE = Buffer.from("\n\n");

const bytesOf = (value: Serializable) => {
  const bytes = new Uint8Array(value.sizeInBytes());
  value.copyBytesInto(bytes, 0);
  return bytes;
};

/** A file written here before, and the ranges of object numbers [from, to) not to keep from it. */
export interface PreviousPdf {
  data: Uint8Array;
  dropped: readonly (readonly [number, number])[];
}

/**
 * Every object of `context`, then one cross-reference section and `trailer`. With `previous`,
 * its objects that `context` does not replace and `dropped` does not name are written too, as
 * they are there: a file rewritten whole, in object-number order, whose unchanged objects cost
 * a copy. Object numbers no object has are left out of the cross-reference section.
 */
export function writePdf(context: PDFContext, trailer: PDFDict, previous?: PreviousPdf): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (bytes: Uint8Array | string) => {
    const chunk = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    chunks.push(chunk);
    offset += chunk.length;
  };
  push(bytesOf(PDFHeader.forVersion(1, 7)));
  push("\n\n"); // the header's last line is a comment: an object on it would be too
  const fresh = new Map(context.enumerateIndirectObjects().map(([ref, object]) => [ref.objectNumber, object]));
  const kept = previous ? keptObjects(previous, fresh) : new Map<number, Uint8Array>();
  const numbers = [...new Set([...fresh.keys(), ...kept.keys()])].sort((a, b) => a - b);
  const xref = PDFCrossRefSection.create();
  for (const n of numbers) {
    xref.addEntry(PDFRef.of(n), offset);
    const object = fresh.get(n);
    if (object) {
      push(`${n} 0 obj\n`);
      push(bytesOf(object));
      push("\nendobj\n\n");
    } else {
      push(kept.get(n) as Uint8Array);
      push(BLANK_LINE);
    }
  }
  const xrefOffset = offset;
  push(bytesOf(xref));
  push("\n");
  push(bytesOf(PDFTrailerDict.of(trailer)));
  push("\n\n");
  push(bytesOf(PDFTrailer.forLastCrossRefSectionOffset(xrefOffset)));
  return Buffer.concat(chunks);
}

/** The objects of `previous` to write again, by number: each from "N 0 obj" to its "endobj". */
function keptObjects({ data, dropped }: PreviousPdf, fresh: ReadonlyMap<number, PDFObject>): Map<number, Uint8Array> {
  const { offsets, boundaries } = crossReferences(data);
  const isDropped = (n: number) => dropped.some(([from, to]) => n >= from && n < to);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const kept = new Map<number, Uint8Array>();
  for (const [n, start] of offsets) {
    if (fresh.has(n) || isDropped(n)) continue;
    // An object ends where the next thing the cross-references point at begins.
    const end = boundaries[sortedIndexAfter(boundaries, start)] ?? bytes.length;
    const close = bytes.lastIndexOf("endobj", end);
    if (!bytes.toString("latin1", start, start + 16).startsWith(`${n} 0 obj`) || close < start) {
      throw new Error(`object ${n} is not where the cross-reference section says`);
    }
    kept.set(n, bytes.subarray(start, close + "endobj".length));
  }
  return kept;
}

/** The index of the first value in ascending `values` greater than `value`. */
function sortedIndexAfter(values: readonly number[], value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where the last cross-reference section of `pdf` starts. */
export function lastXref(pdf: Uint8Array): number {
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 64))).toString("latin1");
  const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!match) throw new Error("no startxref at the end of the file");
  return Number(match[1]);
}

/**
 * The cross-reference sections of a file written by writePdf (or pdf-lib without object streams,
 * or with incremental updates), newest first: where each object in use is (`offsets`, the newest
 * section saying), and every place any section points at, in order (`boundaries`).
 */
function crossReferences(pdf: Uint8Array): { offsets: Map<number, number>; boundaries: number[] } {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const latin1 = (from: number, to: number) => bytes.toString("latin1", from, to);
  const offsets = new Map<number, number>();
  const said = new Set<number>();
  const boundaries: number[] = [];
  const seen = new Set<number>();
  for (let at: number | undefined = lastXref(pdf); at !== undefined && !seen.has(at); ) {
    seen.add(at);
    boundaries.push(at);
    if (latin1(at, at + 4) !== "xref") throw new Error(`no cross-reference section at ${at}`);
    let position = at + 4;
    for (;;) {
      const header = /^\s*(\d+) (\d+)[ ]?\r?\n/.exec(latin1(position, position + 40));
      if (!header) break;
      const [line, first, count] = header as unknown as [string, string, string];
      const entries = latin1(position + line.length, position + line.length + 20 * Number(count));
      for (let i = 0; i < Number(count); i++) {
        const entry = entries.slice(20 * i, 20 * i + 18);
        const n = Number(first) + i;
        const inUse = entry.endsWith("n");
        if (inUse) boundaries.push(Number(entry.slice(0, 10)));
        if (said.has(n)) continue; // a newer section said where it is
        said.add(n);
        if (inUse) offsets.set(n, Number(entry.slice(0, 10)));
      }
      position += line.length + 20 * Number(count);
    }
    const trailer = latin1(position, bytes.indexOf("startxref", position));
    const prev = /\/Prev (\d+)/.exec(trailer);
    at = prev ? Number(prev[1]) : undefined;
  }
  return { offsets, boundaries: boundaries.sort((a, b) => a - b) };
}

/**
 * Reads objects of a file written by writePdf (see crossReferences), as they are now. `context`
 * receives what is read (references in it are to the same file).
 */
export function objectReader(pdf: Uint8Array, context: PDFContext): (ref: PDFRef) => PDFObject {
  const { offsets } = crossReferences(pdf);
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  return (ref) => {
    const offset = offsets.get(ref.objectNumber);
    const header = offset === undefined ? null : /^\d+ \d+ obj\s*/.exec(bytes.toString("latin1", offset, offset + 32));
    if (offset === undefined || !header) throw new Error(`object ${ref} is not in the file`);
    return PDFObjectParser.forBytes(pdf.subarray(offset + header[0].length), context).parseObject();
  };
}
