// The public API (src/index.ts) against the command it stands for: the same data, without printing,
// for a library in `cwd` (never process.cwd(), which these calls do not change).
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { build, check, diff, EnvironmentError, importFile, reviews, UsageError, xref } from "../src/index.ts";
import { REPO, runCli, workspace } from "./helpers.ts";

const asOf = "2026-11-24";
const AS_OF = ["--as-of", asOf];
const DCW28 = "policies/DCW28-staff-conduct-and-code-of-ethics.md";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the API", () => {
  it("checks and builds without printing, with paths as the command prints them", async () => {
    const dir = await workspace({ "orgs/broken.yaml": "name: Broken Care\n" });
    const stdout = vi.spyOn(process.stdout, "write");
    const stderr = vi.spyOn(process.stderr, "write");
    const checked = await check({ cwd: dir, asOf });
    const built = await build({ cwd: dir, asOf, formats: ["html"], outDir: "site" });
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    vi.restoreAllMocks();

    const cli = await runCli(["check", "--json", ...AS_OF], dir);
    expect(checked.ok).toBe(false);
    expect(checked.diagnostics).toEqual(JSON.parse(cli.stdout));
    expect(checked.diagnostics.every((d) => d.file === "orgs/broken.yaml" && d.rule === "schema")).toBe(true);
    expect(checked.orgs.map((o) => [o.id, o.buildable])).toEqual([
      ["afon-homecare", true],
      ["broken", false],
      ["gofal-tyr-ysgol", true],
    ]);

    expect(built.skipped).toEqual(["broken"]);
    expect(built.packs.map((p) => p.org)).toEqual(["afon-homecare", "gofal-tyr-ysgol"]);
    expect(existsSync(join(dir, "site", "gofal-tyr-ysgol", "DCW13-safeguarding-adults.html"))).toBe(true);
    expect(existsSync(join(dir, "site", "gofal-tyr-ysgol", "DCW13-safeguarding-adults.pdf"))).toBe(false);
  });

  it("reviews and xref return what the commands print as JSON", async () => {
    const dir = await workspace();
    const schedule = await reviews({ cwd: dir, asOf, orgs: ["gofal-tyr-ysgol"], within: 400 });
    const cli = JSON.parse(
      (await runCli(["reviews", "--json", ...AS_OF, "--org", "gofal-tyr-ysgol", "--within", "400"], dir)).stdout,
    );
    expect(schedule).toEqual({ ok: true, ...cli });
    expect(schedule.rows.length).toBeGreaterThan(0);

    const graph = await xref({ cwd: dir });
    const printed = JSON.parse((await runCli(["xref", "--format", "json"], dir)).stdout);
    expect(graph).toEqual({ ok: true, diagnostics: [], ...printed });
  });

  it("diffs against a base folder as the command does", async () => {
    const base = await workspace();
    const text = await readFile(join(REPO, DCW28), "utf8");
    const head = await workspace({ [DCW28]: text.replace("respect and professionalism", "respect and kindness") });
    const result = await diff({ cwd: head, base, asOf });
    const { base: _, ...printed } = JSON.parse(
      (await runCli(["diff", "--base", base, "--json", ...AS_OF], head)).stdout,
    );
    expect(result).toEqual({ ok: true, ...printed });
    expect(result.orgsChanged).toBe(2);
    const changed = result.orgs.flatMap((org) => org.policies.filter((p) => p.change === "changed").map((p) => p.code));
    expect(changed).toEqual(["DCW28", "DCW28"]);
  });

  it("imports a file, writing it only when asked and never over an existing one", async () => {
    const seed = await readFile(join(REPO, "test", "fixtures", "seed-social-media-policy.txt"), "utf8");
    const dir = await workspace({ "seed.txt": seed });
    const target = join(dir, "policies", "DCW38-using-social-media-platforms.md");
    const original = await readFile(target, "utf8");

    const preview = await importFile("seed.txt", { cwd: dir, code: "DCW38", write: false });
    expect(preview).toMatchObject({
      ok: true,
      source: "seed.txt",
      output: "policies/DCW38-using-social-media-platforms.md",
      code: "DCW38",
      written: false,
    });
    expect(preview.text).toMatch(/^---\n[\s\S]*status: draft\n/);
    expect(preview.guesses).toContainEqual({ line: 26, kind: "list", message: 'split 4 items after "This means:"' });

    const refused = await importFile("seed.txt", { cwd: dir, code: "DCW38" });
    expect(refused.ok).toBe(false);
    expect(refused.written).toBe(false);
    expect(refused.diagnostics).toEqual([expect.objectContaining({ file: "seed.txt", rule: "file-exists" })]);
    expect(await readFile(target, "utf8")).toBe(original);

    const forced = await importFile("seed.txt", { cwd: dir, code: "DCW38", force: true });
    expect(forced.written).toBe(true);
    expect(await readFile(target, "utf8")).toBe(preview.text);
  });

  it("imports with a map of a consultancy's own tokens, as import --map does", async () => {
    const dir = await workspace({
      "old.txt": "Visiting Policy\n\n1. Purpose\n\nCall the office on [Office Phone Number].\n",
      "fields.yaml": '"[Office Phone Number]": phone\n',
      "bad.yaml": '"[Office Phone Number]": phnoe\n',
    });
    const mapped = await importFile("old.txt", { cwd: dir, code: "DCW90", map: "fields.yaml", write: false });
    expect(mapped.text).toContain("Call the office on <<org_field_phone>>.");
    const wrong = await importFile("old.txt", { cwd: dir, code: "DCW90", map: "bad.yaml", write: false });
    expect(wrong).toMatchObject({ ok: false, output: null, written: false });
    expect(wrong.diagnostics[0]).toMatchObject({ file: "bad.yaml", line: 1, rule: "import-map" });
  });

  it("throws UsageError for a bad option and EnvironmentError for a missing schema", async () => {
    const dir = await workspace();
    await expect(build({ cwd: dir, orgs: ["afon-homecar"] })).rejects.toThrow(
      new UsageError(`no organisation "afon-homecar" in ${join(dir, "orgs")} (did you mean afon-homecare?)`),
    );
    await expect(check({ cwd: dir, asOf: "2026-02-30" })).rejects.toBeInstanceOf(UsageError);
    await expect(reviews({ cwd: dir, within: -1 })).rejects.toBeInstanceOf(UsageError);
    await rm(join(dir, "orgs", "org.schema.json"));
    await expect(check({ cwd: dir })).rejects.toBeInstanceOf(EnvironmentError);
    expect(existsSync(join(dir, "output"))).toBe(false);
  });
});
