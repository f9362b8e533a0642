import { type Document, Packer } from "docx";
import { deflateSync, strFromU8, strToU8, unzipSync } from "fflate";
import type { CalendarDate } from "../../types.ts";
import { embeddedFace } from "./fonts.ts";
import { hasNonXml, xmlText } from "./text.ts";

// docx's Packer stamps each zip entry and docProps/core.xml with the current time, and names the
// relationships of hyperlinks with random ids. This rewrites the package so the same policy gives
// the same bytes: every time is the build date, and random relationship ids become numbered ones.
// It also puts in the files of the embedded fonts, obfuscated with keys made from their bytes.

const CONTENT_TYPES = "[Content_Types].xml";
const RANDOM_ID = /Id="(rId[a-z0-9_-]*[a-z_-][a-z0-9_-]*)"/g;
/** Any quoted relationship id: a random one, or one docx numbered itself (rId1), which stays. */
const QUOTED_ID = /"rId[A-Za-z0-9_-]*"/g;

type Files = Record<string, Uint8Array>;

/** What Packer.pack zips: the package's files by path, in order (a private member of docx 9). */
interface Compiler {
  compile(file: Document): Map<string, string | Uint8Array | ArrayBuffer>;
}

/**
 * The files of the Word package docx makes of the document. Packer.pack deflates them (at level
 * 6, a tenth of a Word file's CPU time), only for deterministicPackage to inflate them and deflate
 * them again, so they are taken from docx's compiler as Packer.pack takes them; should a later
 * docx no longer have it there, from the zip Packer.pack makes (a test says so).
 */
export async function packageFiles(document: Document): Promise<Files> {
  const { compiler } = Packer as unknown as { compiler?: Partial<Compiler> };
  if (typeof compiler?.compile !== "function") return unzipSync(await Packer.pack(document, "uint8array"));
  const bytes = (data: string | Uint8Array | ArrayBuffer) =>
    typeof data === "string"
      ? strToU8(data)
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
  return Object.fromEntries([...compiler.compile(document)].map(([path, data]) => [path, bytes(data)]));
}

/** A Word package's files (packageFiles), rewritten to depend only on its content and the build date. */
export function deterministicPackage(files: Files, buildDate: CalendarDate): Uint8Array {
  const iso = `${buildDate.year}-${pad(buildDate.month)}-${pad(buildDate.day)}T00:00:00Z`;
  const text = (path: string) => strFromU8(files[path] as Uint8Array);

  const core = "docProps/core.xml";
  if (files[core]) {
    files[core] = strToU8(
      text(core).replace(
        /(<dcterms:(created|modified)[^>]*>)[^<]*(<\/dcterms:\2>)/g,
        (_m, open: string, _n, close: string) => `${open}${iso}${close}`,
      ),
    );
  }

  // Each embedded face's file, with its key in the font table (see fonts.ts).
  const fontTable = "word/fontTable.xml";
  if (files[fontTable]) {
    const rels = text("word/_rels/fontTable.xml.rels");
    let font = "";
    files[fontTable] = strToU8(
      text(fontTable).replace(
        /<w:font w:name="([^"]*)">|(<w:(embed\w+) r:id="([^"]+)" w:fontKey=")\{[0-9A-Fa-f-]{36}\}"/g,
        (match, name: string | undefined, head: string, element: string, id: string) => {
          if (name !== undefined) font = name;
          const face = name === undefined ? embeddedFace(font, element) : undefined;
          if (!face) return match;
          files[`word/${new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1]}`] = face.data;
          return `${head}{${face.key}}"`;
        },
      ),
    );
  }

  // The renderer gives docx only XML-safe text (text.ts); should any other character XML forbids
  // get through, it goes here, so that no part is ever ill-formed.
  for (const path of Object.keys(files).filter((name) => /\.(xml|rels)$/.test(name))) {
    if (hasNonXml(text(path))) files[path] = strToU8(xmlText(text(path)));
  }

  // A part's relationships are in `<folder>/_rels/<name>.rels`; its ids are only used in that part.
  for (const rels of Object.keys(files).filter((path) => path.endsWith(".rels"))) {
    const part = rels.replace(/_rels\/([^/]+)\.rels$/, "$1");
    const relsXml = text(rels);
    const ids = [...relsXml.matchAll(RANDOM_ID)].map((match) => match[1] as string);
    if (ids.length === 0) continue;
    // One pass over each part, not one per id: a policy's document.xml is about 80 kB, with tens of links.
    const numbered = new Map(ids.map((id, i) => [`"${id}"`, `"rIdLink${i + 1}"`]));
    const renumber = (xml: string) => xml.replace(QUOTED_ID, (quoted) => numbered.get(quoted) ?? quoted);
    files[rels] = strToU8(renumber(relsXml));
    if (files[part]) files[part] = strToU8(renumber(text(part)));
  }

  // [Content_Types].xml goes first, as Word writes it, for tools that sniff a zip's first entry.
  const paths = Object.keys(files).sort((a, b) => Number(b === CONTENT_TYPES) - Number(a === CONTENT_TYPES));
  return zip(
    paths.map((path) => [path, files[path] as Uint8Array]),
    buildDate,
  );
}

