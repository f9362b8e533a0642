// A PDF file written from a pdf-lib context: whole, or rewritten from a file written here before,
// with the objects the context does not replace copied from it byte for byte, never parsed.
import {
  PDFContext,
  PDFDict,
  PDFHeader,
  PDFName,
  type PDFObject,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFTrailer,
  PDFTrailerDict,
} from "pdf-lib";
import { objectText } from "./object-text.ts";
import { ObjectParser } from "./parse.ts";

const ENTRY = "0000000000 00000 n \n"; // a cross-reference entry is 20 bytes
const FIRST_ENTRY = "0000000000 65535 f \n"; // object 0, the head of the (empty) list of free ones
const DIGIT_0 = "0".charCodeAt(0);
const IN_USE = "n".charCodeAt(0);
const NEWLINE = "\n".charCodeAt(0);
const J = "j".charCodeAt(0); // of "endobj"

interface Serializable {
  sizeInBytes(): number;
  copyBytesInto(buffer: Uint8Array, offset: number): number;
}

const bytesOf = (value: Serializable) => {
  const bytes = new Uint8Array(value.sizeInBytes());
  value.copyBytesInto(bytes, 0);
  return bytes;
};

/** A file written here before, where its objects are, and the ranges of object numbers [from, to) not to keep from it. */
export interface PreviousPdf {
  data: Uint8Array;
  references: CrossReferences;
  dropped: readonly (readonly [number, number])[];
}

/**
 * Every object of `context`, then one cross-reference section and `trailer`. With `previous`,
 * its objects that `context` does not replace and `dropped` does not name are written too, as
 * they are there: a file rewritten whole, in object-number order, whose unchanged objects cost
 * a copy (consecutive ones, one copy). Object numbers no object has are left out of the
 * cross-reference section.
 */
export function writePdf(context: PDFContext, trailer: PDFDict, previous?: PreviousPdf): Uint8Array {
  return Buffer.concat(writePdfPieces(context, trailer, previous));
}

/**
 * writePdf()'s bytes in pieces, as they were made and copied: a file too big to copy into one
 * buffer as well (a manual) is written to disk piece by piece.
 */
export function writePdfPieces(context: PDFContext, trailer: PDFDict, previous?: PreviousPdf): Uint8Array[] {
  const out = new PdfBytes(previous?.data);
  out.push(bytesOf(PDFHeader.forVersion(1, 7)));
  out.push("\n\n"); // the header's last line is a comment: an object on it would be too
  const fresh = context.enumerateIndirectObjects(); // in the order of their numbers
  const size = Math.max(context.largestObjectNumber + 1, previous?.references.offsets.length ?? 0);
  const offsets = new Float64Array(size).fill(-1);
  const kept = previous && new KeptObjects(previous);
  for (let n = 1, next = 0; n < size; n++) {
    const entry = fresh[next];
    if (entry?.[0].objectNumber === n) {
      next++;
      offsets[n] = out.offset;
      writeObject(out, n, entry[1]);
      continue;
    }
    const end = kept ? kept.end(n) : -1;
    if (end < 0) continue;
    offsets[n] = out.offset;
    out.copy(previous?.references.offsets[n] as number, end);
  }
  const xrefOffset = out.offset;
  out.push(crossReferenceSection(offsets));
  out.push(bytesOf(PDFTrailerDict.of(trailer)));
  out.push("\n\n");
  out.push(bytesOf(PDFTrailer.forLastCrossRefSectionOffset(xrefOffset)));
  return out.pieces();
}

/** "n 0 obj", the object, "endobj": text made in one piece (objectText), a stream's contents as they are. */
function writeObject(out: PdfBytes, n: number, object: PDFObject): void {
  const stream = object instanceof PDFStream ? object : undefined;
  stream?.updateDict(); // its /Length, as pdf-lib sets it before writing
  const text = objectText(stream ? stream.dict : object);
  if (text === undefined) {
    out.push(`${n} 0 obj\n`);
    out.push(bytesOf(object));
    out.push("\nendobj\n\n");
  } else if (stream) {
    out.push(`${n} 0 obj\n${text}\nstream\n`);
    out.push(stream.getContents());
    out.push("\nendstream\nendobj\n\n");
  } else out.push(`${n} 0 obj\n${text}\nendobj\n\n`);
}

// A class and plain functions rather than closures made per call: V8 optimises a closure made
// anew for each file again and again (see README, Benchmarks).
/** A file's bytes as they are written: new ones, and runs of an old file's bytes copied as they are. */
class PdfBytes {
  private readonly chunks: Uint8Array[] = [];
  offset = 0;
  private run: { from: number; to: number } | undefined;
  /** Text pushed since the last bytes: made into bytes at once (each character one byte, as pdf-lib writes them). */
  private text = "";

