import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { sha256 } from "../src/hash.ts";
import { shardOf } from "../src/pack/shard.ts";
import { orgYaml, runCli, workspace } from "./helpers.ts";

const AS_OF = ["--as-of", "2026-11-24"];
// PDFs are covered by test/pdf.test.ts; these tests keep to the fast formats.
const FAST = ["--format", "html,docx", ...AS_OF];

async function build(dir: string, ...args: string[]) {
  const run = await runCli(["build", "--json", ...args], dir);
  expect(run.code, run.stdout).toBe(0);
  return JSON.parse(run.stdout) as { packs: { org: string; built: string[]; skipped: string[]; removed: string[] }[] };
}

async function mtimes(dir: string): Promise<Map<string, number>> {
  const files = (await readdir(dir, { recursive: true })).sort();
  return new Map(
    await Promise.all(files.map(async (f) => [f, (await stat(join(dir, f))).mtimeMs] as [string, number])),
  );
}

describe("incremental builds", () => {
  it("a second build with nothing changed writes no file and says so", async () => {
    const dir = await workspace();
    await build(dir, ...AS_OF);
    const before = await mtimes(join(dir, "output"));
    const run = await runCli(["build", ...AS_OF], dir);
    expect(run.stderr).toContain("nothing to do: 0 files built, 78 unchanged, 0 removed, in 2 packs");
    expect(await mtimes(join(dir, "output"))).toEqual(before);
  });

  it("records for every file written, the zip included, the hash of its bytes", async () => {
    const dir = await workspace();
    await build(dir, ...FAST);
    const folder = join(dir, "output", "afon-homecare");
    const { written } = JSON.parse(await readFile(join(folder, "manifest.json"), "utf8")) as {
      written: Record<string, string>;
    };
    const files = (await readdir(folder)).filter((f) => f !== "manifest.json");
    expect(Object.keys(written).sort()).toEqual(files.sort());
    expect(files).toContain("afon-homecare-policy-pack.zip");
    for (const name of files) expect(written[name], name).toBe(sha256(await readFile(join(folder, name))));
  });

  it("changing one policy rebuilds exactly that policy in each pack, and what contains it", async () => {
    const dir = await workspace();
    await build(dir, ...FAST);
    const file = join(dir, "policies", "DCW28-staff-conduct-and-code-of-ethics.md");
    await writeFile(file, (await readFile(file, "utf8")).replace("## 1. Purpose", "## 1. Purpose\n\nA new sentence."));
    const { packs } = await build(dir, ...FAST);
    for (const pack of packs) {
      expect(pack.built).toEqual([
        "DCW28-staff-conduct-and-code-of-ethics.docx",
        "DCW28-staff-conduct-and-code-of-ethics.html",
        `${pack.org}-policy-pack.zip`,
      ]);
      expect(pack.removed).toEqual([]);
      // The zip, made from the one it replaces, holds every file of the pack as it is now.
      const folder = join(dir, "output", pack.org);
      const zipped = unzipSync(await readFile(join(folder, `${pack.org}-policy-pack.zip`)));
      const files = (await readdir(folder)).filter((f) => f !== "manifest.json" && !f.endsWith(".zip"));
      expect(Object.keys(zipped).sort()).toEqual(files.sort());
      for (const name of files) {
        expect(Buffer.from(zipped[name] as Uint8Array).equals(await readFile(join(folder, name))), name).toBe(true);
      }
    }
  });

  it("a policy's new text prints its PDF and the manual again, not the read-and-sign sheets; its approval does", async () => {
    const dir = await workspace();
    const org = ["--org", "gofal-tyr-ysgol", ...AS_OF]; // it asks for read-and-sign sheets
    await build(dir, ...org);
    const file = join(dir, "policies", "DCW28-staff-conduct-and-code-of-ethics.md");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace("## 1. Purpose", "## 1. Purpose\n\nA new sentence."));
    const changed = await build(dir, ...org);
    expect(changed.packs[0]?.built).toEqual([
      "DCW28-staff-conduct-and-code-of-ethics.docx",
      "DCW28-staff-conduct-and-code-of-ethics.html",
      "DCW28-staff-conduct-and-code-of-ethics.pdf",
      "gofal-tyr-ysgol-policy-pack.pdf",
      "gofal-tyr-ysgol-policy-pack.zip",
    ]);
    // The sheet says "version 1.0, approved 1 September 2025": another date is another sheet.
    await writeFile(file, text.replace("    date: 2025-09-01", "    date: 2025-08-01"));
    const approved = await build(dir, ...org);
    expect(approved.packs[0]?.built).toContain("gofal-tyr-ysgol-read-and-sign.pdf");
  });

  it("changing one organisation's logo rebuilds that organisation only", async () => {
    const dir = await workspace();
    await build(dir, ...FAST);
    const published = join(dir, "output", "afon-homecare", "logo.png");
    const before = await readFile(published);
    const logo = join(dir, "orgs", "logos", "afon-homecare.svg");
    await writeFile(logo, (await readFile(logo, "utf8")).replace("#0f4c5c", "#5c0f4c"));
    const { packs } = await build(dir, ...FAST);
    expect(packs.find((p) => p.org === "gofal-tyr-ysgol")?.built).toEqual([]);
    const afon = packs.find((p) => p.org === "afon-homecare");
    expect(afon?.built).toHaveLength(6 * 2 + 3); // every page, the pack page, the logo, the zip
    expect(afon?.built).toContain("logo.png");
    // The SVG is published drawn as a PNG: drawn again in its new colour.
    expect((await readFile(published)).equals(before)).toBe(false);
  });

  it("another logo replaces the old file, and an organisation that drops its logo loses the file", async () => {
    const dir = await workspace();
    await build(dir, ...FAST);
    const org = join(dir, "orgs", "afon-homecare.yaml");
    const yaml = await readFile(org, "utf8");
    await writeFile(org, yaml.replace("logo: logos/afon-homecare.svg", "logo: logos/gofal-tyr-ysgol.png"));
    let afon = (await build(dir, ...FAST)).packs.find((p) => p.org === "afon-homecare");
    expect(afon?.built).toContain("logo.png");
    expect(afon?.removed).toEqual([]);
    const gofalLogo = await readFile(join(dir, "orgs", "logos", "gofal-tyr-ysgol.png"));
    expect((await readFile(join(dir, "output", "afon-homecare", "logo.png"))).equals(gofalLogo)).toBe(true);
    await writeFile(org, yaml.replace("logo: logos/afon-homecare.svg\n", ""));
    afon = (await build(dir, ...FAST)).packs.find((p) => p.org === "afon-homecare");
    expect(afon?.removed).toEqual(["logo.png"]);
    const files = await readdir(join(dir, "output", "afon-homecare"));
    expect(files.filter((f) => f.startsWith("logo."))).toEqual([]);
    const manifest = JSON.parse(await readFile(join(dir, "output", "afon-homecare", "manifest.json"), "utf8"));
    expect(Object.keys(manifest.files).filter((f) => f.startsWith("logo."))).toEqual([]);
    const page = await readFile(join(dir, "output", "afon-homecare", "index.html"), "utf8");
    expect(page).not.toContain("<img");
  });

  it("removes the outputs of a policy that left the pack, and --force rebuilds everything", async () => {
    const dir = await workspace();
    await build(dir, ...FAST);
    const org = join(dir, "orgs", "gofal-tyr-ysgol.yaml");
    await writeFile(org, (await readFile(org, "utf8")).replace("  - DCW38\n", ""));
    const { packs } = await build(dir, ...FAST, "--references-outside-pack", "warning");
    const gofal = packs.find((p) => p.org === "gofal-tyr-ysgol");
    // Gofal's pack is bilingual: the policy leaves it in both languages.
    expect(gofal?.removed.sort()).toEqual([
      "DCW38-using-social-media-platforms.cy.docx",
      "DCW38-using-social-media-platforms.cy.html",
      "DCW38-using-social-media-platforms.docx",
      "DCW38-using-social-media-platforms.html",
    ]);
    // Every policy that cites DCW38 loses its link to it, so it is rebuilt too.
    expect(gofal?.built).toContain("DCW13-safeguarding-adults.html");
    expect(packs.find((p) => p.org === "afon-homecare")?.built).toEqual([]);
    const files = await readdir(join(dir, "output", "gofal-tyr-ysgol"));
    expect(files.filter((f) => f.startsWith("DCW38"))).toEqual([]);
    const forced = await build(dir, ...FAST, "--references-outside-pack", "warning", "--force");
    expect(forced.packs.every((p) => p.skipped.length === 0)).toBe(true);
  });

  it("keeps a format built earlier while it is up to date, and links it", async () => {
    const dir = await workspace();
    await build(dir, "--format", "html,docx", ...AS_OF, "--org", "afon-homecare");
    const { packs } = await build(dir, "--format", "html", ...AS_OF, "--org", "afon-homecare");
    expect(packs[0]?.built).toEqual([]);
    const page = await readFile(join(dir, "output", "afon-homecare", "index.html"), "utf8");
    expect(page).toContain('href="DCW13-safeguarding-adults.docx"');
  });
});

