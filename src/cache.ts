import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "./hash.ts";
import { toolFingerprint } from "./tool-fingerprint.ts";

/** Where what a run worked out is kept for the next: inside the tool's own folder. */
export const CACHE_DIR = join(import.meta.dirname, "..", "node_modules", ".cache", "policypack");

/**
 * A folder of cached results, one file a key. A key is a hash of everything its result depends
 * on, so a file is never out of date, only unused: the `limit` most recently used files are kept
 * (a read marks a file used), so that checking several libraries in turn (the tests, a second
 * library) does not throw one library's results away for another's. One file a key also means
 * a run reads only the results it needs, and processes running at once cannot lose each other's.
 * Every failure only costs time: an unreadable file is a miss, a folder that cannot be written
 * (a read-only install) keeps nothing.
 */
export class FileCache {
  constructor(
    readonly dir: string,
    readonly limit: number,
  ) {}

  read(key: string): Buffer | undefined {
    const file = join(this.dir, key);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // Read-only: the file is still good, only its place in the eviction order is not kept.
    }
    return data;
  }

  write(key: string, data: string | Uint8Array): void {
    const file = join(this.dir, key);
    // Written beside it, then renamed: a reader never sees half a file.
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temporary, data, { flag: "wx" });
      renameSync(temporary, file);
      trimAtExit(this);
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Left for trim() to remove once it is the oldest file.
      }
    }
  }

  /**
   * Removes the least recently used files past the limit, down to nine tenths of it, so that
   * the runs that follow, adding a file or two each, do not list and sort the folder every time.
   */
  trim(): void {
    try {
      const names = readdirSync(this.dir);
      if (names.length <= this.limit) return;
      const used = names.flatMap((name) => {
        try {
          return [{ name, time: statSync(join(this.dir, name)).mtimeMs }];
        } catch {
          return []; // removed meanwhile by another process
        }
      });
      used.sort((a, b) => a.time - b.time);
      for (const { name } of used.slice(0, used.length - Math.floor(this.limit * 0.9))) {
        rmSync(join(this.dir, name), { force: true });
      }
    } catch {
      // Not trimmed this time: the next run that writes tries again.
    }
  }
}

// Trimming lists the folder, so a folder written to is trimmed once, as the process ends, rather
// than after every file written.
const written = new Map<string, FileCache>();

function trimAtExit(cache: FileCache): void {
  if (written.size === 0) {
    process.once("exit", () => {
      for (const each of written.values()) each.trim();
    });
  }
  written.set(cache.dir, cache);
}

/**
 * Results of one kind as JSON in `files`, keyed by the tool too: any change to the tool leaves
 * its old results unused. `valid` turns away a file that is JSON but not such a result.
 */
export function jsonCache<T>(files: FileCache, kind: string, valid: (value: unknown) => value is T) {
  const file = (key: string) => `${sha256(toolFingerprint(), kind, key)}.json`;
  return {
    get(key: string): T | undefined {
      const data = files.read(file(key));
      if (data === undefined) return undefined;
      try {
        const value: unknown = JSON.parse(data.toString("utf8"));
        return valid(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    set(key: string, value: T): void {
      files.write(file(key), JSON.stringify(value));
    },
  };
}
