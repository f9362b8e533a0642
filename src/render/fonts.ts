import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CACHE_DIR, FileCache } from "../cache.ts";
import { sha256 } from "../hash.ts";
import { toolFingerprint } from "../tool-fingerprint.ts";
import type { ThemeFont } from "../types.ts";

// Fonts ship with the project, so every page looks the same on every machine and nothing is
// fetched: IBM Plex Sans, as web fonts for HTML and as TrueType for Chromium's PDFs.
export const FONT_FAMILY = "IBM Plex Sans";

interface Face {
  weight: 400 | 600 | 700;
  style: "normal" | "italic";
}
// Body text, semibold labels, bold headings; italic only for pages that have emphasis.
const UPRIGHT: readonly Face[] = [
  { weight: 400, style: "normal" },
  { weight: 600, style: "normal" },
  { weight: 700, style: "normal" },
];
const ITALIC: Face = { weight: 400, style: "italic" };
const SUBSETS = [
  {
    name: "latin",
    range:
      "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD",
  },
  {
    name: "latin-ext",
    range:
      "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, U+02CE-02D7, U+02DD-02FF, U+0304, U+0308, U+0329, U+1D00-1DBF, U+1E00-1E9F, U+1EF2-1EFF, U+2020, U+20A0-20AB, U+20AD-20C0, U+2113, U+2C60-2C7F, U+A720-A7FF",
  },
] as const;

const packageDirs = new Map<string, string>();
/** Where an installed package is: resolved once, since every pack asks for its font files. */
const packageDir = (name: string) => {
  let dir = packageDirs.get(name);
  if (dir === undefined) {
    dir = dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
    packageDirs.set(name, dir);
  }
  return dir;
};

/**
 * The same family as TrueType files, for Chromium through fontconfig when printing PDFs: its
 * header and footer templates cannot use web fonts, and it cannot read WOFF files from fontconfig.
 */
export const FONT_DIRECTORY = packageDir("@expo-google-fonts/ibm-plex-sans");

/** Which web fonts a page needs. */
export interface FontNeeds {
  italic: boolean;
}

const faces = (needs: FontNeeds) => (needs.italic ? [...UPRIGHT, ITALIC] : UPRIGHT);
const fileName = (face: Face, subset: string) => `ibm-plex-sans-${subset}-${face.weight}-${face.style}.woff2`;

/**
 * @font-face rules for the WOFF2 files that sit beside the page (see fontFiles), by plain
 * relative name: a page opened on its own falls back to the system fonts in policy.css.
 */
export function fontFaceCss(needs: FontNeeds, font?: ThemeFont): string {
  if (font) {
    return themeFaces(needs, font)
      .map(
        (face) =>
          `@font-face{font-family:${JSON.stringify(font.family)};font-style:${face.style};font-weight:${face.weight};font-display:swap;src:url(${face.name}) format("woff2")}`,
      )
      .join("\n");
  }
  return faces(needs)
    .flatMap((face) =>
      SUBSETS.map(
        (subset) =>
          `@font-face{font-family:"${FONT_FAMILY}";font-style:${face.style};font-weight:${face.weight};font-display:swap;src:url(${fileName(face, subset.name)}) format("woff2");unicode-range:${subset.range}}`,
      ),
    )
    .join("\n");
}

const files = new Map<string, Uint8Array>();

/**
 * Latin letters (Welsh ŵ, ŷ, ẁ, ỳ included) and common punctuation: what policies in English and
 * Welsh are written in, and all a theme's font is cut down to for web pages and Word files.
 */
export const LATIN_AND_WELSH = [
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

/** How each format's files begin: a kept file that does not is cut again. */
const MAGIC = { truetype: Buffer.from([0, 1, 0, 0]), woff2: Buffer.from("wOF2") };

/** Fonts cut down before, by the hash of the font, the format and the tool (its HarfBuzz). */
const cutFonts = new FileCache(join(CACHE_DIR, "fonts"), 100);

/**
 * The font file cut down to Latin and Welsh, as TrueType (for Word files) or WOFF2 (for web
 * pages). Cutting runs HarfBuzz, compiled to WebAssembly: about 300 ms and 25 MB for each thread
 * that renders, so the result is kept between runs in `cache`.
 */
export async function cutToLatinAndWelsh(
  file: string,
  format: "truetype" | "woff2",
  cache: FileCache = cutFonts,
): Promise<Uint8Array<ArrayBuffer>> {
  const font = readFileSync(file);
  const key = sha256(toolFingerprint(), format, LATIN_AND_WELSH, font);
  const kept = cache.read(key);
  if (kept?.subarray(0, 4).equals(MAGIC[format])) return new Uint8Array(kept);
  // Loaded here: every command imports this module, and a warm cache never needs it.
  const { default: subsetFont } = await import("subset-font");
  const cut = new Uint8Array(await subsetFont(font, LATIN_AND_WELSH, { targetFormat: format }));
  cache.write(key, cut);
  return cut;
}

/** A theme font's faces a page uses, by the file names of their web fonts; semibold falls back to bold. */
function themeFaces(needs: FontNeeds, font: ThemeFont) {
  const slug = font.family.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const face = (weight: number, style: "normal" | "italic", file: string | undefined) =>
    file ? [{ weight, style, file, name: `${slug}-${weight}-${style}.woff2` }] : [];
  return [
    ...face(400, "normal", font.files.regular),
    ...face(600, "normal", font.files.semibold ?? font.files.bold),
    ...face(700, "normal", font.files.bold),
    ...(needs.italic ? face(400, "italic", font.files.italic) : []),
  ];
}

const themeWebFonts = new Map<string, Promise<Uint8Array>>();

/** A theme font's faces as WOFF2 files cut to Latin and Welsh, made once per process. */
async function themeFontFiles(needs: FontNeeds, font: ThemeFont): Promise<{ name: string; data: Uint8Array }[]> {
  return Promise.all(
    themeFaces(needs, font).map(async ({ file, name }) => {
      let data = themeWebFonts.get(file);
      if (!data) {
        data = cutToLatinAndWelsh(file, "woff2");
        themeWebFonts.set(file, data);
      }
      return { name, data: await data };
    }),
  );
}

/** The WOFF2 files fontFaceCss names, to write into the pack folder. */
export async function fontFiles(needs: FontNeeds, font?: ThemeFont): Promise<{ name: string; data: Uint8Array }[]> {
  if (font) return themeFontFiles(needs, font);
  const dir = join(packageDir("@fontsource/ibm-plex-sans"), "files");
  return faces(needs).flatMap((face) =>
    SUBSETS.map((subset) => {
      const name = fileName(face, subset.name);
      let data = files.get(name);
      if (!data) {
        data = readFileSync(join(dir, name));
        files.set(name, data);
      }
      return { name, data };
    }),
  );
}
