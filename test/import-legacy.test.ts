// Legacy placeholder styles (issue 15): `import --map fields.yaml` names a consultancy's own
// tokens; without a map every token is reported at its line; a bad map is refused at its line.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, workspace } from "./helpers.ts";

const PAGE = [
  "Visiting Policy",
  "",
  "Visitors to [Care Home Name] sign in at reception. «OrgName» keeps the book.",
  "",
  "Concerns go to [Name of Registered Manager] on [Office Phone Number], or to the [DUTY MANAGER].",
].join("\n");

const body = async (path: string) => (await readFile(path, "utf8")).replace(/^---\n[\s\S]*?\n---\n\n/, "");

describe("import --map", () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    dir = await workspace({
      "visiting.txt": PAGE,
      "fields.yaml": [
        "# our templates' tokens",
        '"[Care Home Name]": name',
        "«OrgName»: name",
        '"[Office Phone Number]": org_field_phone',
        '"[DUTY MANAGER]": [registered_manager_first_name, registered_manager_last_name]',
      ].join("\n"),
    });
    run = await runCli(["import", "visiting.txt", "--code", "DCW71", "--map", "fields.yaml"], dir);
  });

  it("turns every mapped token into its placeholders, with a guess line naming the map's line", async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(await body(join(dir, "policies", "DCW71-visiting.md"))).toBe(
      [
        "Visitors to <<org_field_name>> sign in at reception. <<org_field_name>> keeps the book.",
        "",
        "Concerns go to <<org_field_registered_manager_first_name>> <<org_field_registered_manager_last_name>> on <<org_field_phone>>, or to the <<org_field_registered_manager_first_name>> <<org_field_registered_manager_last_name>>.",
        "",
      ].join("\n"),
    );
    const lines = run.stdout.split("\n");
    expect(lines).toContain("visiting.txt:3: placeholder: [Care Home Name] → <<org_field_name>> (fields.yaml:2)");
    expect(lines).toContain("visiting.txt:5: placeholder: [Office Phone Number] → <<org_field_phone>> (fields.yaml:4)");
    // Not in the map, but named beyond doubt: the built-in rule still maps it.
    expect(lines).toContain(
      "visiting.txt:5: placeholder: [Name of Registered Manager] → <<org_field_registered_manager_first_name>> <<org_field_registered_manager_last_name>>",
    );
    expect(run.stderr).toBe("");
    expect((await runCli(["check", "--as-of", "2026-11-24"], dir)).code).toBe(0);
  });
});

describe("a map that is wrong", () => {
  const tryMap = async (map: string) => {
    const dir = await workspace({ "visiting.txt": PAGE, "fields.yaml": map });
    const run = await runCli(["import", "visiting.txt", "--code", "DCW71", "--map", "fields.yaml"], dir);
    return { run, written: existsSync(join(dir, "policies", "DCW71-visiting.md")) };
  };

  it("names an unknown field at its line and column, with a did-you-mean; nothing is imported", async () => {
    const { run, written } = await tryMap('«OrgName»: name\n"[Care Home Name]": nmae\n');
    expect(run.code).toBe(1);
    expect(written).toBe(false);
    expect(run.stderr).toContain(
      "fields.yaml:2:21: error import-map: [Care Home Name] is mapped to nmae, which is not an organisation field",
    );
    expect(run.stderr).toContain("hint: did you mean name?");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("names YAML that does not parse, and a map that is not token: field lines", async () => {
    const broken = await tryMap('"[Care Home Name]: name\n');
    expect(broken.run.code).toBe(1);
    expect(broken.written).toBe(false);
    expect(broken.run.stderr).toMatch(/fields\.yaml:\d+:\d+: error import-map: the map does not parse/);
    const list = await tryMap("- name\n- phone\n");
    expect(list.run.stderr).toContain(
      "fields.yaml:1:1: error import-map: the map must be a list of token: field lines",
    );
    const empty = await tryMap('"[Care Home Name]":\n');
    expect(empty.run.stderr).toContain(
      "fields.yaml:1:1: error import-map: [Care Home Name] is mapped to nothing a placeholder can be",
    );
  });

  it("is a usage error when the file is missing", async () => {
    const dir = await workspace({ "visiting.txt": PAGE });
    const run = await runCli(["import", "visiting.txt", "--code", "DCW71", "--map", "nope.yaml"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no such map file: nope.yaml");
  });
});

describe("legacy tokens without a map", () => {
  it("are each reported at their line and column, and the ones check rejects make the import exit 1", async () => {
    const dir = await workspace({ "visiting.txt": PAGE });
    const run = await runCli(["import", "visiting.txt", "--code", "DCW71"], dir);
    const warnings = run.stderr.split("\n").filter((line) => line.includes("legacy-placeholder"));
    expect(warnings).toEqual([
      "visiting.txt:3:13: warning legacy-placeholder: [Care Home Name] looks like a placeholder from an old template; it was left as written",
      "visiting.txt:5:48: warning legacy-placeholder: [Office Phone Number] looks like a placeholder from an old template; it was left as written",
      "visiting.txt:5:81: warning legacy-placeholder: [DUTY MANAGER] looks like a placeholder from an old template; it was left as written",
    ]);
    expect(run.stderr).toContain('or name it in a --map file ("[Care Home Name]": X) and import again');
    // [DUTY MANAGER] is a name in capitals, which check rejects: a person must decide.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /DCW71-visiting\.md:\d+:\d+: error legacy-token: leftover template token \[DUTY MANAGER\]/,
    );
  });
});
