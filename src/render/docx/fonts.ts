import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ThemeFont } from "../../types.ts";
import { cutToLatinAndWelsh, FONT_DIRECTORY, FONT_FAMILY } from "../fonts.ts";

// The house font goes into every Word file, so Word shows the typeface of the PDF and the web
// page rather than substituting one of its own. A document carries regular and bold, and italic
// and bold italic only when its text uses them. Each face is cut down to the Latin letters (Welsh
// ŵ and ŷ included) and common punctuation: about 40% of the whole font, and still enough to
// edit the policy in English or Welsh in the same typeface.

export type Face = "bold" | "italic" | "boldItalic";

/** The font table's element for each face, and its file: the house font's, or a theme's. */
function faceFiles(font: ThemeFont | undefined): Partial<Record<string, string>> {
  if (!font) {
    return {
      embedRegular: join(FONT_DIRECTORY, "400Regular/IBMPlexSans_400Regular.ttf"),
      embedBold: join(FONT_DIRECTORY, "700Bold/IBMPlexSans_700Bold.ttf"),
      embedItalic: join(FONT_DIRECTORY, "400Regular_Italic/IBMPlexSans_400Regular_Italic.ttf"),
      embedBoldItalic: join(FONT_DIRECTORY, "700Bold_Italic/IBMPlexSans_700Bold_Italic.ttf"),
    };
  }
  const { regular, bold, italic, boldItalic } = font.files;
  return { embedRegular: regular, embedBold: bold, embedItalic: italic, embedBoldItalic: boldItalic };
}

/**
 * The document's font with the faces it uses, for docx's `fonts` option. docx writes the font
 * table and its relationships from it; the files themselves it is given empty, and the package
 * step puts in each face's file (`embeddedFace`): docx would compress 220 kB of fonts for every
 * document, and obfuscate them with a random key. A face the font lacks (a theme font without
 * italics) is left for Word to slant.
 */
export function embeddedFonts(faces: ReadonlySet<Face>, font?: ThemeFont) {
  const empty = Buffer.alloc(0);
  const files = faceFiles(font);
  return [
    {
      name: font?.family ?? FONT_FAMILY,
      data: empty,
      bold: empty,
      ...(faces.has("italic") && files.embedItalic ? { italic: empty } : {}),
      ...(faces.has("boldItalic") && files.embedBoldItalic ? { boldItalic: empty } : {}),
    },
  ];
}

/** Each family's faces, cut and obfuscated, by "family/element". */
const obfuscated = new Map<string, { key: string; data: Uint8Array<ArrayBuffer> }>();
const preparing = new Map<string, Promise<void>>();

/** Cuts and obfuscates every face of the font once per process; `embeddedFace` needs it done. */
export function prepareFaces(font?: ThemeFont): Promise<void> {
  const family = font?.family ?? FONT_FAMILY;
  let done = preparing.get(family);
  if (!done) {
    done = Promise.all(
      Object.entries(faceFiles(font)).map(async ([element, file]) => {
        if (!file) return;
        const ttf = await cutToLatinAndWelsh(file, "truetype");
        const key = guid(ttf);
        obfuscated.set(`${family}/${element}`, { key, data: obfuscate(ttf, key) });
      }),
    ).then(() => {});
    preparing.set(family, done);
  }
  return done;
}

/**
 * The file of a face of a font as a Word package holds it: obfuscated (ECMA-376 Part 2, 11.1)
 * with a key made from the font's own bytes, so the same font gives the same file.
 */
export function embeddedFace(
  font: string,
  element: string,
): { key: string; data: Uint8Array<ArrayBuffer> } | undefined {
  return obfuscated.get(`${font}/${element}`);
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
