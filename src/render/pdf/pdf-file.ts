// A PDF file written from a pdf-lib context, whole or as an incremental update appended to the
// file it changes (ISO 32000-1, 7.5.6): the update holds only the objects that are new or
// replaced, and a cross-reference section that points back to the one before it.
import {
  type PDFContext,
  PDFCrossRefSection,
  type PDFDict,
  PDFHeader,
  type PDFObject,
  PDFObjectParser,
  type PDFRef,
  PDFTrailer,
  PDFTrailerDict,
} from "pdf-lib";

interface Serializable {
  sizeInBytes(): number;
  copyBytesInto(buffer: Uint8Array, offset: number): number;
}

const bytesOf = (value: Serializable) => {
  const bytes = new Uint8Array(value.sizeInBytes());
  value.copyBytesInto(bytes, 0);
  return bytes;
};

/**
 * Every object of `context`, then the cross-reference section and `trailer`: a whole file, or,
 * after `previous`, the file with an update appended (then `trailer` must give /Prev).
 */
export function writePdf(context: PDFContext, trailer: PDFDict, previous?: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (bytes: Uint8Array | string) => {
    const chunk = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    chunks.push(chunk);
    offset += chunk.length;
  };
  if (previous) push(previous);
  else push(bytesOf(PDFHeader.forVersion(1, 7)));
  push("\n\n"); // the header's last line is a comment: an object on it would be too
  const xref = previous ? PDFCrossRefSection.createEmpty() : PDFCrossRefSection.create();
  const objects = context.enumerateIndirectObjects().sort(([a], [b]) => a.objectNumber - b.objectNumber);
  for (const [ref, object] of objects) {
    xref.addEntry(ref, offset);
    push(`${ref.objectNumber} ${ref.generationNumber} obj\n`);
    push(bytesOf(object));
    push("\nendobj\n\n");
  }
  const xrefOffset = offset;
  push(bytesOf(xref));
  push("\n");
  push(bytesOf(PDFTrailerDict.of(trailer)));
  push("\n\n");
  push(bytesOf(PDFTrailer.forLastCrossRefSectionOffset(xrefOffset)));
  return Buffer.concat(chunks);
}

/** Where the last cross-reference section of `pdf` starts. */
export function lastXref(pdf: Uint8Array): number {
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 64))).toString("latin1");
  const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!match) throw new Error("no startxref at the end of the file");
  return Number(match[1]);
}

/**
 * Reads objects of a file written by writePdf (or pdf-lib without object streams): by the
 * cross-reference sections, newest first, so that an object replaced by an update is read as it
 * is now. `context` receives what is read (references in it are to the same file). Only the
 * subsection headers are read up front: an entry is 20 bytes, found by its number.
 */
export function objectReader(pdf: Uint8Array, context: PDFContext): (ref: PDFRef) => PDFObject {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const latin1 = (from: number, to: number) => bytes.toString("latin1", from, to);
  const subsections: { first: number; count: number; entries: number }[] = [];
  const seen = new Set<number>();
  for (let at: number | undefined = lastXref(pdf); at !== undefined && !seen.has(at); ) {
    seen.add(at);
    if (latin1(at, at + 4) !== "xref") throw new Error(`no cross-reference section at ${at}`);
    let position = at + 4;
    for (;;) {
      const header = /^\s*(\d+) (\d+)[ ]?\r?\n/.exec(latin1(position, position + 40));
      if (!header) break;
      const [line, first, count] = header as unknown as [string, string, string];
      subsections.push({ first: Number(first), count: Number(count), entries: position + line.length });
      position += line.length + 20 * Number(count);
    }
    const trailer = latin1(position, bytes.indexOf("startxref", position));
    const prev = /\/Prev (\d+)/.exec(trailer);
    at = prev ? Number(prev[1]) : undefined;
  }
  const offsetOf = (n: number) => {
    const subsection = subsections.find(({ first, count }) => n >= first && n < first + count);
    if (!subsection) return undefined;
    const entry = latin1(
      subsection.entries + 20 * (n - subsection.first),
      subsection.entries + 20 * (n - subsection.first) + 18,
    );
    return entry.endsWith("n") ? Number(entry.slice(0, 10)) : undefined;
  };
  return (ref) => {
    const offset = offsetOf(ref.objectNumber);
    const header = offset === undefined ? null : /^\d+ \d+ obj\s*/.exec(latin1(offset, offset + 32));
    if (offset === undefined || !header) throw new Error(`object ${ref} is not in the file`);
    return PDFObjectParser.forBytes(pdf.subarray(offset + header[0].length), context).parseObject();
  };
}
