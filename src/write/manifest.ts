import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";

export const MANIFEST = "manifest.json";

/** What each output file of a pack was built from: file name → hash of its inputs. */
export interface Manifest {
  version: 1;
  files: Record<string, string>;
}

export async function readManifest(dir: string): Promise<Manifest> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as Manifest;
    if (manifest.version === 1 && typeof manifest.files === "object") return manifest;
  } catch {
    // Missing or unreadable: everything is built.
  }
  return { version: 1, files: {} };
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b)));
  await writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify({ version: 1, files }, null, 2)}\n`);
}