describe("input hashes", () => {
  it("are the SHA-256 of each part followed by a NUL, whether the parts are text or bytes", () => {
    const cases: (string | Uint8Array)[][] = [[], ["ab", "c"], ["a", "bc"], ["ŵŷ", new Uint8Array([0, 1]), "", "x"]];
    for (const parts of cases) {
      const expected = createHash("sha256");
      for (const part of parts) expected.update(part).update("\0");
      expect(sha256(...parts)).toBe(expected.digest("hex"));
    }
    expect(sha256("ab", "c")).not.toBe(sha256("a", "bc"));
  });
});

describe("reproducible output", () => {
  it("two builds into two folders are byte-identical: HTML, DOCX, PDF and zip", async () => {
    const dir = await workspace();
    await build(dir, ...AS_OF, "--out", "one", "--org", "gofal-tyr-ysgol");
    await build(dir, ...AS_OF, "--out", "two", "--org", "gofal-tyr-ysgol");
    const files = (await readdir(join(dir, "one"), { recursive: true })).filter((f) => /\.\w+$/.test(f)).sort();
    // In Welsh and English: the policies, the pack pages, the read-and-sign sheets and the manuals; the zip and the overview.
    expect(files.filter((f) => /\.(html|docx|pdf|zip)$/.test(f)).length).toBe(2 * (3 * 6 + 1 + 1 + 1) + 1 + 1);
    for (const file of files) {
      const [a, b] = await Promise.all([readFile(join(dir, "one", file)), readFile(join(dir, "two", file))]);
      expect(a.equals(b), file).toBe(true);
    }
  });
});