const pad = (n: number) => String(n).padStart(2, "0");

// A zip written here rather than by fflate's zipSync, for one reason: the font files are the same
// in every document, so each is compressed once per process, not once per document.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

interface Compressed {
  crc: number;
  size: number;
  data: Uint8Array;
}

/** Compressed files kept by identity: the font files, which fonts.ts hands out as the same arrays. */
const compressedOnce = new WeakMap<Uint8Array, Compressed>();

function compress(data: Uint8Array): Compressed {
  let entry = compressedOnce.get(data);
  if (!entry) {
    // The fastest level: the XML still shrinks about tenfold, at a third of the cost of level 6.
    entry = { crc: crc32(data), size: data.length, data: deflateSync(data, { level: 1 }) };
    if (data.length > 65536) compressedOnce.set(data, entry);
  }
  return entry;
}

/** A zip of the files, in order, each deflated and dated the build date at midnight (zip times have no zone). */
function zip(files: [string, Uint8Array][], date: CalendarDate): Uint8Array {
  const dosDate = ((date.year - 1980) << 9) | (date.month << 5) | date.day;
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [path, data] of files) {
    const name = strToU8(path);
    const { crc, size, data: deflated } = compress(data);
    // The fields a local header and a central directory entry share, from "version needed" on.
    const common = (view: DataView, at: number) => {
      view.setUint16(at, 20, true); // version needed: deflate
      view.setUint16(at + 2, 0x800, true); // names are UTF-8
      view.setUint16(at + 4, 8, true); // deflate
      view.setUint16(at + 6, 0, true); // 00:00
      view.setUint16(at + 8, dosDate, true);
      view.setUint32(at + 10, crc, true);
      view.setUint32(at + 14, deflated.length, true);
      view.setUint32(at + 18, size, true);
      view.setUint16(at + 22, name.length, true);
    };
    const local = new Uint8Array(30 + name.length);
    const localView = new DataView(local.buffer);
    localView.setUint32(0, 0x04034b50, true);
    common(localView, 4);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const centralView = new DataView(central.buffer);
    centralView.setUint32(0, 0x02014b50, true);
    centralView.setUint16(4, 20, true); // made by: version 2.0
    common(centralView, 6);
    centralView.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, deflated);
    centrals.push(central);
    offset += local.length + deflated.length;
  }
  const directorySize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const endView = new DataView(end.buffer);
  endView.setUint32(0, 0x06054b50, true);
  endView.setUint16(8, files.length, true);
  endView.setUint16(10, files.length, true);
  endView.setUint32(12, directorySize, true);
  endView.setUint32(16, offset, true);
  const out = new Uint8Array(offset + directorySize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
