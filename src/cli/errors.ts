// What the machine said no to, as a sentence naming the file and what to do about it: these are
// problems of the environment (exit code 2), not bugs, so they never read "internal error".

import { isSystemError } from "../write/atomic.ts";

const FIXES: Record<string, (path: string) => string> = {
  ENOSPC: (path) =>
    `the disk is full: ${path} could not be written; free some space (or choose another --out folder) and run the command again. Files already written are complete, and the next build writes the rest`,
  EDQUOT: (path) =>
    `your disk quota is used up: ${path} could not be written; free some space (or choose another --out folder) and run the command again`,
  EACCES: (path) =>
    `permission denied for ${path}; give your user access to it, or choose a folder you can write to (--out DIR)`,
  EPERM: (path) =>
    `the system does not allow this on ${path}; give your user access to it, or choose a folder you can write to (--out DIR)`,
  EROFS: (path) => `${path} is on a read-only file system; choose a folder you can write to, e.g. --out /tmp/packs`,
  ENOTDIR: (path) =>
    `${path} cannot be reached: part of that path is a file, not a folder; move that file away or choose another path`,
  ENOENT: (path) => `${path} does not exist; check --policies, --orgs and --out`,
  EISDIR: (path) => `${path} is a folder where a file was expected; rename or move the folder`,
  EEXIST: (path) => `${path} already exists where a folder or file was to be made; move it away and try again`,
  ENAMETOOLONG: (path) => `${path} is too long a name for this file system; use a shorter --out path`,
  ELOOP: (path) => `${path} goes round a loop of symbolic links; fix or remove the links`,
  EMFILE: (path) => `too many files are open (at ${path}); raise the limit (ulimit -n 4096) and run the command again`,
  ENFILE: (path) =>
    `too many files are open on this machine (at ${path}); close some programs and run the command again`,
  EBUSY: (path) => `${path} is in use by another program; close it and run the command again`,
  EIO: (path) => `the disk reported an input/output error at ${path}; check the disk, or choose another --out folder`,
};

/** A sentence for an error from the file system, or undefined when it is not one (a real bug). */
export function systemErrorMessage(error: unknown): string | undefined {
  if (!isSystemError(error)) return undefined;
  const { code, path, dest, syscall } = error as NodeJS.ErrnoException & { code: string; dest?: string };
  const where = dest ?? path;
  if (typeof where !== "string") {
    // No file named: still the machine's answer, not a bug.
    return syscall ? `the system refused ${syscall} (${code}); check the disk and the folders given` : undefined;
  }
  if (code === "ENOENT" && syscall === "mkdir") {
    return `${where} cannot be made: this file system does not let a folder be made there; choose another --out folder`;
  }
  // mkdir's EEXIST: a file stands where a folder on the way was to be made.
  const fix = FIXES[code === "EEXIST" && syscall === "mkdir" ? "ENOTDIR" : code];
  return fix ? fix(where) : `${syscall ?? "access"} ${where} failed (${code}); check the file, its folder and the disk`;
}
