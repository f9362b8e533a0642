import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FONT_DIRECTORY, FONT_FAMILY } from "../fonts.ts";

// The house font goes into every Word file, so Word shows the typeface of the PDF and the web
// page rather than substituting one of its own. Each face is about 110 kB zipped: a document
// carries regular and bold, and italic and bold italic only when its text uses them.

export type Face = "bold" | "italic" | "boldItalic";

const FILES = {
  data: "400Regular/IBMPlexSans_400Regular.ttf",
  bold: "700Bold/IBMPlexSans_700Bold.ttf",
  italic: "400Regular_Italic/IBMPlexSans_400Regular_Italic.ttf",
  boldItalic: "700Bold_Italic/IBMPlexSans_700Bold_Italic.ttf",
} as const;

const loaded = new Map<keyof typeof FILES, Buffer>();
const file = (face: keyof typeof FILES) => {
  let data = loaded.get(face);
  if (!data) {
    data = readFileSync(join(FONT_DIRECTORY, FILES[face]));
    loaded.set(face, data);
  }
  return data;
};

/** The house font with the faces a document uses, for docx's `fonts` option. */
export function embeddedFonts(faces: ReadonlySet<Face>) {
  return [
    {
      name: FONT_FAMILY,
      data: file("data"),
      bold: file("bold"),
      ...(faces.has("italic") ? { italic: file("italic") } : {}),
      ...(faces.has("boldItalic") ? { boldItalic: file("boldItalic") } : {}),
    },
  ];
}
