import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { sha256 } from "../src/hash.ts";
import type { CalendarDate } from "../src/types.ts";
import { crc32, crc32InJavaScript, type PackZipMember, writeDeterministicZip, zipMembers } from "../src/write/zip.ts";

const BUILD_DATE: CalendarDate = { year: 2026, month: 11, day: 24 };
const FILES = new Map<string, string | Uint8Array>([
  ["index.html", "<!doctype html><title>Pack</title>"],
  ["DCW1-polisi.cy.html", "Polisi ŵ ŷ"],
  ["empty.txt", ""],
  ["DCW1-test.docx", Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)],
  ["ffeil-ŵ.txt", "a name not in ASCII"],
]);

describe("zips", () => {
  it("sums CRC-32 as zip tools do, with zlib's or its own", () => {
    const data = FILES.get("DCW1-test.docx") as Uint8Array;
    for (const sum of [crc32, crc32InJavaScript]) {
      expect(sum(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
      expect(sum(new Uint8Array())).toBe(0);
      expect(sum(data)).toBe(crc32(data));
      // Piece by piece, as a member copied from a previous zip is summed.
      expect(sum(data.subarray(5000), sum(data.subarray(0, 5000)))).toBe(crc32(data));
    }
  });

  /** Each of `files` written to a file of its own, as a pack's zip takes its members. */
  async function memberFiles(dir: string, files: Map<string, string | Uint8Array>): Promise<PackZipMember[]> {
    return Promise.all(
      [...files].map(async ([name, data], i) => {
        const file = join(dir, `source-${i}-${name}`);
        await writeFile(file, data);
        return { name, file, sha: createHash("sha256").update(data).digest("hex") };
      }),
    );
  }

  /** The pack's zip of FILES, as the build writes it: each member read from its file. */
  async function packZip(files = FILES, date = BUILD_DATE) {
    const dir = await mkdtemp(join(tmpdir(), "policypack-zip-"));
    const members = await memberFiles(dir, files);
    const zip = join(dir, "pack.zip");
    return { dir, zip, ...(await writeDeterministicZip(zip, members, date)), members };
  }

  it("writes a pack's zip byte for byte as fflate's zipSync did (stored, in name order, dated the build date), member by member, and gives its SHA-256", async () => {
    const mtime = new Date(BUILD_DATE.year, BUILD_DATE.month - 1, BUILD_DATE.day);
    const fflate = zipSync(
      Object.fromEntries(
        [...FILES.keys()].sort().map((name) => {
          const data = FILES.get(name) as string | Uint8Array;
          return [name, [typeof data === "string" ? new TextEncoder().encode(data) : data, { mtime, level: 0 }]];
        }),
      ),
    );
    const { zip, hash, members } = await packZip();
    const written = await readFile(zip);
    expect(written.equals(Buffer.from(fflate))).toBe(true);
    // The manifest's hash of a file, as every other file's.
    expect(hash).toBe(sha256(written));
    // Never written through an existing file.
    await expect(writeDeterministicZip(zip, members, BUILD_DATE)).rejects.toThrow(/EEXIST/);
  });

  it("unzips, with the unzip command, to the files it was given, stored or deflated", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policypack-zip-"));
    const zip = join(dir, "pack.zip");
    const bytes = (data: string | Uint8Array) => (typeof data === "string" ? new TextEncoder().encode(data) : data);
    // Deflated members, as a Word file's are: compressed before the zip is written.
    const members = [...FILES].map(([name, data]) => ({
      name,
      crc: crc32(bytes(data)),
      size: bytes(data).length,
      data: deflateSync(bytes(data), { level: 1 }),
      deflated: true,
    }));
    for (const written of [await readFile((await packZip()).zip), zipMembers(members, BUILD_DATE)]) {
      await writeFile(zip, written);
      execFileSync("unzip", ["-tq", zip]);
      execFileSync("unzip", ["-oq", zip, "-d", join(dir, "out")]);
      // Pack files have ASCII names; Info-ZIP's unzip reads others in an archive made "on MS-DOS" as code page 437.
      for (const [name, data] of [...FILES].filter(([name]) => /^[\x20-\x7e]+$/.test(name))) {
        expect(Buffer.from(await readFile(join(dir, "out", name))).equals(Buffer.from(bytes(data))), name).toBe(true);
      }
      const unzipped = unzipSync(written);
      expect(Object.keys(unzipped).sort()).toEqual([...FILES.keys()].sort());
      for (const [name, data] of FILES) expect(unzipped[name], name).toEqual(bytes(data));
    }
  });

  it("copies the members unchanged from the previous zip, to the same bytes as a zip written afresh", async () => {
    // A member bigger than what the writer holds at once (a manual), and a zip of an earlier build
    // day: the copied members' headers are this build's.
    const files = new Map([...FILES, ["big.pdf", Uint8Array.from({ length: 9_000_000 }, (_, i) => (i * 31) % 253)]]);
    const first = await packZip(files, { ...BUILD_DATE, day: 1 });
    // One member changed, one gone, one new: the rest come from the first zip.
    const next = new Map(files);
    next.set("index.html", "<!doctype html><title>Pack, changed</title>");
    next.delete("empty.txt");
    next.set("DCW2-new.pdf", "%PDF-1.7 new");
    const members = await memberFiles(await mkdtemp(join(first.dir, "next-")), next);
    const fresh = await writeDeterministicZip(join(first.dir, "fresh.zip"), members, BUILD_DATE);
    // The copied members are read from the first zip, not their files: those are gone.
    const unchanged = members.filter((m) => files.get(m.name) === next.get(m.name));
    expect(unchanged.map((m) => m.name).sort()).toEqual([
      "DCW1-polisi.cy.html",
      "DCW1-test.docx",
      "big.pdf",
      "ffeil-ŵ.txt",
    ]);
    for (const member of unchanged) await rm(member.file);
    const updated = await writeDeterministicZip(join(first.dir, "updated.zip"), members, BUILD_DATE, {
      file: first.zip,
      index: first.index,
    });
    expect(updated).toEqual(fresh);
    const bytes = await readFile(join(first.dir, "updated.zip"));
    expect(bytes.equals(await readFile(join(first.dir, "fresh.zip")))).toBe(true);
    expect(updated.index.length).toBe(bytes.length);
    expect(Object.keys(unzipSync(bytes)).sort()).toEqual([...next.keys()].sort());
    // A byte of the big member changed in the first zip: the zip is written from the files instead.
    const big = first.index.members.find((m) => m.name === "big.pdf") as { at: number };
    const damaged = Buffer.from(await readFile(first.zip));
    damaged[big.at + 8_500_000] ^= 0xff;
    await writeFile(first.zip, damaged);
    for (const member of unchanged) await writeFile(member.file, files.get(member.name) as string | Uint8Array);
    const again = join(first.dir, "again.zip");
    expect(await writeDeterministicZip(again, members, BUILD_DATE, { file: first.zip, index: first.index })).toEqual(
      fresh,
    );
  });

  it("writes every member from its file when the previous zip is not what its index says", async () => {
    const first = await packZip();
    const fresh = await writeDeterministicZip(join(first.dir, "fresh.zip"), first.members, BUILD_DATE);
    const docx = first.index.members.find((m) => m.name === "DCW1-test.docx");
    const damaged = Buffer.from(await readFile(first.zip));
    damaged[(docx?.at as number) + 100] ^= 0xff; // same length, one byte of a member changed
    for (const [bytes, index] of [
      [damaged, first.index],
      [damaged.subarray(0, 1000), first.index],
      [
        await readFile(first.zip),
        { ...first.index, members: first.index.members.map((m) => ({ ...m, at: m.at + 7 })) },
      ],
    ] as const) {
      const previous = join(first.dir, "previous.zip");
      await writeFile(previous, bytes);
      const out = join(first.dir, "out.zip");
      await rm(out, { force: true });
      expect(await writeDeterministicZip(out, first.members, BUILD_DATE, { file: previous, index })).toEqual(fresh);
    }
  });
});
