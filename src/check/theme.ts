import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { loadImage } from "../load/orgs.ts";
import type { ThemeSource } from "../load/theme.ts";
import { positionOf } from "../load/yaml.ts";
import { DEFAULT_THEME, type Diagnostic, type Theme, type ThemeFont } from "../types.ts";
import { compileSchema, schemaDiagnostics } from "./schema.ts";

const COLOUR = { type: "string", pattern: "^#[0-9a-fA-F]{6}$" };
const TEXT = { type: "string", minLength: 1, maxLength: 300, pattern: "^[^\\n]*$" };

const THEME_SCHEMA = {
  type: "object",
  additionalProperties: false,
  description: "the consultancy's house style: consultancy, colours, font and cover",
  properties: {
    consultancy: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      description: "who prepares the packs, shown as Prepared by … on the manual's cover and the pack pages",
      properties: {
        name: { ...TEXT, description: "the consultancy's name, e.g. Polisi Cymru Ltd" },
        logo: { type: "string", description: "a PNG, JPEG or SVG file in the library folder, e.g. theme/logo.svg" },
        website: { type: "string", format: "uri", pattern: "^https://", description: "https://…" },
      },
    },
    colours: {
      type: "object",
      additionalProperties: false,
      description:
        "colours as #rrggbb: accent (headings, links), ink (text), muted (labels), rule (lines), tint (table headers)",
      properties: {
        accent: { ...COLOUR, description: "headings, rules, links and the organisation's name, as #rrggbb" },
        ink: { ...COLOUR, description: "body text, as #rrggbb" },
        muted: { ...COLOUR, description: "labels, captions, running header and footer, as #rrggbb" },
        rule: { ...COLOUR, description: "table borders and hairlines, as #rrggbb" },
        tint: { ...COLOUR, description: "table headers and labels' background, as #rrggbb" },
      },
    },
    font: {
      type: "string",
      pattern: "^@expo-google-fonts/[a-z0-9-]+$",
      description:
        "an npm font package of TrueType files, installed in this project, e.g. @expo-google-fonts/source-sans-3",
    },
    cover: {
      type: "object",
      additionalProperties: false,
      description: "the manual's cover",
      properties: {
        title: { ...TEXT, description: "its heading (default: Policy pack)" },
        title_cy: { ...TEXT, description: "its heading in Welsh manuals (default: Pecyn polisïau)" },
        text: {
          type: "string",
          minLength: 1,
          maxLength: 1000,
          description: "a paragraph under the organisation's details",
        },
        text_cy: {
          type: "string",
          minLength: 1,
          maxLength: 1000,
          description: "that paragraph in Welsh manuals",
        },
      },
    },
  },
};

let validate: ReturnType<typeof compileSchema> | undefined;

interface RawTheme {
  consultancy?: { name: string; logo?: string; website?: string };
  colours?: Partial<Theme["colours"]>;
  font?: string;
  cover?: { title?: string; text?: string; title_cy?: string; text_cy?: string };
}

// The faces every document uses, then those only some do, as @expo-google-fonts packages name them.
const FACES = {
  regular: "400Regular",
  semibold: "600SemiBold",
  bold: "700Bold",
  italic: "400Regular_Italic",
  boldItalic: "700Bold_Italic",
} as const;

/**
 * A font package's TrueType faces, from the project that holds the library (a consultancy's own
 * repository), the folder the command runs in, or else policypack's own; a reason when it is not
 * there or lacks regular and bold.
 */
export function resolveFont(name: string, library: string): ThemeFont | string {
  let manifest: string | undefined;
  for (const from of [join(library, "package.json"), join(process.cwd(), "package.json"), import.meta.url]) {
    try {
      manifest = createRequire(from).resolve(`${name}/package.json`);
      break;
    } catch {}
  }
  if (!manifest) return `the font package ${name} is not installed`;
  const directory = dirname(manifest);
  let family: string;
  try {
    family = (createRequire(manifest)("./metadata.json") as { family: string }).family;
  } catch {
    return `${name} has no metadata.json naming its family: it is not an @expo-google-fonts package`;
  }
  // The family goes into CSS and Word's font table: letters, digits and spaces only.
  if (!/^[A-Za-z0-9 ]{1,64}$/.test(family))
    return `${name} names its family ${JSON.stringify(family)}, which policypack cannot use`;
  const file = (face: string) => join(directory, face, `${family.replace(/\s+/g, "")}_${face}.ttf`);
  const files: Partial<ThemeFont["files"]> = {};
  for (const [key, face] of Object.entries(FACES)) {
    if (existsSync(file(face))) files[key as keyof ThemeFont["files"]] = file(face);
  }
  if (!files.regular || !files.bold)
    return `${name} has no regular and bold TrueType faces (${FACES.regular}, ${FACES.bold})`;
  return { family, directory, files: files as ThemeFont["files"] };
}

/** Validates theme.yaml and reads what it names (logo, font); the default theme when it has errors. */
export async function checkTheme(source: ThemeSource): Promise<{ theme: Theme; diagnostics: Diagnostic[] }> {
  validate ??= compileSchema(THEME_SCHEMA);
  if (source.data === null) return { theme: DEFAULT_THEME, diagnostics: [] };
  const diagnostics = schemaDiagnostics(validate, source.data, source.positions, source.file);
  if (diagnostics.length > 0) return { theme: DEFAULT_THEME, diagnostics };
  const raw = source.data as RawTheme;
  const at = (pointer: string) => ({
    file: source.file,
    ...positionOf(source.positions, pointer),
    severity: "error" as const,
    rule: "theme",
  });
  const theme: Theme = {
    colours: { ...DEFAULT_THEME.colours, ...raw.colours },
    cover: {
      ...(raw.cover?.title ? { title: raw.cover.title } : {}),
      ...(raw.cover?.text ? { text: raw.cover.text } : {}),
      ...(raw.cover?.title_cy ? { titleCy: raw.cover.title_cy } : {}),
      ...(raw.cover?.text_cy ? { textCy: raw.cover.text_cy } : {}),
    },
  };
  if (raw.consultancy) {
    const { name, logo, website } = raw.consultancy;
    theme.consultancy = { name, ...(website ? { website } : {}) };
    if (logo) {
      const folder = dirname(source.file);
      const read = await loadImage(logo, folder, "the policy library folder", {
        ...at("/consultancy/logo"),
        rule: "logo",
      });
      if (read.diagnostic) diagnostics.push(read.diagnostic);
      else theme.consultancy.logo = read.logo;
    }
  }
  if (raw.font) {
    const font = resolveFont(raw.font, dirname(source.file));
    if (typeof font === "string") {
      diagnostics.push({ ...at("/font"), message: font, hint: `install it with \`npm install ${raw.font}\`` });
    } else theme.font = font;
  }
  return { theme, diagnostics };
}
