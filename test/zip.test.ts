import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { CalendarDate } from "../src/types.ts";
import { crc32, crc32InJavaScript, writeDeterministicZip, zipMembers } from "../src/write/zip.ts";

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
    }
  });

  /** The pack's zip of FILES, as the build writes it: each member read from its file. */
  async function packZip(): Promise<{ zip: string; hash: string; members: { name: string; file: string }[] }> {
    const dir = await mkdtemp(join(tmpdir(), "policypack-zip-"));
    const members = await Promise.all(
      [...FILES].map(async ([name, data], i) => {
        const file = join(dir, `source-${i}`);
        await writeFile(file, data);
        return { name, file };
      }),
    );
    const zip = join(dir, "pack.zip");
    return { zip, hash: await writeDeterministicZip(zip, members, BUILD_DATE), members };
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
    expect(hash).toBe(createHash("sha256").update(written).digest("hex"));
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
});
