import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FONT_DIRECTORY, FONT_FAMILY } from "../fonts.ts";

// The house font goes into every Word file, so Word shows the typeface of the PDF and the web
// page rather than substituting one of its own. Each face is about 110 kB zipped: a document
// carries regular and bold, and italic and bold italic only when its text uses them.

export type Face = "bold" | "italic" | "boldItalic";

/** The font table's element for each face, and its file. */
const FILES = {
  embedRegular: "400Regular/IBMPlexSans_400Regular.ttf",
  embedBold: "700Bold/IBMPlexSans_700Bold.ttf",
  embedItalic: "400Regular_Italic/IBMPlexSans_400Regular_Italic.ttf",
  embedBoldItalic: "700Bold_Italic/IBMPlexSans_700Bold_Italic.ttf",
} as const;
type Element = keyof typeof FILES;

/**
 * The house font with the faces a document uses, for docx's `fonts` option. docx writes the font
 * table and its relationships from it; the files themselves it is given empty, and the package
 * step puts in each face's file (`embeddedFace`): docx would compress 220 kB of fonts for every
 * document, and obfuscate them with a random key.
 */
export function embeddedFonts(faces: ReadonlySet<Face>) {
  const empty = Buffer.alloc(0);
  return [
    {
      name: FONT_FAMILY,
      data: empty,
      bold: empty,
      ...(faces.has("italic") ? { italic: empty } : {}),
      ...(faces.has("boldItalic") ? { boldItalic: empty } : {}),
    },
  ];
}

const obfuscated = new Map<string, { key: string; data: Uint8Array<ArrayBuffer> }>();

/**
 * The file of a face of the house font as a Word package holds it: obfuscated (ECMA-376 Part 2,
 * 11.1) with a key made from the font's own bytes, so the same font gives the same file.
 */
export function embeddedFace(
  font: string,
  element: string,
): { key: string; data: Uint8Array<ArrayBuffer> } | undefined {
  if (font !== FONT_FAMILY || !(element in FILES)) return undefined;
  let face = obfuscated.get(element);
  if (!face) {
    const ttf = readFileSync(join(FONT_DIRECTORY, FILES[element as Element]));
    const key = guid(ttf);
    face = { key, data: obfuscate(ttf, key) };
    obfuscated.set(element, face);
  }
  return face;
}

/** A GUID made from the bytes' hash, upper case as Word writes font keys. */
function guid(bytes: Uint8Array): string {
  const hex = createHash("sha256").update(bytes).digest("hex").slice(0, 32).toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The first 32 bytes XORed with the key's 16 bytes, last byte first. */
function obfuscate(font: Uint8Array, key: string): Uint8Array<ArrayBuffer> {
  const bytes = (key.replace(/-/g, "").match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16)).reverse();
  const out = font.slice();
  for (let i = 0; i < Math.min(32, out.length); i++) out[i] = (out[i] as number) ^ (bytes[i % 16] as number);
  return out;
}
