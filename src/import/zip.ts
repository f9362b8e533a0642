// A .docx is a zip archive. Before mammoth opens one, its central directory is read here: more
// entries or more unpacked bytes than LIMITS allows are refused before anything is inflated, and
// every entry is then inflated in small steps that stop as soon as it outgrows its claimed size.
import { Inflate } from "fflate";
import { ImportProblem, LIMITS, megabytes } from "./limits.ts";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; mammoth (JSZip) reads no other. */
  method: number;
  compressedSize: number;
  /** What the central directory claims; inflating checks it. */
  size: number;
  localHeader: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const corrupt = (file: string, what: string) =>
  new ImportProblem(
    "import-format",
    `${file} is not a readable Word document: ${what}`,
    "open it in Word or LibreOffice and save it again as .docx",
  );

/** The entries the archive's central directory lists. */
export function zipEntries(file: string, bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is in the last 22 + 65,535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw corrupt(file, "the zip archive has no central directory (truncated or damaged)");
  const count = view.getUint16(eocd + 10, true);
  const offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) throw corrupt(file, "it is a ZIP64 archive, which Word never writes");
  if (count > LIMITS.zipEntries) {
    throw new ImportProblem(
      "import-limit",
      `${file} has ${count} files inside its archive; a Word document has a few dozen (at most ${LIMITS.zipEntries} are read)`,
      "open it in Word and save it again as .docx, or copy its text into a new document",
    );
  }
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL)
      throw corrupt(file, "its central directory is damaged");
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    entries.push({
      name,
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeader: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  const claimed = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (claimed > LIMITS.unzippedBytes) throw tooBig(file, claimed);
  return entries;
}

const tooBig = (file: string, bytes: number) =>
  new ImportProblem(
    "import-limit",
    `${file} unpacks to ${megabytes(bytes)}, more than the ${megabytes(LIMITS.unzippedBytes)} a Word document may (a zip bomb, or very large pictures)`,
    "remove or compress its pictures in Word (File › Compress Pictures), or copy its text into a new document",
  );

/**
 * Inflates every entry, counting what comes out: an entry that grows past the size the central
 * directory claims (whose total zipEntries bounded) is refused before more is inflated. Returns
 * the bytes of the entries `keep` selects.
 */
export function unzip(
  file: string,
  bytes: Uint8Array,
  entries: ZipEntry[],
  keep: (name: string) => boolean,
): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kept = new Map<string, Uint8Array>();
  for (const entry of entries) {
    const at = entry.localHeader;
    if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL)
      throw corrupt(file, `the entry ${entry.name} is damaged`);
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const data = bytes.subarray(start, start + entry.compressedSize);
    if (start + entry.compressedSize > bytes.length) throw corrupt(file, `the entry ${entry.name} is cut short`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const take = (chunk: Uint8Array) => {
      size += chunk.length;
      if (size > entry.size) throw corrupt(file, `the entry ${entry.name} is longer than the archive says`);
      if (keep(entry.name)) chunks.push(chunk);
    };
    if (entry.method === 0) take(data);
    else if (entry.method === 8) {
      const inflate = new Inflate((chunk) => take(chunk));
      // Small pieces: one push of deflated data can inflate to a thousand times its size.
      const piece = 16 * 1024;
      try {
        for (let i = 0; i < data.length; i += piece)
          inflate.push(data.subarray(i, i + piece), i + piece >= data.length);
        if (data.length === 0) inflate.push(data, true);
      } catch (error) {
        if (error instanceof ImportProblem) throw error;
        throw corrupt(file, `the entry ${entry.name} does not inflate (${(error as Error).message})`);
      }
    } else throw corrupt(file, `the entry ${entry.name} uses compression method ${entry.method}`);
    if (size !== entry.size) throw corrupt(file, `the entry ${entry.name} is shorter than the archive says`);
    if (keep(entry.name)) kept.set(entry.name, concat(chunks, size));
  }
  return kept;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
