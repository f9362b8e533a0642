import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileCache } from "../src/cache.ts";
import { parseYamlWithPositions } from "../src/load/yaml.ts";

const emptyCache = async () => new FileCache(await mkdtemp(join(tmpdir(), "policypack-yaml-")), 100);

/** YAML whose values JSON could not carry, with a value shared through an alias. */
const TEXT = `name: Test Care
limit: .inf
ratio: .nan
zero: -0
nothing: ~
base: &base { phone: "01234" }
copy: *base
`;

describe("parsed YAML kept between runs", () => {
  it("is given back exactly as the parser made it", async () => {
    const cache = await emptyCache();
    const parsed = parseYamlWithPositions(TEXT, "orgs/a.yaml", 1, cache);
    const kept = parseYamlWithPositions(TEXT, "orgs/a.yaml", 1, cache);
    expect(await readdir(cache.dir)).toHaveLength(1);
    expect(kept).not.toBe(parsed);
    expect(kept).toStrictEqual(parsed);
    const data = kept.data as Record<string, unknown>;
    expect(data.limit).toBe(Number.POSITIVE_INFINITY);
    expect(data.ratio).toBeNaN();
    expect(Object.is(data.zero, -0)).toBe(true);
    expect(data.copy).toBe(data.base);
  });

  it("keeps diagnostics, each for its own file and line", async () => {
    const cache = await emptyCache();
    const text = "name: One\nname: Two\n";
    const first = parseYamlWithPositions(text, "policies/a.md", 2, cache);
    expect(first.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`)).toEqual([
      "policies/a.md:3 yaml-duplicate-key",
    ]);
    expect(parseYamlWithPositions(text, "policies/a.md", 2, cache)).toStrictEqual(first);
    // The same text elsewhere is parsed for where it is.
    const other = parseYamlWithPositions(text, "policies/b.md", 5, cache);
    expect(other.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`)).toEqual([
      "policies/b.md:6 yaml-duplicate-key",
    ]);
  });

  it("parses again when a kept file is damaged", async () => {
    const cache = await emptyCache();
    const parsed = parseYamlWithPositions(TEXT, "orgs/a.yaml", 1, cache);
    const [file] = await readdir(cache.dir);
    for (const damage of ["not what V8 wrote", new Uint8Array([0xff, 0x0f, 0x22, 0x01, 0x61])]) {
      await writeFile(join(cache.dir, file as string), damage);
      expect(parseYamlWithPositions(TEXT, "orgs/a.yaml", 1, cache)).toStrictEqual(parsed);
    }
  });
});
