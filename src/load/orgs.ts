import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Diagnostic, Logo, Org } from "../types.ts";
import { parseYamlWithPositions, positionOf } from "./yaml.ts";

export const ORG_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SCHEMA_FILE = "org.schema.json";

const IMAGE_TYPES: Record<string, { mediaType: string; magic: (b: Buffer) => boolean }> = {
  ".png": {
    mediaType: "image/png",
    magic: (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])),
  },
  ".jpg": { mediaType: "image/jpeg", magic: (b) => b[0] === 0xff && b[1] === 0xd8 },
  ".jpeg": { mediaType: "image/jpeg", magic: (b) => b[0] === 0xff && b[1] === 0xd8 },
  ".svg": { mediaType: "image/svg+xml", magic: (b) => /<svg[\s>]/.test(b.subarray(0, 4096).toString("utf8")) },
};

async function loadLogo(org: Org, logoPath: string): Promise<{ logo?: Logo; diagnostic?: Diagnostic }> {
  const at = { file: org.file, ...positionOf(org.positions, "/logo"), severity: "error" as const, rule: "logo" };
  const type = IMAGE_TYPES[extname(logoPath).toLowerCase()];
  if (!type) {
    return {
      diagnostic: {
        ...at,
        message: `logo ${logoPath} is not a PNG, JPEG or SVG file`,
        hint: "use a .png, .jpg or .svg image",
      },
    };
  }
  const path = resolve(dirname(org.file), logoPath);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return {
      diagnostic: {
        ...at,
        message: `logo file ${logoPath} not found (looked for ${path})`,
        hint: "the path is relative to the organisation's YAML file",
      },
    };
  }
  if (!type.magic(bytes)) {
    return {
      diagnostic: {
        ...at,
        message: `logo ${logoPath} is not really a ${type.mediaType} image`,
        hint: "re-export the image, or fix the file extension",
      },
    };
  }
  // A data URI: documents must never fetch anything, and PDF header templates cannot load files.
  return { logo: { mediaType: type.mediaType, dataUri: `data:${type.mediaType};base64,${bytes.toString("base64")}` } };
}

export async function loadOrgs(dir: string): Promise<{ orgs: Org[]; diagnostics: Diagnostic[] }> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const orgs: Org[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const id = basename(name).replace(/\.ya?ml$/, "");
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
    const parsed = parseYamlWithPositions(await readFile(file, "utf8"), file);
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
  try {
    return JSON.parse(await readFile(file, "utf8")) as object;
  } catch (error) {
    return `cannot read the organisation schema ${file}: ${(error as Error).message}`;
  }
}
