import * as zlib from "node:zlib";
import type { CalendarDate } from "../types.ts";

// Zips written here rather than by fflate's zipSync: its CRC-32 is JavaScript, a tenth of the speed
// of zlib's, and a pack's zip holds every file of the pack (about 9 MB at 60 policies), summed on
// the main thread; and a Word file's members come compressed already when they are the same in
// every document (see docx/package.ts).

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 computed here, for Node before 20.15, which has no zlib.crc32. */
export function crc32InJavaScript(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 as zip files carry it. */
export const crc32: (data: Uint8Array) => number =
  typeof zlib.crc32 === "function" ? (data) => zlib.crc32(data) : crc32InJavaScript;

/** A file of a zip: its bytes as stored (deflated, or as they are), with the CRC and size of the file itself. */
export interface ZipMember {
  name: string;
  crc: number;
  size: number;
  data: Uint8Array;
  deflated: boolean;
}

/** A zip of the members, in order, each dated `date` at midnight (zip times have no zone). */
export function zipMembers(members: readonly ZipMember[], date: CalendarDate): Uint8Array {
  const dosDate = ((date.year - 1980) << 9) | (date.month << 5) | date.day;
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const { name: text, crc, size, data, deflated } of members) {
    const name = encoder.encode(text);
    // The fields a local header and a central directory entry share, from "version needed" on.
    const common = (view: DataView, at: number) => {
      view.setUint16(at, 20, true); // version needed: 2.0
      view.setUint16(at + 2, name.length > text.length ? 0x800 : 0, true); // a name not in ASCII is in UTF-8
      view.setUint16(at + 4, deflated ? 8 : 0, true); // deflated, or stored
      view.setUint16(at + 6, 0, true); // 00:00
      view.setUint16(at + 8, dosDate, true);
      view.setUint32(at + 10, crc, true);
      view.setUint32(at + 14, data.length, true);
      view.setUint32(at + 18, size, true);
      view.setUint16(at + 22, name.length, true);
    };
    const local = new Uint8Array(30 + name.length);
    const localView = new DataView(local.buffer);
    localView.setUint32(0, 0x04034b50, true);
    common(localView, 4);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const centralView = new DataView(central.buffer);
    centralView.setUint32(0, 0x02014b50, true);
    centralView.setUint16(4, 20, true); // made by: version 2.0
    common(centralView, 6);
    centralView.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const directorySize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const endView = new DataView(end.buffer);
  endView.setUint32(0, 0x06054b50, true);
  endView.setUint16(8, members.length, true);
  endView.setUint16(10, members.length, true);
  endView.setUint32(12, directorySize, true);
  endView.setUint32(16, offset, true);
  const out = new Uint8Array(offset + directorySize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A zip whose bytes depend only on its files and the build date: entries in name order, every
 * entry dated the build date. Stored, not deflated: PDFs and Word files are compressed already,
 * and deflating the HTML (mostly base64 fonts) saved a third of its size at the cost of most of a
 * pack's build time.
 */
export function deterministicZip(files: ReadonlyMap<string, string | Uint8Array>, buildDate: CalendarDate): Uint8Array {
  const encoder = new TextEncoder();
  const members = [...files.keys()].sort().map((name) => {
    const given = files.get(name) as string | Uint8Array;
    const data = typeof given === "string" ? encoder.encode(given) : given;
    return { name, crc: crc32(data), size: data.length, data, deflated: false };
  });
  return zipMembers(members, buildDate);
}
