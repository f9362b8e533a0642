import { existsSync } from "node:fs";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, workspace } from "./helpers.ts";

const AS_OF = ["--as-of", "2026-11-24"];

/** The example library moved under library/, so only a configuration can find it. */
async function movedLibrary(config: string): Promise<string> {
  const dir = await workspace();
  await mkdir(join(dir, "library"));
  for (const folder of ["policies", "orgs"]) {
    await cp(join(dir, folder), join(dir, "library", folder), { recursive: true });
    await rm(join(dir, folder), { recursive: true });
  }
  await writeFile(join(dir, "policypack.config.yaml"), config);
  return dir;
}

describe("policypack.config.yaml", () => {
  it("drives check and build with no options; the command line still wins", async () => {
    const dir = await movedLibrary(
      "# yaml-language-server: $schema=../policypack.config.schema.json\npolicies: library/policies\norgs: library/orgs\nout: site\nformats: [html]\n",
    );
    const check = await runCli(["check", ...AS_OF], dir);
    expect(check.stderr).toContain("6 policies and 2 organisations: no problems");
    expect(check.code).toBe(0);

    const build = await runCli(["build", ...AS_OF], dir);
    expect(build.code, build.stderr).toBe(0);
    expect(build.stderr).toContain("(site/afon-homecare/)");
    expect(existsSync(join(dir, "site", "afon-homecare", "DCW13-safeguarding-adults.html"))).toBe(true);
    expect(existsSync(join(dir, "site", "afon-homecare", "DCW13-safeguarding-adults.pdf"))).toBe(false);

    const word = await runCli(["build", ...AS_OF, "--format", "docx", "--org", "afon-homecare"], dir);
    expect(word.code, word.stderr).toBe(0);
    expect(existsSync(join(dir, "site", "afon-homecare", "DCW13-safeguarding-adults.docx"))).toBe(true);
  });

  it("gives formats and out only to the commands they are for: reviews, xref and import keep their own", async () => {
    const dir = await movedLibrary(
      "policies: library/policies\norgs: library/orgs\nout: site\nformats: [html, pdf]\npack_url: https://packs.example/\n",
    );
    const reviews = await runCli(["reviews", ...AS_OF, "--format", "json"], dir);
    expect(reviews.code, reviews.stderr).toBe(0);
    expect(JSON.parse(reviews.stdout).rows.length).toBeGreaterThan(0);
    const calendar = await runCli(["reviews", ...AS_OF, "--format", "ics"], dir);
    expect(calendar.stdout).toContain("https://packs.example/");
    const xref = await runCli(["xref", ...AS_OF], dir);
    expect(xref.code, xref.stderr).toBe(0);
    await writeFile(join(dir, "fire.txt"), "Fire Safety Policy\n\n1. Purpose\n\nStaff know what to do in a fire.\n");
    const imported = await runCli(["import", "fire.txt", "--code", "DCW99", ...AS_OF], dir);
    expect(imported.code, imported.stderr).toBe(0);
    expect(existsSync(join(dir, "library", "policies", "DCW99-fire-safety.md"))).toBe(true);
    expect(existsSync(join(dir, "site"))).toBe(false);
  });

  it("reads folders relative to itself when --config names a file elsewhere", async () => {
    const dir = await movedLibrary("");
    await writeFile(join(dir, "library", "team.yaml"), "policies: policies\norgs: orgs\n");
    const run = await runCli(["check", ...AS_OF, "--config", "library/team.yaml"], dir);
    expect(run.stderr).toContain("no problems");
    expect(run.code).toBe(0);
  });

  it("reports a typo at its line with a did-you-mean, and a wrong value at its column, and runs nothing", async () => {
    const dir = await movedLibrary("orgs: library/orgs\npolices: library/policies\nformats: [html, pfd]\n");
    const run = await runCli(["build", ...AS_OF], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("policypack.config.yaml:2:1: error schema: unknown key `polices`");
    expect(run.stderr).toContain("did you mean `policies`?");
    expect(run.stderr).toMatch(/policypack\.config\.yaml:3:17: error schema: .*formats/);
    expect(existsSync(join(dir, "output"))).toBe(false);
    // With --json the same diagnostics are the JSON on stdout.
    const json = await runCli(["check", ...AS_OF, "--json"], dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toContainEqual(
      expect.objectContaining({ file: "policypack.config.yaml", line: 2, column: 1, rule: "schema" }),
    );
  });

  it("an unreadable or unparsable configuration is an error at its line, not an internal error", async () => {
    const dir = await movedLibrary("policies: [unclosed\n");
    const run = await runCli(["check", ...AS_OF], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^policypack\.config\.yaml:\d+:\d+: error/m);
    expect(run.stderr).not.toContain("internal error");
    const missing = await runCli(["check", ...AS_OF, "--config", "nowhere.yaml"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nowhere.yaml");
    expect(missing.stderr).toContain("does not exist");
  });
});
