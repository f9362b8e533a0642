import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";

export const MANIFEST = "manifest.json";

/**
 * What each output file of a folder was built from: file name → hash of its inputs. Every pack
 * folder has one, and so does the top of the output folder (for the overview page): a file is
 * policypack's to overwrite or remove only if its folder's manifest lists it.
 */
export interface Manifest {
  version: 1;
  files: Record<string, string>;
  /** File name → SHA-256 of the bytes policypack wrote: a file is removed only while it still has them. */
  written?: Record<string, string>;
}

/** Written into every manifest, so the top of an output folder is told apart from anyone's manifest.json. */
export const GENERATOR = "policypack";

/** A manifest as read from disk, which is untrusted: a CI cache or artifact can hold anything. */
export interface ManifestRead {
  /** No manifest.json in the folder. */
  missing: boolean;
  /** Why manifest.json is not one policypack wrote (then `files` is empty and nothing is owned). */
  notOurs?: string;
  /** Whether it says policypack wrote it (manifests of packs built before 2026-11-25 do not). */
  generator: boolean;
  /** The entries that are plain file names in the folder. */
  files: Record<string, string>;
  /** What policypack wrote under those names (SHA-256 of the bytes), where the manifest says. */
  written: Record<string, string>;
  /** Written before manifests recorded what was written: `written` is empty for that reason. */
  legacy?: boolean;
  /** Entries left out because they could name something outside the folder (JSON-quoted). */
  ignored: string[];
}

/** Larger than any real pack's manifest by far; a bigger file is not ours, and is not parsed. */
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * A name that can only mean a file directly inside its folder: no separators, no `.` or `..`,
 * no NUL or other control characters, not the manifest itself.
 */
export function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    name !== "." &&
    name !== ".." &&
    name !== MANIFEST &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
    !/[/\\\u0000-\u001f\u007f]/.test(name)
  );
}

export async function readManifest(dir: string): Promise<ManifestRead> {
  const path = join(dir, MANIFEST);
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_BYTES) return notOurs(`${path} is larger than any manifest policypack writes`);
    text = bytes.toString("utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { missing: true, generator: false, files: {}, written: {}, ignored: [] };
    if (code === "EISDIR") return notOurs(`${path} is a folder`);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return notOurs(`${path} is not JSON`);
  }
  const manifest = parsed as Partial<Manifest> | null;
  if (typeof manifest !== "object" || manifest === null || manifest.version !== 1) {
    return notOurs(`${path} is not a policypack manifest (no "version": 1)`);
  }
  const files: Record<string, string> = {};
  const ignored: string[] = [];
  const entries = typeof manifest.files === "object" && manifest.files !== null ? manifest.files : {};
  if (Array.isArray(entries)) ignored.push(JSON.stringify(entries));
  else {
    for (const [name, hash] of Object.entries(entries)) {
      if (isPlainFileName(name) && typeof hash === "string") files[name] = hash;
      else ignored.push(JSON.stringify(name));
    }
  }
  const written: Record<string, string> = {};
  const hashes = typeof manifest.written === "object" && manifest.written !== null ? manifest.written : {};
  for (const [name, hash] of Object.entries(hashes)) {
    if (Object.hasOwn(files, name) && typeof hash === "string") written[name] = hash;
  }
  return {
    missing: false,
    generator: (manifest as { generator?: unknown }).generator === GENERATOR,
    files,
    written,
    ignored,
    ...(manifest.written === undefined ? { legacy: true } : {}),
  };
}

function notOurs(reason: string): ManifestRead {
  return { missing: false, notOurs: reason, generator: false, files: {}, written: {}, ignored: [] };
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const sorted = (map: Record<string, string>) =>
    Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
  const files = sorted(manifest.files);
  const written = manifest.written && sorted(manifest.written);
  await writeFileAtomic(
    join(dir, MANIFEST),
    `${JSON.stringify({ generator: GENERATOR, version: 1, files, ...(written && { written }) }, null, 2)}\n`,
  );
}
