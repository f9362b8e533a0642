import { readdir, realpath } from "node:fs/promises";
import { dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import type { Diagnostic, Logo, Org } from "../types.ts";
import { MAX_ORG_BYTES, readRegularFile, readSourceText, readTextFile } from "./read.ts";
import { parseYamlWithPositions, positionOf } from "./yaml.ts";

export const ORG_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SCHEMA_FILE = "org.schema.json";

const IMAGE_TYPES: Record<string, { mediaType: string; magic: (b: Buffer) => boolean }> = {
  ".png": {
    mediaType: "image/png",
    magic: (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])),
  },
  ".jpg": { mediaType: "image/jpeg", magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  ".jpeg": { mediaType: "image/jpeg", magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  ".svg": { mediaType: "image/svg+xml", magic: (b) => /<svg[\s>]/.test(b.subarray(0, 4096).toString("utf8")) },
};

/** A logo is a small picture; anything bigger is a mistake (or an attack on the build). */
export const MAX_LOGO_BYTES = 5 * 1024 * 1024;

const loadLogo = (org: Org, logoPath: string) =>
  loadImage(logoPath, dirname(org.file), "the organisations folder", {
    file: org.file,
    ...positionOf(org.positions, "/logo"),
    severity: "error",
    rule: "logo",
  });

/**
 * A logo named in a YAML file (`at`), relative to `folder`, which it must stay inside after every
 * symlink is followed: a regular file of at most 5 MB that really is a PNG, JPEG or SVG image.
 */
export async function loadImage(
  logoPath: string,
  folder: string,
  folderName: string,
  at: Omit<Diagnostic, "message" | "hint">,
): Promise<{ logo?: Logo; diagnostic?: Diagnostic }> {
  const fail = (message: string, hint: string) => ({ diagnostic: { ...at, message, hint } });
  const type = IMAGE_TYPES[extname(logoPath).toLowerCase()];
  if (!type) return fail(`logo ${logoPath} is not a PNG, JPEG or SVG file`, "use a .png, .jpg or .svg image");
  const path = resolve(folder, logoPath);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return fail(`logo file ${logoPath} not found (looked for ${path})`, `the path is relative to ${folder}/`);
  }
  // Only files of the organisations folder are embedded, wherever a path or a symlink points.
  const root = await realpath(folder);
  if (relative(root, real).startsWith("..") || isAbsolute(relative(root, real))) {
    return fail(
      `logo ${logoPath} is outside ${folderName} (it resolves to ${real})`,
      `copy the image into ${folder}/ (e.g. ${folder}/logos/) and point \`logo\` at the copy`,
    );
  }
  const read = await readRegularFile(real, MAX_LOGO_BYTES, at);
  if ("diagnostic" in read) {
    return fail(`logo ${logoPath}: ${read.diagnostic.message}`, read.diagnostic.hint ?? "use a regular image file");
  }
  const bytes = read.ok;
  if (!type.magic(bytes)) {
    return fail(
      `logo ${logoPath} is not really a ${type.mediaType} image`,
      "re-export the image, or fix the file extension",
    );
  }
  // A data URI: PDFs and Word files embed it (Chromium prints with no base URL and loads nothing);
  // web pages show the pack folder's copy of it (logoFile in render/html/page.ts).
  return { logo: { mediaType: type.mediaType, dataUri: `data:${type.mediaType};base64,${bytes.toString("base64")}` } };
}

const ORG_FILE = /\.ya?ml$/;

export async function loadOrgs(dir: string): Promise<{ orgs: Org[]; diagnostics: Diagnostic[] }> {
  const names = (await readdir(dir)).filter((name) => ORG_FILE.test(name)).sort();
  const orgs: Org[] = [];
  const diagnostics: Diagnostic[] = [];
  // afon.yaml and afon.yml would be built into one folder, one client's name in the other's pack.
  const filesById = new Map<string, string[]>();
  for (const name of names) {
    const id = name.replace(ORG_FILE, "");
    filesById.set(id, [...(filesById.get(id) ?? []), name]);
  }
  for (const name of names) {
    const file = join(dir, name);
    const id = name.replace(ORG_FILE, "");
    if (!ORG_ID.test(id)) {
      diagnostics.push({
        file,
        line: 1,
        column: 1,
        severity: "error",
        rule: "org-id",
        message: `the file name gives the organisation id "${id}", which is not lower-case letters, digits and hyphens`,
        hint: `rename it, e.g. ${id
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")
          .replace(/^-|-$/g, "")}.yaml`,
      });
      continue;
    }
    const twins = (filesById.get(id) ?? []).filter((other) => other !== name);
    if (twins.length > 0) {
      diagnostics.push({
        file,
        line: 1,
        column: 1,
        severity: "error",
        rule: "duplicate-org",
        message: `${twins.map((t) => join(dir, t)).join(" and ")} also gives the organisation id "${id}"`,
        hint: "one organisation, one file: merge them, or rename one of them",
      });
      continue;
    }
    const read = await readSourceText(file, MAX_ORG_BYTES);
    if (read.diagnostics) {
      diagnostics.push(...read.diagnostics);
      continue;
    }
    const parsed = parseYamlWithPositions(read.text, file);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.data === undefined) continue;
    const data = (parsed.data ?? {}) as Record<string, unknown>;
    const org: Org = { id, file, data, positions: parsed.positions };
    if (typeof data.logo === "string") {
      const { logo, diagnostic } = await loadLogo(org, data.logo);
      if (logo) org.logo = logo;
      if (diagnostic) diagnostics.push(diagnostic);
    }
    orgs.push(org);
  }
  return { orgs, diagnostics };
}

export async function loadOrgSchema(dir: string): Promise<object | string> {
  const file = join(dir, SCHEMA_FILE);
  const read = await readTextFile(file);
  if ("diagnostic" in read) {
    const { message, hint } = read.diagnostic;
    return `cannot read the organisation schema ${file}: ${message.replace(`${file} `, "")}${hint ? ` (${hint})` : ""}`;
  }
  try {
    return JSON.parse(read.ok) as object;
  } catch (error) {
    return `cannot read the organisation schema ${file}: ${(error as Error).message}`;
  }
}
