import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { orgYaml, policyMd, runCli, workspace } from "./helpers.ts";

const POLICY = policyMd(
  { code: "TST1", title: "Test Policy", version: '"1.0"' },
  "\n## 1. Purpose\n\nThis policy belongs to <<org_field_name>>.\n",
);

/** Runs `check` on a workspace with one policy and one organisation (or the given files). */
async function check(files: Record<string, string>, args: string[] = []) {
  const dir = await workspace(
    { "policies/TST1-test.md": POLICY, "orgs/test-care.yaml": orgYaml(), ...files },
    { examples: false },
  );
  return runCli(["check", "--as-of", "2026-11-24", ...args], dir);
}

describe("policypack check reports each problem at its file:line:column", () => {
  it("passes a clean library and exits 0", async () => {
    const run = await check({});
    expect(run.stderr).toContain("0 errors");
    expect(run.code).toBe(0);
  });

  it("a YAML syntax error in an organisation", async () => {
    const run = await check({ "orgs/test-care.yaml": `${orgYaml()}policies: [TST1\n` });
    expect(run.stderr).toMatch(/orgs\/test-care\.yaml:1[34]:\d+: error yaml-syntax: /);
    expect(run.code).toBe(1);
  });

  it("a duplicate key", async () => {
    const run = await check({ "orgs/test-care.yaml": `${orgYaml()}name: Other Name\n` });
    expect(run.stderr).toContain("orgs/test-care.yaml:13:1: error yaml-duplicate-key: this key appears twice");
  });

  it("a missing required key, with what to add", async () => {
    const run = await check({ "orgs/test-care.yaml": orgYaml({ registration_no: null }) });
    expect(run.stderr).toContain("orgs/test-care.yaml:1:1: error schema: missing required key `registration_no`");
    expect(run.stderr).toContain("hint: add `registration_no: …` (the CIW registration number of the service)");
  });

  it("a value of the wrong type", async () => {
    const run = await check({ "orgs/test-care.yaml": orgYaml({ phone: "2920000000" }) });
    expect(run.stderr).toContain("orgs/test-care.yaml:10:8: error schema: `phone` must be a string, not 2920000000");
    expect(run.stderr).toContain('hint: put the value in quotes, e.g. "2920000000"');
  });

  it("an impossible date such as 30 February", async () => {
    const run = await check({ "orgs/test-care.yaml": orgYaml({ reviewed_on: "2026-02-30" }) });
    expect(run.stderr).toContain(
      'orgs/test-care.yaml:12:14: error schema: `reviewed_on` is "2026-02-30", which is not a calendar date',
    );
  });

  it("an unknown key, with a did-you-mean", async () => {
    const run = await check({ "orgs/test-care.yaml": `${orgYaml()}registered_manger_last_name: Jones\n` });
    expect(run.stderr).toContain("orgs/test-care.yaml:13:1: error schema: unknown key `registered_manger_last_name`");
    expect(run.stderr).toContain("hint: did you mean `registered_manager_last_name`?");
  });

  it("a policy code in `policies` that is not in the library", async () => {
    const run = await check({ "orgs/test-care.yaml": `${orgYaml()}policies:\n  - TST1\n  - TST2\n` });
    expect(run.stderr).toContain("orgs/test-care.yaml:15:5: error unknown-policy: policy TST2 is not in the library");
    expect(run.stderr).toContain("hint: did you mean TST1?");
  });

  it("front matter without a version, and a version that is a number", async () => {
    const noVersion = policyMd({ code: "TST1", title: "Test Policy" }, "\nText.\n");
    const numeric = policyMd({ code: "TST2", title: "Other Policy", version: "4.1" }, "\nText.\n");
    const run = await check({ "policies/TST1-test.md": noVersion, "policies/TST2-other.md": numeric });
    expect(run.stderr).toContain("policies/TST1-test.md:2:1: error schema: missing required key `version`");
    expect(run.stderr).toContain("policies/TST2-other.md:4:10: error schema: `version` must be a string, not 4.1");
  });

  it("a file with no front matter", async () => {
    const run = await check({ "policies/TST1-test.md": "# Test Policy\n\nText.\n" });
    expect(run.stderr).toContain("policies/TST1-test.md:1:1: error front-matter:");
  });

  it("a code used by two files", async () => {
    const twin = policyMd({ code: "TST1", title: "Twin Policy", version: '"1.0"' }, "\nText.\n");
    const run = await check({ "policies/TST1-twin.md": twin });
    expect(run.stderr).toContain(
      "policies/TST1-twin.md:2:7: error duplicate-code: code TST1 is already used by policies/TST1-test.md",
    );
  });

  it("an unknown placeholder, with a did-you-mean, at the policy's line and column", async () => {
    const body = "\n## 1. Purpose\n\nThe manager is <<org_field_registered_manager_frist_name>>.\n";
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
    });
    expect(run.stderr).toContain(
      "policies/TST1-test.md:9:16: error unknown-placeholder: unknown placeholder <<org_field_registered_manager_frist_name>>",
    );
    expect(run.stderr).toContain("hint: did you mean <<org_field_registered_manager_first_name>>?");
  });

  it("a field the pack needs but the organisation lacks names the org file and the policy line", async () => {
    const body = "\nReport to <<org_field_safeguarding_lead_name>>.\n";
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
      "orgs/test-care.yaml": orgYaml({ safeguarding_lead_name: null }),
    });
    expect(run.stderr).toContain(
      "orgs/test-care.yaml:1:1: error missing-field: `safeguarding_lead_name` is missing, and TST1 uses it at policies/TST1-test.md:7:11",
    );
  });

  it("a field used only under its own <<#if>> is optional", async () => {
    const body = "\n<<#if org_field_website>>\nSee <<org_field_website>>.\n<</if>>\n";
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
    });
    expect(run.stderr).not.toContain("missing-field");
  });

  it("an <<#if>> that is never closed, and a stray <</if>>", async () => {
    const body = "\n<<#if org_field_website>>\nSee <<org_field_website>>.\n\nText.\n<</unless>>\n<</if>>\n";
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
    });
    expect(run.stderr).toContain(
      "policies/TST1-test.md:11:1: error unbalanced-block: <</unless>> does not match <<#if org_field_website>> opened at line 7",
    );
    expect(run.stderr).toContain(
      "policies/TST1-test.md:12:1: error unbalanced-block: <</if>> closes a block that was never opened",
    );
  });

  it("leftover legacy tokens: {{…}} and [INSERT …]", async () => {
    const body = "\nRun by {{org_field_name}} and [INSERT MANAGER NAME].\n";
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
    });
    expect(run.stderr).toContain(
      "policies/TST1-test.md:7:8: error legacy-token: leftover template token {{org_field_name}}",
    );
    expect(run.stderr).toContain("hint: write <<org_field_name>>");
    expect(run.stderr).toContain(
      "policies/TST1-test.md:7:31: error legacy-token: leftover template token [INSERT MANAGER NAME]",
    );
  });

  it("leftover placeholders of older templates: {org_field_…}, mail-merge fields and bracketed names; not links or acronyms", async () => {
    const body = [
      "",
      "Run by {org_field_name}, managed by «RegisteredManager» and [Name of Registered Manager] at [ORGANISATION].",
      "",
      "The [GDPR] applies; see [the guidance](https://example.org/g), [WALES GUIDANCE][ref] and [ ] lists.",
      "[IMPORTANT] [NHS WALES] [enter quietly] [CQC GUIDE] «bientraitance» `[ORGANISATION]` are text.",
      "",
      "[ref]: https://example.org/w",
      "[CQC GUIDE]: https://www.cqc.org.uk/",
    ].join("\n");
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
    });
    const tokens = run.stderr.match(/error legacy-token: leftover template token .*/g) ?? [];
    expect(tokens).toEqual([
      "error legacy-token: leftover template token {org_field_name}",
      "error legacy-token: leftover template token «RegisteredManager»",
      "error legacy-token: leftover template token [Name of Registered Manager]",
      "error legacy-token: leftover template token [ORGANISATION]",
    ]);
    expect(run.stderr).toContain(
      "policies/TST1-test.md:7:8: error legacy-token: leftover template token {org_field_name}",
    );
    expect(run.stderr).toContain("hint: write <<org_field_name>>");
    expect(run.stderr).toContain("hint: replace the mail-merge field with the placeholder of the field it stands for");
  });

  it("an unused organisation field is a warning, not an error", async () => {
    const run = await check({});
    expect(run.stderr).toContain("orgs/test-care.yaml:6:1: warning unused-field: `safeguarding_lead_name` is not used");
    expect(run.code).toBe(0);
  });

  it("prints JSON with --json, one object per diagnostic", async () => {
    const run = await check({ "orgs/test-care.yaml": orgYaml({ reviewed_on: "2026-02-30" }) }, ["--json"]);
    const diagnostics = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ file: "orgs/test-care.yaml", line: 12, column: 14, severity: "error", rule: "schema" }),
    );
    expect(run.code).toBe(1);
  });

  it("colours only a terminal, and never under NO_COLOR", async () => {
    const run = await check({ "orgs/test-care.yaml": orgYaml({ reviewed_on: "2026-02-30" }) });
    expect(run.stderr).not.toContain("\u001b[");
  });
});

