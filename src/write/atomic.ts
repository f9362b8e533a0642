import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** Whether `error` is the system's answer to a file operation (ENOSPC, EACCES…), not a bug. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/**
 * `mkdir -p`, by hand: Node's own recursive mkdir loops for ever where the file system refuses a
 * new folder with ENOENT (under /proc or /sys).
 */
export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && (await stat(path)).isDirectory()) return;
    if (code !== "ENOENT" || dirname(path) === path) throw error;
    await makeFolder(dirname(path));
    await mkdir(path).catch(async (again: NodeJS.ErrnoException) => {
      if (again.code !== "EEXIST" || !(await stat(path)).isDirectory()) throw again;
    });
  }
}

/**
 * A fresh random name beside `path`, for a file to be created exclusively ("wx") and renamed into
 * place: a planted file or symlink at a guessable temporary name is never written through.
 */
export const temporaryBeside = (path: string) => `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;

/**
 * `open()`, which creates the file `path`, and only when its folder is missing the folder first:
 * nearly every file goes into a folder there already, and making sure first cost a failed mkdir
 * and a stat a file.
 */
export async function createInFolder<T>(path: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await makeFolder(dirname(path));
    return open();
  }
}

/**
 * Writes to a temporary file beside the target, then renames: a reader never sees half a file,
 * and a full disk or a killed build leaves the old file in place. An error names the target, not
 * the temporary file, so the message the user gets is about the file they know.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryBeside(path);
  try {
    await createInFolder(temporary, () => writeFile(temporary, data, { flag: "wx" }));
    await rename(temporary, path);
  } catch (error) {
    // EEXIST: the temporary name was somebody else's file, which stays.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") await rm(temporary, { force: true }).catch(() => {});
    throw Object.assign(error as Error, { path });
  }
}