  constructor(private readonly old?: Uint8Array) {}

  push(bytes: Uint8Array | string): void {
    this.offset += bytes.length;
    if (typeof bytes === "string") {
      this.flushRun();
      this.text += bytes;
      return;
    }
    this.flush();
    this.chunks.push(bytes);
  }

  /** The old file's bytes [from, to), in one copy with the run before them when they follow it. */
  copy(from: number, to: number): void {
    this.offset += to - from;
    if (this.run?.to === from) this.run.to = to;
    else {
      this.flush();
      this.run = { from, to };
    }
  }

  pieces(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    this.flushRun();
    if (this.text) this.chunks.push(Buffer.from(this.text, "latin1"));
    this.text = "";
  }

  private flushRun(): void {
    if (this.run && this.old) this.chunks.push(this.old.subarray(this.run.from, this.run.to));
    this.run = undefined;
  }
}

/** A cross-reference section of the objects at `offsets` (negative: none), in subsections of consecutive numbers. */
function crossReferenceSection(offsets: Float64Array): Buffer {
  const parts = [Buffer.from("xref\n")];
  for (let n = 0; n < offsets.length; ) {
    let end = n + 1;
    while (end < offsets.length && (offsets[end] as number) >= 0) end++;
    if (n === 0 || (offsets[n] as number) >= 0) {
      // Written digit by digit into a buffer of entries: a manual has tens of thousands.
      const entries = Buffer.alloc(ENTRY.length * (end - n), ENTRY, "latin1");
      for (let k = n; k < end; k++) writeOffset(entries, ENTRY.length * (k - n), offsets[k] as number);
      if (n === 0) entries.write(FIRST_ENTRY, 0, "latin1");
      parts.push(Buffer.from(`${n} ${end - n}\n`), entries);
      n = end;
    } else n++; // no object n: the next subsection starts after it
  }
  parts.push(Buffer.from("\n"));
  return Buffer.concat(parts);
}

/** Writes `offset` as the ten digits at `at` (zeros there already), in whole-number arithmetic, which V8 makes fast. */
function writeOffset(entries: Buffer, at: number, offset: number): void {
  let value = offset;
  let digit = at + 9;
  if (value < 2 ** 31) {
    for (let small = value | 0; small > 0; digit--) {
      const tenth = (small / 10) | 0;
      entries[digit] = DIGIT_0 + small - tenth * 10;
      small = tenth;
    }
    return;
  }
  for (; digit >= at && value > 0; digit--, value = Math.floor(value / 10)) entries[digit] = DIGIT_0 + (value % 10);
}

/**
 * Where each object of `previous` to write again ends: as writePdf wrote it, from its offset
 * ("N 0 obj") to the blank line after "endobj", which is where the next thing the cross-references
 * point at begins. None for an object not in use, or dropped. Asked in the order of object
 * numbers, which is the order writePdf wrote them in: the next boundary is found moving forward
 * (a manual has tens of thousands of objects).
 */
class KeptObjects {
  private readonly dropped: Uint8Array;
  /** The index in `boundaries` of the first boundary after the object last asked for. */
  private next = 0;

  constructor(private readonly previous: PreviousPdf) {
    this.dropped = new Uint8Array(previous.references.offsets.length);
    for (const [first, end] of previous.dropped) this.dropped.fill(1, first, end);
  }

  /** Where object n ends (it starts at its offset), or -1 when it is not kept. */
  end(n: number): number {
    const { data, references } = this.previous;
    const { offsets, boundaries } = references;
    const from = offsets[n] ?? -1;
    if (from < 0 || this.dropped[n] === 1) return -1;
    if (this.next > 0 && (boundaries[this.next - 1] as number) > from) this.next = sortedIndexAfter(boundaries, from);
    while (this.next < boundaries.length && (boundaries[this.next] as number) <= from) this.next++;
    const to = boundaries[this.next] ?? data.length;
    if (data[to - 1] !== NEWLINE || data[to - 2] !== NEWLINE || data[to - 3] !== J) {
      throw new Error(`object ${n} is not where the cross-reference section says`);
    }
    return to;
  }
}

/** The index of the first value in ascending `values` greater than `value`. */
function sortedIndexAfter(values: Float64Array, value: number): number {
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
function lastXref(pdf: Uint8Array): number {
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 64))).toString("latin1");
  const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!match) throw new Error("no startxref at the end of the file");
  return Number(match[1]);
}

/**
 * Where the objects of a file are: `offsets[n]`, where object n is (negative: not in use), and
 * `boundaries`, every place its cross-reference section points at, in order.
 */