describe("input no document can carry is an error at its line, with a hint", () => {
  it("a control character in a value, raw or escaped, and a private-use character", async () => {
    const run = await check({
      "orgs/test-care.yaml": orgYaml({ name: "Test\u0000 Care", address: '"1 High St \\uE000"' }),
    });
    expect(run.stderr).toContain(
      "orgs/test-care.yaml:1:11: error character: the control character U+0000 cannot appear",
    );
    expect(run.code).toBe(1);
    const escaped = await check({ "orgs/test-care.yaml": orgYaml({ address: '"1 High St \\uE000"' }) });
    expect(escaped.stderr).toContain(
      "orgs/test-care.yaml:9:10: error character: this value holds the private-use character U+E000",
    );
  });

  it("a name longer than the schema allows", async () => {
    const run = await check({ "orgs/test-care.yaml": orgYaml({ name: "N".repeat(201) }) });
    expect(run.stderr).toContain(
      "orgs/test-care.yaml:1:7: error schema: `name` is 201 characters long; at most 200 are allowed",
    );
  });

  it("an organisation file that is not UTF-8", async () => {
    const dir = await workspace({ "policies/TST1-test.md": POLICY }, { examples: false });
    await writeFile(join(dir, "orgs/test-care.yaml"), Buffer.from(orgYaml({ name: "Caf\u00e9 Care" }), "latin1"));
    const run = await runCli(["check", "--as-of", "2026-11-24"], dir);
    expect(run.stderr).toContain("orgs/test-care.yaml:1:10: error encoding: byte 0xe9 is not UTF-8 text");
    expect(run.stderr).toContain("hint: save it as UTF-8");
  });

  it("javascript: links and remote images in a policy body, at their lines", async () => {
    const body =
      "\n[a](JaVaScRiPt:alert(1)) and [b](https://example.org)\n\n![c](//tracker.example/p.png)\n\n[d](//evil.example/x) [e](/etc/passwd)\n";
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
    });
    expect(run.stderr).toContain("policies/TST1-test.md:7:1: error link-scheme: a link to a javascript: address");
    expect(run.stderr).toContain("policies/TST1-test.md:9:1: error remote-image:");
    // Another server without https:, or a path from the root: what each reader's machine or site holds there.
    expect(run.stderr).toContain(
      "policies/TST1-test.md:11:1: error link-scheme: a link to //evil.example/x, a path from the root or another server's without https:",
    );
    expect(run.stderr).toContain("policies/TST1-test.md:11:23: error link-scheme: a link to /etc/passwd,");
    expect(run.stderr).not.toContain("7:30");
    expect(run.code).toBe(1);
  });

  it("text damaged by a wrong encoding, at its line and column, with the character it stood for", async () => {
    const body =
      "\n## 1. Purpose\n\nIt protects service usersâ€™ care and the cafÃ© in TÅ·'r Ysgol.\n\nA lost letter: Gwenll\uFFFDan.\n";
    const run = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, body),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'policies/TST1-test.md:9:26: error encoding: "â€™" is "’" read with the wrong encoding (UTF-8 taken for Windows-1252)',
    );
    expect(run.stderr).toContain(
      'hint: write "’"; if many characters look like this, import the source again as UTF-8',
    );
    expect(run.stderr).toContain('policies/TST1-test.md:9:46: error encoding: "Ã©" is "é"');
    expect(run.stderr).toContain('policies/TST1-test.md:9:53: error encoding: "Å·" is "ŷ"');
    // Welsh and typographic characters written as they should be are not damage.
    const clean =
      "\n## 1. Purpose\n\nTŷ’r Ysgol, Gwenllïan, naïve café — “quoted” £5 €10 Â. CYSYLLTU Â’R TÎM, DÔ’N, CAFÉ’S, “CAFÉ”, É\u00a0x, tê…”\n";
    const good = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, clean),
    });
    expect(good.stderr).not.toContain("error encoding");
  });

  it("a title that is a placeholder or a section heading, as imports of web pages and Word files give", async () => {
    const body = "\n## 1. Purpose\n\nThis policy belongs to <<org_field_name>>.\n\n## 2. Scope\n\nEveryone.\n";
    for (const [title, message] of [
      ["<<org_field_name>> Registration Number", "holds a placeholder"],
      ["1. Purpose", "is a section heading of the policy"],
    ]) {
      const run = await check({
        "policies/TST1-test.md": policyMd({ code: "TST1", title: JSON.stringify(title), version: '"1.0"' }, body),
      });
      expect(run.stderr, title).toMatch(
        new RegExp(`policies/TST1-test\\.md:3:8: error title: the title "[^"]+" ${message}`),
      );
      expect(run.code).toBe(1);
    }
    // A title a heading repeats is worth a look, not a blocked pack.
    const repeated = await check({
      "policies/TST1-test.md": policyMd({ code: "TST1", title: "Scope", version: '"1.0"' }, body),
    });
    expect(repeated.stderr).toContain(
      'policies/TST1-test.md:3:8: warning title: the title "Scope" is also a section heading',
    );
    expect(repeated.code).toBe(0);
    // Titles that start with a number are titles.
    for (const title of ["24 Hour Care Policy", "2024 Review Policy", "24-hour Care Policy"]) {
      const run = await check({
        "policies/TST1-test.md": policyMd({ code: "TST1", title: JSON.stringify(title), version: '"1.0"' }, body),
      });
      expect(run.stderr, title).not.toContain("error title");
    }
  });

  it("one organisation in two files is an error on both", async () => {
    const dir = await workspace(
      { "policies/TST1-test.md": POLICY, "orgs/test-care.yaml": orgYaml(), "orgs/test-care.yml": orgYaml() },
      { examples: false },
    );
    const run = await runCli(["check", "--as-of", "2026-11-24"], dir);
    expect(run.stderr).toContain(
      'orgs/test-care.yaml:1:1: error duplicate-org: orgs/test-care.yml also gives the organisation id "test-care"',
    );
    expect(run.stderr).toContain("orgs/test-care.yml:1:1: error duplicate-org:");
    expect(run.code).toBe(1);
  });

  it("a logo outside orgs/, through a symlink, is not read", async () => {
    const dir = await workspace({ "policies/TST1-test.md": POLICY, "secret.png": "x" }, { examples: false });
    await symlink(join(dir, "secret.png"), join(dir, "orgs/logo.png"));
    await writeFile(join(dir, "orgs/test-care.yaml"), `${orgYaml()}logo: logo.png\n`);
    const run = await runCli(["check", "--as-of", "2026-11-24"], dir);
    expect(run.stderr).toContain(
      "orgs/test-care.yaml:13:7: error logo: logo logo.png is outside the organisations folder",
    );
  });
});

describe("usage and environment problems exit 2 without a stack trace", () => {
  it("an unknown command", async () => {
    const run = await runCli(["buidl"], await workspace());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "buidl" (did you mean build?)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("a malformed --as-of", async () => {
    const run = await runCli(["check", "--as-of", "24/11/2026"], await workspace());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--as-of 24/11/2026 is not a date");
  });

  it("a missing schema", async () => {
    const run = await runCli(["check", "--orgs", "nowhere"], await workspace());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot read the organisation schema nowhere/org.schema.json");
  });
});
