import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PackDiff } from "../src/diff/compare.ts";
import { REPO, runCli, workspace } from "./helpers.ts";

const DCW28 = "policies/DCW28-staff-conduct-and-code-of-ethics.md";
const OLD_SENTENCE = "act with honesty, integrity, respect and professionalism at all times";
const NEW_SENTENCE = "act with honesty, integrity and kindness at all times";
const AS_OF = ["--as-of", "2026-05-01"];

/** The examples with `from` replaced by `to` in one file. */
async function edited(path: string, from: string, to: string): Promise<Record<string, string>> {
  const text = await readFile(join(REPO, path), "utf8");
  expect(text).toContain(from);
  return { [path]: text.replace(from, to) };
}

async function diffJson(base: string, head: string, args: string[] = []): Promise<PackDiff> {
  const run = await runCli(["diff", "--base", base, "--format", "json", ...AS_OF, ...args], head);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as PackDiff;
}

/** Per org, the codes of its policies that are not unchanged, with their change. */
const changes = (diff: PackDiff) =>
  Object.fromEntries(
    diff.orgs.map((org) => [
      org.id,
      org.policies.filter((p) => p.change !== "unchanged").map((p) => `${p.change} ${p.code}`),
    ]),
  );

const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
    {
      cwd,
      stdio: "pipe",
    },
  );

