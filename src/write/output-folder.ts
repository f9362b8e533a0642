import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join, parse, relative, resolve, sep } from "node:path";
import { makeFolder } from "./atomic.ts";
import { MANIFEST, type ManifestRead, readManifest, writeManifest } from "./manifest.ts";

// The output folder is policypack's: it is refused when it is (or holds) something of the
// user's, and inside it a file is overwritten or removed only when a manifest lists it.

export interface OutFolderProblem {
  message: string;
  /** Whether --force-out may override it (a non-empty folder of unknown files, not `/` or the library). */
  forcible: boolean;
}

/** The real path of `path`, resolving symlinks of the part that exists; undefined parts stay as written. */
async function realPath(path: string): Promise<{ real: string; existing: string; missing: string[] }> {
  let existing = resolve(path);
  const missing: string[] = [];
  for (;;) {
    try {
      return { real: join(await realpath(existing), ...missing), existing, missing };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "ENOENT" && code !== "ENOTDIR") || dirname(existing) === existing) throw error;
      missing.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
}

const within = (path: string, folder: string) =>
  path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);

/** Each entry of a folder: a regular file, or something else (a folder, a symlink, a device). */
export async function folderEntries(dir: string): Promise<Map<string, "file" | "other">> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return new Map(entries.map((entry) => [entry.name, entry.isFile() ? "file" : "other"]));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
}

/**
 * An output folder of a build from before the top manifest existed: nothing but the overview,
 * temporary files, and pack folders each with a manifest.
 */
async function isOlderOutput(out: string, entries: Map<string, "file" | "other">): Promise<boolean> {
  let packs = 0;
  for (const [name, kind] of entries) {
    if (kind === "file" && (name === "index.html" || name.endsWith(".tmp"))) continue;
    if (kind !== "other" || !(await stat(join(out, name))).isDirectory()) return false;
    const manifest = await readManifest(join(out, name));
    if (manifest.missing || manifest.notOurs) return false;
    packs++;
  }
  return packs > 0;
}

/**
 * Why `out` must not be built into, if it must not: the root or home folder, the library's own
 * folders (or one holding or inside them), a file, or a folder of someone else's files.
 */
export async function checkOutFolder(
  out: string,
  library: { policies: string; orgs: string },
  env: NodeJS.ProcessEnv,
): Promise<OutFolderProblem | undefined> {
  const fix = "choose a folder of its own for the packs, e.g. --out output";
  if (out === "") return { message: `--out is empty; ${fix}`, forcible: false };
  const { real, existing, missing } = await realPath(out);
  if (parse(real).root === real) return { message: `--out ${out} is the root folder; ${fix}`, forcible: false };
  const home = (await realPath(env.HOME || homedir())).real;
  if (within(home, real)) {
    const what = real === home ? "is your home folder" : "holds your home folder";
    return { message: `--out ${out} ${what}; ${fix}`, forcible: false };
  }
  for (const [option, dir] of Object.entries(library)) {
    const folder = (await realPath(dir)).real;
    const what = real === folder ? "is" : within(real, folder) ? "is inside" : within(folder, real) ? "holds" : "";
    if (what) {
      return {
        message: `--out ${out} ${what} the ${option} folder (${dir}); a build would write among your sources: ${fix}`,
        forcible: false,
      };
    }
  }
  if (!(await stat(existing)).isDirectory()) {
    const message =
      missing.length === 0
        ? `--out ${out} is a file, not a folder; ${fix}, or move the file away`
        : `--out ${out} cannot be made: ${relative(process.cwd(), existing)} is a file, not a folder; ${fix}`;
    return { message, forcible: false };
  }
  if (missing.length > 0) return undefined;
  const entries = await folderEntries(real);
  if (entries.size === 0) return undefined;
  const top = await readManifest(real);
  if (top.generator || (top.missing && (await isOlderOutput(real, entries)))) return undefined;
  return {
    message:
      `--out ${out} is not empty, and policypack did not make it (it has no policypack ${MANIFEST}), so ` +
      `a build could overwrite your files; choose a new or empty folder, or pass --force-out to build ` +
      `into it anyway (even then, no file policypack did not write is overwritten or removed)`,
    forcible: true,
  };
}

/** The top of the output folder: which of its files (the overview) policypack may write. */
export interface OutFolder {
  /** Why the folder's manifest.json is someone else's: then nothing at the top is written. */
  notOurs?: string;
  files: Record<string, string>;
  /** Entries of its manifest that were not plain file names (and were dropped from it). */
  ignored: string[];
}

/**
 * Marks `out` as policypack's before anything else is written into it, so the next build
 * recognises it even if this one is killed. A folder from an older build keeps its overview.
 */
export async function claimOutFolder(out: string): Promise<OutFolder> {
  await makeFolder(out);
  const top: ManifestRead = await readManifest(out);
  if (top.notOurs) return { notOurs: top.notOurs, files: {}, ignored: [] };
  if (top.generator && top.ignored.length === 0) return { files: top.files, ignored: [] };
  const entries = await folderEntries(out);
  const older = top.missing && entries.get("index.html") === "file" && (await isOlderOutput(out, entries));
  const files = older ? { "index.html": "" } : top.files;
  await writeManifest(out, { version: 1, files });
  return { files, ignored: top.ignored };
}

/** Whether `name` in `dir` is policypack's to replace: absent, or a regular file its manifest lists. */
export async function mayReplace(dir: string, name: string, owned: Record<string, string>): Promise<boolean> {
  try {
    return (await lstat(join(dir, name))).isFile() && Object.hasOwn(owned, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}
