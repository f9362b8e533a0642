import { createHash } from "node:crypto";
import { strFromU8, strToU8, unzipSync, type Zippable, zipSync } from "fflate";
import type { CalendarDate } from "../../types.ts";
import { hasNonXml, xmlText } from "./text.ts";

// docx's Packer stamps each zip entry and docProps/core.xml with the current time, names the
// relationships of hyperlinks with random ids, and obfuscates each embedded font with a random
// key. This rewrites the package so the same policy gives the same bytes: every time is the build
// date, random relationship ids become numbered ones, and each font's key comes from its bytes.

const CONTENT_TYPES = "[Content_Types].xml";
const RANDOM_ID = /Id="(rId[a-z0-9_-]*[a-z_-][a-z0-9_-]*)"/g;

/** The `.docx` bytes docx packed, rewritten to depend only on its content and the build date. */
export function deterministicPackage(packed: Uint8Array, buildDate: CalendarDate): Uint8Array {
  const files = unzipSync(packed);
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

  const fontTable = "word/fontTable.xml";
  if (files[fontTable]) {
    const rels = text("word/_rels/fontTable.xml.rels");
    files[fontTable] = strToU8(
      text(fontTable).replace(
        /(r:id="([^"]+)" w:fontKey=")\{([0-9A-Fa-f-]{36})\}"/g,
        (_m, head: string, id: string, key: string) => {
          const path = `word/${new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1]}`;
          const font = obfuscate(files[path] as Uint8Array, key);
          const fixed = guid(font);
          files[path] = obfuscate(font, fixed);
          return `${head}{${fixed}}"`;
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
    let relsXml = text(rels);
    const ids = [...relsXml.matchAll(RANDOM_ID)].map((match) => match[1] as string);
    if (ids.length === 0) continue;
    let partXml = files[part] ? text(part) : "";
    ids.forEach((id, i) => {
      relsXml = relsXml.replaceAll(`"${id}"`, `"rIdLink${i + 1}"`);
      partXml = partXml.replaceAll(`"${id}"`, `"rIdLink${i + 1}"`);
    });
    files[rels] = strToU8(relsXml);
    if (files[part]) files[part] = strToU8(partXml);
  }

  // A zip entry's time is a local date and time without a zone: give a local Date so that the
  // bytes do not depend on the machine's time zone.
  const mtime = new Date(buildDate.year, buildDate.month - 1, buildDate.day);
  // [Content_Types].xml goes first, as Word writes it, for tools that sniff a zip's first entry.
  const paths = Object.keys(files).sort((a, b) => Number(b === CONTENT_TYPES) - Number(a === CONTENT_TYPES));
  const entries: Zippable = {};
  // The fastest level: the XML still shrinks about tenfold, at a third of the cost of level 6.
  for (const path of paths) entries[path] = [files[path] as Uint8Array, { mtime, level: 1 }];
  return zipSync(entries);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A GUID made from the bytes' hash, upper case as Word writes font keys. */
function guid(bytes: Uint8Array): string {
  const hex = createHash("sha256").update(bytes).digest("hex").slice(0, 32).toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * ECMA-376 font obfuscation: the first 32 bytes XORed with the key's bytes in reverse order. XOR
 * twice with the same key gives the font back.
 */
export function obfuscate(font: Uint8Array, key: string): Uint8Array<ArrayBuffer> {
  const bytes = (key.replace(/-/g, "").match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16)).reverse();
  const out = font.slice();
  for (let i = 0; i < Math.min(32, out.length); i++) out[i] = (out[i] as number) ^ (bytes[i % 16] as number);
  return out;
}