describe("sharding", () => {
  const orgs = ["a-care", "b-care", "c-care", "d-care", "e-care", "f-care", "g-care"];

  it("--shard K/N builds disjoint slices that together are every organisation", async () => {
    const files = Object.fromEntries(orgs.map((id) => [`orgs/${id}.yaml`, orgYaml({ name: id })]));
    const dir = await workspace(files);
    const all = [...orgs, "afon-homecare", "gofal-tyr-ysgol"].sort();
    const shards: string[][] = [];
    for (const k of [1, 2, 3]) {
      const { packs } = await build(dir, "--format", "html", ...AS_OF, "--shard", `${k}/3`, "--out", `out-${k}`);
      shards.push(packs.map((p) => p.org));
    }
    expect(shards.flat().sort()).toEqual(all);
    expect(new Set(shards.flat()).size).toBe(all.length);
    expect(shards.every((shard) => shard.length > 0)).toBe(true);
  });

  it("an organisation keeps its shard when another is added", () => {
    const before = new Map(orgs.map((id) => [id, shardOf(id, 4)]));
    const after = new Map([...orgs, "h-care"].map((id) => [id, shardOf(id, 4)]));
    for (const id of orgs) expect(after.get(id)).toBe(before.get(id));
  });

  it("rejects a malformed shard", async () => {
    const run = await runCli(["build", "--shard", "4/3"], await workspace());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--shard takes K/N with 1 ≤ K ≤ N");
  });
});

describe("--reporter github", () => {
  it("prints annotations, and is the default on GitHub Actions", async () => {
    const dir = await workspace({
      "orgs/broken.yaml": orgYaml({ reviewed_on: "2026-02-30", address: '"1, High St: Cardiff"' }),
    });
    const run = await runCli(["check", ...AS_OF], dir, { GITHUB_ACTIONS: "true" });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error file=orgs/broken.yaml,line=12,col=14,title=schema::`reviewed_on` is "2026-02-30", which is not a calendar date%0Ahint: write a real date as YYYY-MM-DD, e.g. 2026-02-28',
    );
    const text = await runCli(["check", ...AS_OF, "--reporter", "text"], dir, { GITHUB_ACTIONS: "true" });
    expect(text.stdout).toBe("");
    expect(text.stderr).toContain("orgs/broken.yaml:12:14: error schema:");
  });
});
