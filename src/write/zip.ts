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

/** How much of the zip is held before it is written: the members copied from a previous zip are read straight into it. */
const BUFFER = 4 << 20;

/** A member copied from the previous zip: where its data is there, and what the new zip records of it. */
type Copied = ZipIndex["members"][number];

/**
 * A pack's zip, whose bytes depend only on its files and the build date: entries in name order,
 * every entry dated the build date. Stored, not deflated: PDFs and Word files are compressed
 * already, and deflating the HTML (mostly base64 fonts) saved a third of its size at the cost of
 * most of a pack's build time. Written to `path` (created, never overwritten) a few MB at a
 * time: a pack's zip is tens of MB, never held whole. A member whose file has the SHA-256 it had
 * in `previous` (the pack's zip as last written, with its index) is copied from there, its
 * CRC-32 checked, instead of being read from its own file: after one policy changed, a pack's
 * zip is a few reads of the old zip instead of hundreds of files opened. The bytes are the same
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
  const out = new ZipWriter(await open(path, "wx"), new ZipLayout(buildDate));
  let old: FileHandle | undefined;
  try {
    old = previous && (await open(previous.file, "r"));
    if (old && (await old.stat()).size !== previous?.index.length) throw new Error("the previous zip changed");
    // Members that follow each other in the old zip are read from it together.
    const run: Copied[] = [];
    for (const { name, file, sha } of [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const was = kept.get(name);
      if (old && sha && was?.sha === sha) {
        if (run.length > 0 && !out.follows(run, was)) await out.copy(old, run.splice(0));
        run.push(was);
        continue;
      }
      if (old && run.length > 0) await out.copy(old, run.splice(0));
      const data = await readFile(file);
      await out.add({ name, sha, crc: crc32(data), size: data.length }, data);
    }
    if (old && run.length > 0) await out.copy(old, run);
    return await out.end();
  } catch (error) {
    await out.close().catch(() => {});
    await rm(path, { force: true }); // ours: created above
    // A previous zip that is not what its index says is only a cost: the zip is written without it.
    if (previous) return writeDeterministicZip(path, members, buildDate);
    throw error;
  } finally {
    await old?.close().catch(() => {});
  }
}

/**
 * A zip written through a buffer of BUFFER bytes, hashed as it goes. Members copied from a
 * previous zip are read into the buffer with the headers between them, which are then written
 * over with this zip's own (the same length: the same name).
 */
class ZipWriter {
  private readonly buffer = Buffer.allocUnsafe(BUFFER);
  private used = 0;
  private readonly hash = sha256Pieces();
  private readonly index: ZipIndex = { length: 0, members: [] };

  constructor(
    private readonly out: FileHandle,
    private readonly layout: ZipLayout,
  ) {}

  /** Whether `member` follows the last of `run` in the old zip, and fits in the buffer with it. */
  follows(run: readonly Copied[], member: Copied): boolean {
    const first = run[0] as Copied;
    const last = run[run.length - 1] as Copied;
    const end = last.at + last.size;
    return member.at - headerLength(member.name) === end && member.at + member.size - headerStart(first) <= BUFFER;
  }

  /** A member with its data, from its own file. */
  async add(member: Omit<Copied, "at">, data: Uint8Array): Promise<void> {
    await this.push(this.layout.local({ ...member, deflated: false }, data.length));
    this.index.members.push({ ...member, at: this.index.length });
    await this.push(data);
  }

  /** Members that follow each other in `old`, copied from it, each one's CRC-32 checked. */
  async copy(old: FileHandle, run: readonly Copied[]): Promise<void> {
    const from = headerStart(run[0] as Copied);
    const last = run[run.length - 1] as Copied;
    const length = last.at + last.size - from;
    if (length > BUFFER) {
      // One member bigger than the buffer (a manual): in pieces.
      const [member] = run as [Copied];
      await this.push(this.layout.local({ ...member, deflated: false }, member.size));
      this.index.members.push({ ...member, at: this.index.length });
      let crc = 0;
      for (let done = 0; done < member.size; ) {
        await this.flush();
        const piece = await this.read(old, Math.min(BUFFER, member.size - done), member.at + done);
        crc = crc32(piece, crc);
        this.used = piece.length;
        this.index.length += piece.length;
        done += piece.length;
      }
      if (crc !== member.crc) throw new Error(`${member.name} changed in the previous zip`);
      return;
    }
    if (this.used + length > BUFFER) await this.flush();
    const bytes = await this.read(old, length, from);
    for (const member of run) {
      const header = this.layout.local({ ...member, deflated: false }, member.size);
      const at = member.at - from;
      bytes.set(header, at - header.length);
      if (crc32(bytes.subarray(at, at + member.size)) !== member.crc) {
        throw new Error(`${member.name} changed in the previous zip`);
      }
      this.index.members.push({ ...member, at: this.index.length + at });
    }
    this.used += length;
    this.index.length += length;
  }

  /** The central directory; the file closed. Returns the zip's sha256() and index. */
  async end(): Promise<WrittenZip> {
    await this.push(this.layout.end());
    await this.flush();
    await this.out.close();
    // sha256(), as every other file the manifest records: the same hash as fileHash() of the zip,
    // which decides whether a file is still the one policypack wrote.
    return { hash: this.hash.digest(), index: this.index };
  }

  close(): Promise<void> {
    return this.out.close();
  }

  /** `length` bytes of `old` from `position`, read into the free part of the buffer. */
  private async read(old: FileHandle, length: number, position: number): Promise<Buffer> {
    const into = this.buffer.subarray(this.used, this.used + length);
    for (let done = 0; done < length; ) {
      const { bytesRead } = await old.read(into, done, length - done, position + done);
      if (bytesRead === 0) throw new Error("the previous zip is cut short");
      done += bytesRead;
    }
    return into;
  }

  private async push(bytes: Uint8Array): Promise<void> {
    if (this.used + bytes.length > BUFFER) await this.flush();
    if (bytes.length > BUFFER) {
      this.hash.update(bytes);
      await this.out.write(bytes);
    } else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.index.length += bytes.length;
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const bytes = this.buffer.subarray(0, this.used);
    this.hash.update(bytes);
    await this.out.write(bytes);
    this.used = 0;
  }
}

/** A local header's length: its fixed fields, then the name. */
const headerLength = (name: string) => 30 + Buffer.byteLength(name);
const headerStart = (member: Copied) => member.at - headerLength(member.name);
