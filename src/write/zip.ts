import { type Zippable, zipSync } from "fflate";
import type { CalendarDate } from "../types.ts";

/**
 * A zip whose bytes depend only on its files and the build date: entries in name order, every
 * entry dated the build date (zip times are local and zone-less, hence a local Date).
 */
export function deterministicZip(files: ReadonlyMap<string, string | Uint8Array>, buildDate: CalendarDate): Uint8Array {
  const mtime = new Date(buildDate.year, buildDate.month - 1, buildDate.day);
  const entries: Zippable = {};
  for (const name of [...files.keys()].sort()) {
    const data = files.get(name) as string | Uint8Array;
    // Stored, not deflated: PDFs and Word files are compressed already, and deflating the HTML
    // (mostly base64 fonts) saved a third of its size at the cost of most of a pack's build time.
    entries[name] = [typeof data === "string" ? new TextEncoder().encode(data) : data, { mtime, level: 0 }];
  }
  return zipSync(entries);
}
