import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileCache } from "../src/cache.ts";
import { compileSchema, schemaDiagnostics } from "../src/check/schema.ts";
import { parseYamlWithPositions } from "../src/load/yaml.ts";
import { orgYaml, REPO } from "./helpers.ts";

const ORG_SCHEMA = JSON.parse(await readFile(join(REPO, "orgs", "org.schema.json"), "utf8")) as object;

/** Organisations with one mistake of each kind the schema finds (and one without). */
const ORGS = [
  orgYaml(),
  orgYaml({ registration_no: null }),
  `${orgYaml()}nmae: Typo Care\n`,
  orgYaml({ name: "[1, 2]" }),
  orgYaml({ phone: "01234" }).replace('phone: "01234"', "phone: 1234"),
  orgYaml({ email: "not an address" }),
  `${orgYaml()}website: "no scheme"\n`,
  orgYaml({ reviewed_on: "2026-02-30" }),
  orgYaml({ reviewed_on: "0001-01-01" }),
  orgYaml({ name: "x".repeat(201) }),
  `${orgYaml()}language: french\n`,
  `${orgYaml()}policy_reviews:\n  dcw13: 2026-01-01\n`,
  `${orgYaml()}reviews:\n  - date: 2026-01-01\n    policy: DCW13\n    by: Ann\n    outcome: fine\n`,
  `${orgYaml()}policies: [DCW13, DCW13]\n`,
];

const diagnosticsOf = (validate: ReturnType<typeof compileSchema>) =>
  ORGS.map((text) => {
    const parsed = parseYamlWithPositions(text, "orgs/test.yaml");
    return schemaDiagnostics(validate, parsed.data, parsed.positions, "orgs/test.yaml");
  });

const emptyCache = async () => new FileCache(await mkdtemp(join(tmpdir(), "policypack-validators-")), 100);

describe("compiled schemas kept between runs", () => {
  it("a validator from the cache reports exactly what a freshly compiled one does", async () => {
    const cache = await emptyCache();
    const compiled = compileSchema(ORG_SCHEMA, cache);
    expect(await readdir(cache.dir)).toHaveLength(1);
    const loaded = compileSchema(ORG_SCHEMA, cache);
    expect(loaded).not.toBe(compiled);
    const expected = diagnosticsOf(compiled);
    expect(expected.filter((found) => found.length > 0)).toHaveLength(ORGS.length - 1);
    expect(diagnosticsOf(loaded)).toEqual(expected);
    // Hints that read the schema (its descriptions and known keys) come through too.
    expect(expected.flat().map((d) => d.hint)).toContain("did you mean `name`?");
  });

  it("a changed schema gets its own validator, not the old one", async () => {
    const cache = await emptyCache();
    const schema = (maxLength: number) => ({ type: "object", properties: { name: { type: "string", maxLength } } });
    expect(compileSchema(schema(5), cache)({ name: "1234567" })).toBe(false);
    expect(compileSchema(schema(10), cache)({ name: "1234567" })).toBe(true);
    expect(compileSchema(schema(5), cache)({ name: "1234567" })).toBe(false);
    expect(await readdir(cache.dir)).toHaveLength(2);
  });

  it("a damaged file is compiled again and replaced", async () => {
    const cache = await emptyCache();
    const expected = diagnosticsOf(compileSchema(ORG_SCHEMA, cache));
    const [file] = await readdir(cache.dir);
    const path = join(cache.dir, file as string);
    const code = await readFile(path, "utf8");
    for (const damage of [code.slice(0, code.length / 2), "module.exports = 42;"]) {
      await writeFile(path, damage);
      expect(diagnosticsOf(compileSchema(ORG_SCHEMA, cache))).toEqual(expected);
      // Replaced by the whole code again (its function's name numbered anew).
      expect((await readFile(path, "utf8")).replace(/validate\d+/g, "v")).toBe(code.replace(/validate\d+/g, "v"));
    }
  });

  it("an invalid schema is still an error, each time", async () => {
    const cache = await emptyCache();
    const invalid = { type: "object", properties: { name: { type: "text" } } };
    expect(() => compileSchema(invalid, cache)).toThrow();
    expect(() => compileSchema(invalid, cache)).toThrow();
    expect(await readdir(cache.dir)).toEqual([]);
  });
});
