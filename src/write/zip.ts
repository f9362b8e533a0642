import { createHash } from "node:crypto";
import { open, readFile, rm } from "node:fs/promises";
import * as zlib from "node:zlib";
import type { CalendarDate } from "../types.ts";

// Zips written here rather than by fflate's zipSync: its CRC-32 is JavaScript, a tenth of the speed
// of zlib's, and a pack's zip holds every file of the pack (about 30 MB at 60 policies); and a
// Word file's members come compressed already when they are the same in every document (see
// docx/package.ts).

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

/**
 * A zip's pieces: each member's local header and data as given (`local`), then the central
 * directory (`end`), every entry dated `date` at midnight (zip times have no zone).
 */
class ZipLayout {
  private readonly dosDate: number;
  private readonly encoder = new TextEncoder();
  private readonly centrals: Uint8Array[] = [];
  private offset = 0;

  constructor(date: CalendarDate) {
    this.dosDate = ((date.year - 1980) << 9) | (date.month << 5) | date.day;
  }

  /** The member's local header, to be followed by its data. */
  local({ name: text, crc, size, data, deflated }: ZipMember): Uint8Array {
    const name = this.encoder.encode(text);
    // The fields a local header and a central directory entry share, from "version needed" on.
    const common = (view: DataView, at: number) => {
      view.setUint16(at, 20, true); // version needed: 2.0
      view.setUint16(at + 2, name.length > text.length ? 0x800 : 0, true); // a name not in ASCII is in UTF-8
      view.setUint16(at + 4, deflated ? 8 : 0, true); // deflated, or stored
      view.setUint16(at + 6, 0, true); // 00:00
      view.setUint16(at + 8, this.dosDate, true);
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
    centralView.setUint32(42, this.offset, true);
    central.set(name, 46);
    this.centrals.push(central);
    this.offset += local.length + data.length;
    return local;
  }

  /** The central directory and its end record, after every member. */
  end(): Uint8Array {
    const directorySize = this.centrals.reduce((sum, part) => sum + part.length, 0);
    const end = new Uint8Array(22);
    const endView = new DataView(end.buffer);
    endView.setUint32(0, 0x06054b50, true);
    endView.setUint16(8, this.centrals.length, true);
    endView.setUint16(10, this.centrals.length, true);
    endView.setUint32(12, directorySize, true);
    endView.setUint32(16, this.offset, true);
    return Buffer.concat([...this.centrals, end]);
  }
}

/** A zip of the members, in order, each dated `date` at midnight (zip times have no zone). */
export function zipMembers(members: readonly ZipMember[], date: CalendarDate): Uint8Array {
  const layout = new ZipLayout(date);
  const parts = members.flatMap((member) => [layout.local(member), member.data]);
  return Buffer.concat([...parts, layout.end()]);
}

/**
 * A pack's zip, whose bytes depend only on its files and the build date: entries in name order,
 * every entry dated the build date. Stored, not deflated: PDFs and Word files are compressed
 * already, and deflating the HTML (mostly base64 fonts) saved a third of its size at the cost of
 * most of a pack's build time. Written to `path` (created, never overwritten) one member at a
 * time, each read from its `file` only when its turn comes: a pack's zip is tens of MB, never held
 * whole. Returns the SHA-256 of the bytes written.
 */
export async function writeDeterministicZip(
  path: string,
  members: readonly { name: string; file: string }[],
  buildDate: CalendarDate,
): Promise<string> {
  const layout = new ZipLayout(buildDate);
  const hash = createHash("sha256");
  const out = await open(path, "wx");
  try {
    const write = async (bytes: Uint8Array) => {
      hash.update(bytes);
      await out.write(bytes);
    };
    for (const { name, file } of [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const data = await readFile(file);
      const member = { name, crc: crc32(data), size: data.length, data, deflated: false };
      await write(layout.local(member));
      await write(member.data);
    }
    await write(layout.end());
    await out.close();
  } catch (error) {
    await out.close().catch(() => {});
    await rm(path, { force: true }); // ours: created above
    throw error;
  }
  return hash.digest("hex");
}