export interface CrossReferences {
  offsets: Float64Array;
  boundaries: Float64Array;
}

/**
 * The cross-reference section of a file written by writePdf (one section, no object streams),
 * read from the bytes: a manual has tens of thousands of entries.
 */
export function crossReferences(pdf: Uint8Array): CrossReferences {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const at = lastXref(pdf);
  if (bytes.toString("latin1", at, at + 4) !== "xref") throw new Error(`no cross-reference section at ${at}`);
  const subsections: { first: number; count: number; entries: number }[] = [];
  let position = at + 4;
  for (;;) {
    const header = /^\s*(\d+) (\d+)[ ]?\r?\n/.exec(bytes.toString("latin1", position, position + 40));
    if (!header) break;
    const [line, first, count] = header as unknown as [string, string, string];
    subsections.push({ first: Number(first), count: Number(count), entries: position + line.length });
    position += line.length + 20 * Number(count);
  }
  if (bytes.indexOf("/Prev", position) >= 0) throw new Error("the file has more than one cross-reference section");
  const offsets = new Float64Array(Math.max(0, ...subsections.map(({ first, count }) => first + count))).fill(-1);
  const boundaries = new Float64Array(subsections.reduce((n, { count }) => n + count, 1));
  let found = 0;
  let sorted = true;
  for (const { first, count, entries } of subsections) {
    for (let i = 0; i < count; i++) {
      const entry = entries + 20 * i;
      if (bytes[entry + 17] !== IN_USE) continue;
      let offset = 0;
      for (let k = 0; k < 10; k++) offset = offset * 10 + (bytes[entry + k] as number) - DIGIT_0;
      offsets[first + i] = offset;
      if (found > 0 && offset < (boundaries[found - 1] as number)) sorted = false;
      boundaries[found++] = offset;
    }
  }
  // In a file writePdf wrote, objects are in the order of their numbers, before the table: no sorting.
  if (found > 0 && at < (boundaries[found - 1] as number)) sorted = false;
  boundaries[found++] = at;
  const all = boundaries.subarray(0, found);
  return { offsets, boundaries: sorted ? all : all.sort() };
}

/**
 * Reads objects of a file written by writePdf (see crossReferences). `context` receives what is
 * read (references in it are to the same file).
 */
export function objectReader(
  pdf: Uint8Array,
  references: CrossReferences,
  context: PDFContext,
): (ref: PDFRef) => PDFObject {
  const parser = new ObjectParser(pdf, context);
  return (ref) => {
    const offset = references.offsets[ref.objectNumber] ?? -1;
    const object = offset < 0 ? undefined : parser.indirectAt(offset);
    if (!object) throw new Error(`object ${ref} is not in the file`);
    return object;
  };
}

/**
 * Every object and the trailer of a file with one cross-reference table and no object streams,
 * as Chromium prints and writePdf writes them, read in one pass, or undefined for any other
 * file. pdf-lib's parser is asynchronous: it makes promises and closures for every object,
 * which V8 optimised again for every document (see README, Benchmarks).
 */
export function readPdf(pdf: Uint8Array): PDFContext | undefined {
  let references: CrossReferences;
  try {
    references = crossReferences(pdf);
  } catch {
    return undefined;
  }
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const version = /^%PDF-(\d)\.(\d)/.exec(bytes.toString("latin1", 0, 16));
  // The trailer follows the table (an object before it may hold the word in a string).
  const trailerAt = bytes.indexOf("trailer", lastXref(pdf));
  if (!version || trailerAt < 0) return undefined;
  const context = PDFContext.create();
  context.header = PDFHeader.forVersion(Number(version[1]), Number(version[2]));
  const read = objectReader(pdf, references, context);
  const { offsets } = references;
  for (let n = 1; n < offsets.length; n++) {
    if ((offsets[n] as number) < 0) continue;
    const ref = PDFRef.of(n);
    const object = read(ref);
    if (object instanceof PDFRawStream && STREAMS_OF_OBJECTS.has(object.dict.get(PDFName.of("Type")))) return undefined;
    context.assign(ref, object);
  }
  const trailer = new ObjectParser(pdf, context).parseAt(trailerAt + "trailer".length);
  if (!(trailer instanceof PDFDict)) return undefined;
  const [Root, Encrypt, Info, ID] = ["Root", "Encrypt", "Info", "ID"].map((key) => trailer.get(PDFName.of(key)));
  context.trailerInfo = { Root, Encrypt, Info, ID };
  return context;
}

const STREAMS_OF_OBJECTS = new Set<PDFObject | undefined>([PDFName.of("ObjStm"), PDFName.of("XRef")]);
