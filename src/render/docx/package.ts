import { deflateRawSync } from "node:zlib";
import { type Document, Packer } from "docx";
import { strFromU8, strToU8, unzipSync } from "fflate";
import type { CalendarDate } from "../../types.ts";
import { crc32, type ZipMember, zipMembers } from "../../write/zip.ts";
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
  return zipMembers(
    paths.map((path) => ({ name: path, ...compress(files[path] as Uint8Array, path.startsWith("word/fonts/")) })),
    buildDate,
  );
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The font files, which fonts.ts hands out as the same arrays in every document, compressed once
 * per process (by identity), not once per document.
 */
const compressedOnce = new WeakMap<Uint8Array, Omit<ZipMember, "name">>();

/**
 * A document's own files at zlib's fastest level, which still shrinks the XML about fivefold
 * (fflate's deflate, in JavaScript, took three times as long: 5.4 against 1.6 ms a policy's
 * parts); the `shared` font files, compressed once, at the smallest.
 */
function compress(data: Uint8Array, shared: boolean): Omit<ZipMember, "name"> {
  let entry = shared ? compressedOnce.get(data) : undefined;
  if (!entry) {
    entry = {
      crc: crc32(data),
      size: data.length,
      data: deflateRawSync(data, { level: shared ? 9 : 1 }),
      deflated: true,
    };
    if (shared) compressedOnce.set(data, entry);
  }
  return entry;
}
