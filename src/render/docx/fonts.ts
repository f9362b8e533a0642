import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import subsetFont from "subset-font";
import { FONT_DIRECTORY, FONT_FAMILY } from "../fonts.ts";

// The house font goes into every Word file, so Word shows the typeface of the PDF and the web
// page rather than substituting one of its own. A document carries regular and bold, and italic
// and bold italic only when its text uses them. Each face is cut down to the Latin letters (Welsh
// ŵ and ŷ included) and common punctuation: about 40% of the whole font, and still enough to
// edit the policy in English or Welsh in the same typeface.

/** Basic Latin, Latin-1, Latin Extended-A and B, Welsh w and y with accents, and the punctuation of U+2010–U+206F, € and ™. */
const CHARACTERS = [
  [0x20, 0x7e],
  [0xa0, 0x24f],
  [0x1e80, 0x1e85], // Welsh ẁ ẃ ẅ
  [0x1ef2, 0x1ef3], // Welsh ỳ
  [0x2010, 0x206f],
  [0x20ac, 0x20ac],
  [0x2122, 0x2122],
]
  .flatMap(([from, to]) =>
    Array.from({ length: (to as number) - (from as number) + 1 }, (_, i) => (from as number) + i),
  )
  .map((code) => String.fromCodePoint(code))
  .join("");

export type Face = "bold" | "italic" | "boldItalic";

/** The font table's element for each face, and its file. */
const FILES = {
  embedRegular: "400Regular/IBMPlexSans_400Regular.ttf",
  embedBold: "700Bold/IBMPlexSans_700Bold.ttf",
  embedItalic: "400Regular_Italic/IBMPlexSans_400Regular_Italic.ttf",
  embedBoldItalic: "700Bold_Italic/IBMPlexSans_700Bold_Italic.ttf",
} as const;

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
let preparing: Promise<void> | undefined;

/** Cuts and obfuscates every face once per process; `embeddedFace` needs it done. */
export function prepareFaces(): Promise<void> {
  preparing ??= Promise.all(
    Object.entries(FILES).map(async ([element, file]) => {
      const ttf = new Uint8Array(
        await subsetFont(readFileSync(join(FONT_DIRECTORY, file)), CHARACTERS, { targetFormat: "truetype" }),
      );
      const key = guid(ttf);
      obfuscated.set(element, { key, data: obfuscate(ttf, key) });
    }),
  ).then(() => {});
  return preparing;
}

/**
 * The file of a face of the house font as a Word package holds it: obfuscated (ECMA-376 Part 2,
 * 11.1) with a key made from the font's own bytes, so the same font gives the same file.
 */
export function embeddedFace(
  font: string,
  element: string,
): { key: string; data: Uint8Array<ArrayBuffer> } | undefined {
  if (font !== FONT_FAMILY) return undefined;
  return obfuscated.get(element);
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
