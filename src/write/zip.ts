import { type FileHandle, open, readFile, rm } from "node:fs/promises";
import * as zlib from "node:zlib";
import { sha256Pieces } from "../hash.ts";
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

/** CRC-32 computed here, for Node before 20.15, which has no zlib.crc32; `value`: the CRC of what came before. */
export function crc32InJavaScript(data: Uint8Array, value = 0): number {
  let crc = (value ^ 0xffffffff) >>> 0;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 as zip files carry it; `value`: the CRC of what came before, to sum a file piece by piece. */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof zlib.crc32 === "function" ? (data, value = 0) => zlib.crc32(data, value) : crc32InJavaScript;

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

  /** The member's local header, to be followed by its data, `stored` bytes of it. */
  local({ name: text, crc, size, deflated }: Omit<ZipMember, "data">, stored: number): Uint8Array {
    const name = this.encoder.encode(text);
    // The fields a local header and a central directory entry share, from "version needed" on.
    const common = (view: DataView, at: number) => {
      view.setUint16(at, 20, true); // version needed: 2.0
      view.setUint16(at + 2, name.length > text.length ? 0x800 : 0, true); // a name not in ASCII is in UTF-8
      view.setUint16(at + 4, deflated ? 8 : 0, true); // deflated, or stored
      view.setUint16(at + 6, 0, true); // 00:00
      view.setUint16(at + 8, this.dosDate, true);
      view.setUint32(at + 10, crc, true);
      view.setUint32(at + 14, stored, true);
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
    this.offset += local.length + stored;
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
  const parts = members.flatMap((member) => [layout.local(member, member.data.length), member.data]);
  return Buffer.concat([...parts, layout.end()]);
}

/** A member of a pack's zip: its name, the file it is read from, and the SHA-256 of that file. */
export interface PackZipMember {
  name: string;
  file: string;
  sha: string;
}

/** Where each member of a pack's zip is in it, to copy those unchanged into the next (plain data). */
export interface ZipIndex {
  /** The zip's length in bytes. */
  length: number;
  members: { name: string; sha: string; crc: number; size: number; at: number }[];
}

/** A pack's zip as written: its SHA-256 and its index. */
export interface WrittenZip {
  hash: string;
  index: ZipIndex;
}

/** How much of a previous zip is read at a time: one buffer, used again for each piece. */
const PIECE = 1 << 20;

/**
 * A pack's zip, whose bytes depend only on its files and the build date: entries in name order,
 * every entry dated the build date. Stored, not deflated: PDFs and Word files are compressed
 * already, and deflating the HTML (mostly base64 fonts) saved a third of its size at the cost of
 * most of a pack's build time. Written to `path` (created, never overwritten) one member at a
 * time: a pack's zip is tens of MB, never held whole. A member whose file has the SHA-256 it had
 * in `previous` (the pack's zip as last written, with its index) is copied from there, its
 * CRC-32 checked, instead of being read from its own file: after one policy changed, a pack's
 * zip is one read of the old zip instead of hundreds of files opened. The bytes are the same
 * either way; a previous zip that is not what its index says is not used. Returns the zip's
 * sha256() and its index.
 */
export async function writeDeterministicZip(
  path: string,
  members: readonly PackZipMember[],
  buildDate: CalendarDate,
  previous?: { file: string; index: ZipIndex },
): Promise<WrittenZip> {
  const kept = new Map(previous?.index.members.map((member) => [member.name, member]));
  const layout = new ZipLayout(buildDate);
  const hash = sha256Pieces();
  const index: ZipIndex = { length: 0, members: [] };
  const out = await open(path, "wx");
  let old: FileHandle | undefined;
  try {
    old = previous && (await open(previous.file, "r"));
    if (old && (await old.stat()).size !== previous?.index.length) throw new Error("the previous zip changed");
    const write = async (bytes: Uint8Array) => {
      hash.update(bytes);
      await out.write(bytes);
      index.length += bytes.length;
    };
    const piece = old && Buffer.allocUnsafe(PIECE);
    for (const { name, file, sha } of [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const was = kept.get(name);
      if (old && piece && sha && was?.sha === sha) {
        await write(layout.local({ name, crc: was.crc, size: was.size, deflated: false }, was.size));
        index.members.push({ ...was, at: index.length });
        let crc = 0;
        for (let done = 0; done < was.size; ) {
          const { bytesRead } = await old.read(piece, 0, Math.min(PIECE, was.size - done), was.at + done);
          if (bytesRead === 0) throw new Error("the previous zip is cut short");
          const read = piece.subarray(0, bytesRead);
          crc = crc32(read, crc);
          await write(read);
          done += bytesRead;
        }
        if (crc !== was.crc) throw new Error(`${name} changed in the previous zip`);
        continue;
      }
      const data = await readFile(file);
      const member = { name, crc: crc32(data), size: data.length, data, deflated: false };
      await write(layout.local(member, data.length));
      index.members.push({ name, sha, crc: member.crc, size: member.size, at: index.length });
      await write(member.data);
    }
    await write(layout.end());
    await out.close();
  } catch (error) {
    await out.close().catch(() => {});
    await rm(path, { force: true }); // ours: created above
    // A previous zip that is not what its index says is only a cost: the zip is written without it.
    if (previous) return writeDeterministicZip(path, members, buildDate);
    throw error;
  } finally {
    await old?.close().catch(() => {});
  }
  // sha256(), as every other file the manifest records: the same hash as fileHash() of the zip,
  // which decides whether a file is still the one policypack wrote.
  return { hash: hash.digest(), index };
}