describe("policypack diff", () => {
  it("a sentence changed in one policy shows, filled in, for every org that has it", async () => {
    const base = await workspace();
    const head = await workspace(await edited(DCW28, OLD_SENTENCE, NEW_SENTENCE));
    const run = await runCli(["diff", "--base", base, ...AS_OF], head);
    expect(run.code).toBe(0);
    // The one thing said besides the diff: the Welsh DCW28 is now behind its English.
    const said = run.stderr.split("\n").filter((line) => /: (error|warning) /.test(line));
    expect(said).toEqual([expect.stringMatching(/^policies\/cy\/DCW28-.*: warning translation-stale: /)]);
    const out = run.stdout;
    expect(out).toContain("afon-homecare (Afon Homecare Ltd): 1 changed, 5 unchanged");
    expect(out).toContain("gofal-tyr-ysgol (Gofal Tŷ'r Ysgol & Partners): 1 changed, 5 unchanged");
    expect(out.match(/^ {2}~ .*$/gm)).toEqual([
      "  ~ DCW28 Staff Conduct and Code of Ethics Policy",
      "  ~ DCW28 Staff Conduct and Code of Ethics Policy",
    ]);
    // The org's own name, not the placeholder, on both sides of the change.
    expect(out).toMatch(/^ {4}-.*works for Afon Homecare Ltd\. .*honesty, integrity, respect and professionalism/m);
    expect(out).toMatch(/^ {4}\+.*works for Afon Homecare Ltd\. .*honesty, integrity and kindness/m);
    expect(out).toMatch(/^ {4}\+.*works for Gofal Tŷ'r Ysgol & Partners\. .*honesty, integrity and kindness/m);
    expect(out).toContain("    @@ -");
    expect(out).toContain("     ## 1. Purpose"); // context line, heading marked
    expect(out).not.toContain("<<org_field");
    expect(out).toContain("  unchanged: DCW13, DCW30, DCW31, DCW34, DCW38");
    expect(out.trimEnd().split("\n").at(-1)).toBe("2 policies changed in 2 organisations");

    const json = await diffJson(base, head);
    expect(changes(json)).toEqual({ "afon-homecare": ["changed DCW28"], "gofal-tyr-ysgol": ["changed DCW28"] });
  });

  it("a field changed in one org shows only that org's policies that use the field", async () => {
    const base = await workspace();
    const head = await workspace(
      await edited(
        "orgs/afon-homecare.yaml",
        "data_protection_lead_name: Owain Jenkins",
        "data_protection_lead_name: Nia Rees",
      ),
    );
    const json = await diffJson(base, head);
    expect(changes(json)).toEqual({ "afon-homecare": ["changed DCW13", "changed DCW34"], "gofal-tyr-ysgol": [] });
    expect(json.orgs.find((o) => o.id === "gofal-tyr-ysgol")?.change).toBe("unchanged");
    expect(json.policiesChanged).toBe(2);
    expect(json.orgsChanged).toBe(1);
    const lines = json.orgs[0]?.policies[0]?.hunks?.flatMap((h) => h.lines) ?? [];
    expect(lines.filter((l) => /^[-+]/.test(l))).toEqual([
      expect.stringMatching(/^-Safeguarding records .* the Data Protection Lead, Owain Jenkins\.$/),
      expect.stringMatching(/^\+Safeguarding records .* the Data Protection Lead, Nia Rees\.$/),
    ]);
  });

  it("a policy added to an org's list shows as added; a review date change shows in the document control", async () => {
    const base = await workspace(await edited("orgs/gofal-tyr-ysgol.yaml", "  - DCW38\n", ""));
    const head = await workspace(await edited("orgs/afon-homecare.yaml", "DCW13: 2026-01-31", "DCW13: 2026-04-30"));
    // Every example policy cites DCW38, which is an error in a pack without it: the base cannot build that pack.
    const strict = await diffJson(base, head);
    expect(strict.orgs[1]).toMatchObject({ id: "gofal-tyr-ysgol", change: "not-compared", side: "base" });

    const json = await diffJson(base, head, ["--references-outside-pack", "warning"]);
    expect(changes(json)).toEqual({
      "afon-homecare": ["changed DCW13"],
      // The others now list DCW38 under Related Policies.
      "gofal-tyr-ysgol": [
        "changed DCW13",
        "changed DCW28",
        "changed DCW30",
        "changed DCW31",
        "changed DCW34",
        "added DCW38",
      ],
    });
    const dcw13 = json.orgs[0]?.policies.find((p) => p.code === "DCW13")?.hunks?.flatMap((h) => h.lines);
    expect(dcw13?.filter((l) => /^[-+]/.test(l))).toEqual([
      "-Last reviewed: 31 January 2026",
      "-Next review date: 31 January 2027",
      "+Last reviewed: 30 April 2026",
      "+Next review date: 30 April 2027",
    ]);

    const args = ["diff", "--base", base, ...AS_OF, "--references-outside-pack", "warning", "--org", "gofal-tyr-ysgol"];
    const text = await runCli(args, head);
    expect(text.stdout).toContain("gofal-tyr-ysgol (Gofal Tŷ'r Ysgol & Partners): 5 changed, 1 added\n");
    expect(text.stdout).toContain("\n    +- Using Social Media Platforms Policy (DCW38)\n");
    expect(text.stdout).toContain("\n  + DCW38 Using Social Media Platforms Policy\n");
    expect(text.stdout).not.toContain("afon-homecare");
    expect(text.stdout).toContain("6 policies changed in 1 organisation\n");
  });

  it("json and markdown shapes; markdown also goes to $GITHUB_STEP_SUMMARY", async () => {
    const base = await workspace();
    const head = await workspace(await edited(DCW28, OLD_SENTENCE, NEW_SENTENCE));
    const json = await diffJson(base, head);
    expect(Object.keys(json).sort()).toEqual(["base", "diagnostics", "orgs", "orgsChanged", "policiesChanged"]);
    const org = json.orgs[0];
    expect(org).toMatchObject({ id: "afon-homecare", name: "Afon Homecare Ltd", change: "changed" });
    expect(org?.policies.map((p) => p.code)).toEqual(["DCW13", "DCW28", "DCW30", "DCW31", "DCW34", "DCW38"]);
    expect(org?.policies[1]).toMatchObject({
      code: "DCW28",
      change: "changed",
      title: "Staff Conduct and Code of Ethics Policy",
    });
    expect(org?.policies[1]?.hunks?.[0]).toMatchObject({ oldStart: expect.any(Number), lines: expect.any(Array) });
    expect(org?.policies[0]).not.toHaveProperty("hunks");

    const summary = join(await mkdtemp(join(tmpdir(), "policypack-summary-")), "summary.md");
    await writeFile(summary, "earlier step\n");
    const md = await runCli(["diff", "--base", base, "--format", "markdown", ...AS_OF], head, {
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("**2 policies changed in 2 organisations**");
    expect(md.stdout).toContain("### afon-homecare — Afon Homecare Ltd");
    expect(md.stdout).toContain("### gofal-tyr-ysgol — Gofal Tŷ'r Ysgol \\& Partners");
    expect(md.stdout).toContain("**\\~ DCW28 Staff Conduct and Code of Ethics Policy**\n\n```diff\n@@ -");
    expect(md.stdout.match(/^```diff$/gm)).toHaveLength(2);
    expect(md.stdout.match(/^```$/gm)).toHaveLength(2);
    expect(md.stdout).toMatch(/^\+.*honesty, integrity and kindness/m);
    expect(await readFile(summary, "utf8")).toBe(`earlier step\n${md.stdout}`);
  });

  it("a git ref as the base: compares the working tree with that commit", async () => {
    const repo = await workspace();
    git(repo, "init", "--quiet");
    git(repo, "add", "policies", "orgs");
    git(repo, "commit", "--quiet", "-m", "examples");
    const [path, text] = Object.entries(await edited(DCW28, OLD_SENTENCE, NEW_SENTENCE))[0] as [string, string];
    await writeFile(join(repo, path), text);

    const run = await runCli(["diff", "--base", "HEAD", ...AS_OF], repo);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {4}\+.*honesty, integrity and kindness/m);
    expect(run.stdout).toContain("2 policies changed in 2 organisations");

    // From a subdirectory, --policies/--orgs are found at the same place in the commit.
    const sub = await runCli(
      ["diff", "--base", "HEAD", "--policies", "../policies", "--orgs", "../orgs", ...AS_OF],
      join(repo, "orgs"),
    );
    expect(sub.stdout).toContain("2 policies changed in 2 organisations");

    const unknown = await runCli(["diff", "--base", "no-such-branch", ...AS_OF], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--base no-such-branch is neither a directory nor a git commit");
  });

  it("usage and environment problems are exit 2; errors in the current inputs exit 1", async () => {
    const head = await workspace();
    const missing = await runCli(["diff", "--base", join(head, "nowhere"), ...AS_OF], head);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("is not a directory");
    expect((await runCli(["diff", ...AS_OF], head)).code).toBe(2);
    const badFormat = await runCli(["diff", "--base", head, "--format", "mardown", ...AS_OF], head);
    expect(badFormat.stderr).toContain("did you mean markdown?");
    expect(badFormat.code).toBe(2);

    const broken = await workspace(
      await edited("orgs/afon-homecare.yaml", "reviewed_on: 2026-03-31", "reviewed_on: 2026-02-30"),
    );
    const run = await runCli(["diff", "--base", head, ...AS_OF], broken);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("orgs/afon-homecare.yaml:");
    expect(run.stdout).toContain("afon-homecare (Afon Homecare Ltd): not compared: the head inputs have errors");
    expect(run.stdout).toContain("gofal-tyr-ysgol (Gofal Tŷ'r Ysgol & Partners): no changes (6 unchanged)");
    expect(run.stdout).toContain("0 policies changed in 0 organisations");
    const md = await runCli(["diff", "--base", head, "--format", "markdown", ...AS_OF], broken, {
      GITHUB_ACTIONS: "true",
    });
    expect(md.code).toBe(1);
    expect(md.stdout).not.toContain("::error");
    expect(md.stderr).toContain("orgs/afon-homecare.yaml:");
  });
});
