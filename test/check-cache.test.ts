import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileCache } from "../src/cache.ts";
import { loadAndCheck } from "../src/check/index.ts";
import { orgYaml, policyMd, REPO, workspace } from "./helpers.ts";

/** A library of one policy whose body has a leftover template token (an error the body check finds). */
const library = (code: string) =>
  workspace(
    {
      [`policies/${code}-test.md`]: policyMd(
        { code, title: "Test Policy", version: '"1.0"' },
        "\n## 1. Purpose\n\nThis policy belongs to {{org_field_name}}.\n",
      ),
      "orgs/test-care.yaml": orgYaml(),
    },
    { examples: false },
  );

const check = (dir: string, cacheDir: string) =>
  loadAndCheck({
    policiesDir: join(dir, "policies"),
    orgsDir: join(dir, "orgs"),
    buildDate: { year: 2026, month: 11, day: 24 },
    referencesOutsidePack: "error",
    cacheDir,
  });

const cached = async (cacheDir: string) => new Set(await readdir(join(cacheDir, "checks")));

describe("the body-check cache", () => {
  it("keeps one library's results through a check of another, and serves them", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "policypack-cache-"));
    const a = await library("AAA1");
    const first = await check(a, cacheDir);
    expect(first.diagnostics.map((d) => d.rule)).toContain("legacy-token");
    const ofA = await cached(cacheDir);
    expect(ofA.size).toBeGreaterThan(0);

    await check(await library("BBB1"), cacheDir);
    const afterB = await cached(cacheDir);
    for (const file of ofA) expect(afterB).toContain(file);
    expect(afterB.size).toBeGreaterThan(ofA.size);

    // What the cache holds is what A's next check reports: A's policy is not checked again.
    for (const file of ofA) {
      const path = join(cacheDir, "checks", file);
      await writeFile(path, (await readFile(path, "utf8")).replaceAll("leftover template token", "from the cache"));
    }
    const again = await check(a, cacheDir);
    expect(again.diagnostics.find((d) => d.rule === "legacy-token")?.message).toMatch(/^from the cache/);
  });

  it("ignores a damaged file and checks the policy again", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "policypack-cache-"));
    const a = await library("AAA1");
    const first = await check(a, cacheDir);
    const files = [...(await cached(cacheDir))];
    for (const [i, file] of files.entries()) {
      await writeFile(join(cacheDir, "checks", file), i % 2 ? '{"uses": 1}' : '{"uses": [], "probl');
    }
    expect((await check(a, cacheDir)).diagnostics).toEqual(first.diagnostics);
    // …and the damaged files are replaced by good ones.
    for (const file of files) JSON.parse(await readFile(join(cacheDir, "checks", file), "utf8"));
  });

  it("checks as usual when the cache cannot be written", async () => {
    const a = await library("AAA1");
    const first = await check(a, await mkdtemp(join(tmpdir(), "policypack-cache-")));
    // A folder under a file cannot be made, whoever runs the test (root ignores permissions).
    const blocked = join(a, "orgs", "test-care.yaml", "cache");
    expect((await check(a, blocked)).diagnostics).toEqual(first.diagnostics);
  });
});

describe("a check whose inputs are all cached", () => {
  it("loads no parser: neither Markdown, Handlebars, YAML nor Ajv's compiler", async () => {
    const dir = await workspace();
    const log = join(dir, "loaded.txt");
    // Every module the process loads: ES modules through a loader hook, CommonJS ones (yaml, Ajv,
    // Handlebars) from require.cache as it ends.
    const hook = `import { appendFileSync } from "node:fs";
      export async function load(url, context, next) {
        appendFileSync(${JSON.stringify(log)}, url + "\\n");
        return next(url, context);
      }`;
    const preload = join(dir, "preload.mjs");
    await writeFile(
      preload,
      `import { appendFileSync } from "node:fs";
      import { createRequire, register } from "node:module";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));
      const require = createRequire(import.meta.url);
      process.on("exit", () => appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join("\\n")));`,
    );
    const check = (...node: string[]) =>
      execFileSync(process.execPath, [...node, join(REPO, "bin", "policypack.js"), "check", "--as-of", "2026-11-24"], {
        cwd: dir,
        stdio: "ignore",
      });
    check(); // fills the caches
    check("--import", preload);
    const loaded = await readFile(log, "utf8");
    expect(loaded).toMatch(/check\/index\.(ts|js)/); // the hook saw the check
    expect(loaded).not.toMatch(
      /\/node_modules\/(micromark|remark-|mdast-util-from-markdown|handlebars|yaml|ajv\/dist\/(core|compile))/,
    );
  });
});

describe("FileCache", () => {
  it("keeps the most recently used files past its limit, down to nine tenths of it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policypack-cache-"));
    const cache = new FileCache(dir, 10);
    for (let i = 0; i < 12; i++) {
      cache.write(`k${i}`, `text ${i}`);
      // Written an hour apart, oldest first.
      const time = new Date(Date.now() - (12 - i) * 3_600_000);
      await utimes(join(dir, `k${i}`), time, time);
    }
    expect(cache.read("k0")?.toString()).toBe("text 0"); // used now: the newest
    cache.trim();
    expect((await readdir(dir)).sort()).toEqual(["k0", "k10", "k11", "k4", "k5", "k6", "k7", "k8", "k9"]);
    expect(cache.read("k1")).toBeUndefined();
  });

  it("a process that wrote to it trims it as it ends", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policypack-cache-"));
    const script = `import { FileCache } from "./src/cache.ts";
      const cache = new FileCache(${JSON.stringify(dir)}, 10);
      for (let i = 0; i < 12; i++) cache.write("k" + i, "text");`;
    execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO });
    expect(await readdir(dir)).toHaveLength(9);
  });
});
