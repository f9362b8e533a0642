import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../hash.ts";
import { toolFingerprint } from "../pack/fingerprint.ts";

/** Where check keeps what it worked out, between runs: inside the tool's own folder. */
export const CACHE_DIR = join(import.meta.dirname, "..", "..", "node_modules", ".cache", "policypack");

/**
 * A folder of cached texts, one file a key. A key is a hash of everything its text depends on,
 * so a file is never out of date, only unused: the `limit` most recently used files are kept
 * (a read marks a file used), so that checking several libraries in turn (the tests, a second
 * library) does not throw one library's results away for another's. One file a key also means
 * a run reads only the results it needs, and processes running at once cannot lose each other's.
 * Every failure only costs time: an unreadable file is a miss, a folder that cannot be written
 * (a read-only install) keeps nothing.
 */
export class FileCache {
  #wrote = false;

  constructor(
    readonly dir: string,
    readonly limit: number,
  ) {}

  read(key: string): string | undefined {
    const file = join(this.dir, key);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // Read-only: the file is still good, only its place in the eviction order is not kept.
    }
    return text;
  }

  write(key: string, text: string): void {
    const file = join(this.dir, key);
    // Written beside it, then renamed: a reader never sees half a file.
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temporary, text, { flag: "wx" });
      renameSync(temporary, file);
      this.#wrote = true;
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Left for trim() to remove once it is the oldest file.
      }
    }
  }

  /**
   * After writing: removes the least recently used files past the limit, down to nine tenths of
   * it, so that a run adding one file does not list and sort the folder every time.
   */
  trim(): void {
    if (!this.#wrote) return;
    this.#wrote = false;
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

/**
 * Check results of one kind as JSON in `files`, keyed by the tool too: any change to the tool
 * leaves its old results unused. `valid` turns away a file that is JSON but not such a result.
 */
export function jsonCache<T>(files: FileCache, kind: string, valid: (value: unknown) => value is T) {
  const file = (key: string) => `${sha256(toolFingerprint(), kind, key)}.json`;
  return {
    get(key: string): T | undefined {
      const text = files.read(file(key));
      if (text === undefined) return undefined;
      try {
        const value: unknown = JSON.parse(text);
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
