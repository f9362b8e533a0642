import { readFileSync } from "node:fs";
import { appendFile, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import subsetFont from "subset-font";
import { describe, expect, it } from "vitest";
import { FileCache } from "../src/cache.ts";
import { cutToLatinAndWelsh, FONT_DIRECTORY, LATIN_AND_WELSH } from "../src/render/fonts.ts";

const REGULAR = join(FONT_DIRECTORY, "400Regular/IBMPlexSans_400Regular.ttf");
const emptyCache = async () => new FileCache(await mkdtemp(join(tmpdir(), "policypack-fonts-")), 100);

describe("fonts cut down, kept between runs", () => {
  it("are HarfBuzz's cut the first time, and the kept file after", async () => {
    const cache = await emptyCache();
    const direct = await subsetFont(readFileSync(REGULAR), LATIN_AND_WELSH, { targetFormat: "truetype" });
    const first = await cutToLatinAndWelsh(REGULAR, "truetype", cache);
    expect(Buffer.from(first).equals(direct)).toBe(true);
    const [file] = await readdir(cache.dir);
    // What the cache holds is what a second run gets: marked here by one byte more.
    await appendFile(join(cache.dir, file as string), Buffer.from([0]));
    expect((await cutToLatinAndWelsh(REGULAR, "truetype", cache)).length).toBe(first.length + 1);
  });

  it("are kept by format, and cut again when a kept file is not a font", async () => {
    const cache = await emptyCache();
    const woff2 = await cutToLatinAndWelsh(REGULAR, "woff2", cache);
    expect(Buffer.from(woff2.subarray(0, 4)).toString("latin1")).toBe("wOF2");
    const ttf = await cutToLatinAndWelsh(REGULAR, "truetype", cache);
    expect(await readdir(cache.dir)).toHaveLength(2);
    for (const file of await readdir(cache.dir)) await writeFile(join(cache.dir, file), "not a font");
    expect(Buffer.from(await cutToLatinAndWelsh(REGULAR, "truetype", cache)).equals(Buffer.from(ttf))).toBe(true);
    expect(Buffer.from(await cutToLatinAndWelsh(REGULAR, "woff2", cache)).equals(Buffer.from(woff2))).toBe(true);
  });
});
