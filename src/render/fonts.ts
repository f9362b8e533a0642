import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// Fonts ship with the project (@fontsource/source-sans-3), embedded as data URIs, so a page
// looks the same on every machine and never fetches anything.
const FAMILY = "Source Sans 3";
const FACES = [
  { weight: 400, style: "normal" },
  { weight: 400, style: "italic" },
  { weight: 600, style: "normal" },
  { weight: 700, style: "normal" },
] as const;
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
];

let css: string | undefined;

export function fontFaceCss(): string {
  if (css !== undefined) return css;
  const files = join(
    dirname(createRequire(import.meta.url).resolve("@fontsource/source-sans-3/package.json")),
    "files",
  );
  const rules: string[] = [];
  for (const face of FACES) {
    for (const subset of SUBSETS) {
      const data = readFileSync(
        join(files, `source-sans-3-${subset.name}-${face.weight}-${face.style}.woff2`),
      ).toString("base64");
      rules.push(
        `@font-face{font-family:"${FAMILY}";font-style:${face.style};font-weight:${face.weight};font-display:block;src:url(data:font/woff2;base64,${data}) format("woff2");unicode-range:${subset.range}}`,
      );
    }
  }
  css = rules.join("\n");
  return css;
}
