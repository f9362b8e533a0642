import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { select, selectAll } from "hast-util-select";
import { toText } from "hast-util-to-text";
import { describe, expect, it } from "vitest";
import { appendReviewRecord } from "../src/reviews/record.ts";
import type { Schedule } from "../src/reviews/schedule.ts";
import type { Diagnostic } from "../src/types.ts";
import { orgYaml, readHtml, runCli, workspace } from "./helpers.ts";

const AS_OF = ["--as-of", "2026-11-24"];

async function schedule(dir: string, ...args: string[]): Promise<Schedule> {
  const run = await runCli(["reviews", "--format", "json", ...AS_OF, ...args], dir);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Schedule;
}

const row = (s: Schedule, org: string, code: string) => s.rows.find((r) => r.org === org && r.code === code);

// A hand-written file: comments, quoting, blank lines, and the log in the middle.
const HAND_WRITTEN = `# yaml-language-server: $schema=./org.schema.json
name: "Test Care Ltd"   # as registered
registration_no: SIN-00000001-TEST
registered_manager_first_name: Ann
registered_manager_last_name: Jones
responsible_individual_name: 'Bryn Davies'
safeguarding_lead_name: Cai Evans
data_protection_lead_name: Dee Hughes
local_authority: Cardiff Council
address: 1 High Street, Cardiff CF10 1AA
phone: "029 2000 0000"
email: office@test.example

reviews:
  # the first review after registration
  - date: 2026-01-15
    policy: all
    by: Bryn Davies
    role: Responsible Individual
    outcome: no-change   # nothing to change
  # reviews above, oldest first
reviewed_on: 2026-01-15
policy_reviews: { DCW30: 2026-02-10 }
`;

describe("policypack review record", () => {
  it("appends an entry to the log, leaves every other byte of the file as it was, and moves the next review", async () => {
    const dir = await workspace({ "orgs/test-care.yaml": HAND_WRITTEN });
    const file = join(dir, "orgs", "test-care.yaml");
    const before = await schedule(dir, "--org", "test-care");
    expect(row(before, "test-care", "DCW13")).toMatchObject({ lastReviewed: "2026-01-15", nextReview: "2027-01-15" });

    const run = await runCli(
      [
        "review",
        "record",
        "--org",
        "test-care",
        "--policy",
        "DCW13",
        "--by",
        "Elin Wŷn Hughes",
        "--role",
        "Responsible Individual",
        "--outcome",
        "amended",
        "--date",
        "2026-11-20",
        "--notes",
        "Referral steps: updated for the new Code #2",
        ...AS_OF,
      ],
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      "recorded in orgs/test-care.yaml: DCW13 reviewed 20 November 2026 by Elin Wŷn Hughes (Responsible Individual) — amended; next review 20 November 2027\n",
    );
    const entry = [
      "  - date: 2026-11-20",
      "    policy: DCW13",
      "    by: Elin Wŷn Hughes",
      "    role: Responsible Individual",
      "    outcome: amended",
      '    notes: "Referral steps: updated for the new Code #2"',
      "",
    ].join("\n");
    const after = await readFile(file, "utf8");
    // The entry goes straight after the last one; the rest of the file is byte for byte the same.
    const at = HAND_WRITTEN.indexOf("  # reviews above");
    expect(after).toBe(HAND_WRITTEN.slice(0, at) + entry + HAND_WRITTEN.slice(at));

    const moved = await schedule(dir, "--org", "test-care");
    expect(row(moved, "test-care", "DCW13")).toMatchObject({
      lastReviewed: "2026-11-20",
      nextReview: "2027-11-20",
      status: "current",
      reviewedBy: "Elin Wŷn Hughes",
      reviewerRole: "Responsible Individual",
      outcome: "amended",
      notes: "Referral steps: updated for the new Code #2",
    });
    expect((await runCli(["check", ...AS_OF], dir)).code).toBe(0);
  });

  it("starts the log in a file without one, and refuses bad input without touching the file", async () => {
    const dir = await workspace({ "orgs/test-care.yaml": orgYaml() });
    const file = join(dir, "orgs", "test-care.yaml");
    const original = await readFile(file, "utf8");
    const record = (...args: string[]) =>
      runCli(
        ["review", "record", "--org", "test-care", "--by", "Ann Jones", "--role", "Registered Manager", ...args],
        dir,
      );

    const refusals: [string[], string][] = [
      [["--policy", "DCW99", "--outcome", "no-change"], "DCW99 is not in the pack of test-care"],
      [["--policy", "DCW13", "--outcome", "fine"], '--outcome takes no-change, amended or withdrawn, not "fine"'],
      [["--policy", "DCW13"], "review record needs --outcome"],
      [["--policy", "DCW13", "--outcome", "no-change", "--date", "2026-02-30"], "--date 2026-02-30 is not a date"],
      [["--policy", "DCW13", "--outcome", "no-change", "--date", "2026-12-01", ...AS_OF], "after the build date"],
      [["--policy", "all", "--outcome", "withdrawn"], "cannot withdraw it"],
    ];
    for (const [args, message] of refusals) {
      const run = await record(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(message);
    }
    expect(await readFile(file, "utf8")).toBe(original);

    const run = await record("--policy", "all", "--outcome", "no-change", "--date", "2026-11-01", ...AS_OF);
    expect(run.code).toBe(0);
    expect(await readFile(file, "utf8")).toBe(
      `${original}reviews:\n  - date: 2026-11-01\n    policy: all\n    by: Ann Jones\n    role: Registered Manager\n    outcome: no-change\n`,
    );
    // The log is in date order: an earlier review cannot be added after it.
    const late = await record("--policy", "DCW13", "--outcome", "no-change", "--date", "2026-10-01", ...AS_OF);
    expect(late.code).toBe(2);
    expect(late.stderr).toContain("--date must be 2026-11-01 or later");
  });

  it("a withdrawn policy leaves the pack; a later typed date still wins over an older record", async () => {
    const dir = await workspace({
      "orgs/test-care.yaml": `${orgYaml({ policy_reviews: "{ DCW31: 2026-06-01 }" })}reviews:
  - { date: 2026-03-01, policy: DCW38, by: Ann Jones, role: Registered Manager, outcome: withdrawn }
  - { date: 2026-04-01, policy: DCW31, by: Ann Jones, role: Registered Manager, outcome: no-change }
`,
    });
    const s = await schedule(dir, "--org", "test-care", "--references-outside-pack", "warning");
    expect(s.rows.map((r) => r.code)).not.toContain("DCW38");
    // policy_reviews says 2026-06-01, later than the record: the typed date counts, with no reviewer.
    expect(row(s, "test-care", "DCW31")).toMatchObject({ lastReviewed: "2026-06-01" });
    expect(row(s, "test-care", "DCW31")?.reviewedBy).toBeUndefined();
  });
});

describe("appending to the review log's text", () => {
  const record = { date: "2026-11-20", policy: "DCW13", by: "Ann", role: "RM", outcome: "no-change" as const };

  it("keeps Windows line ends, a last line without one, and a block list at the left margin", () => {
    expect(appendReviewRecord("name: A\r\nreviews:\r\n  - date: 2026-01-01\r\n", record)).toBe(
      "name: A\r\nreviews:\r\n  - date: 2026-01-01\r\n  - date: 2026-11-20\r\n    policy: DCW13\r\n    by: Ann\r\n    role: RM\r\n    outcome: no-change\r\n",
    );
    expect(appendReviewRecord("name: A", record)).toBe(
      "name: A\nreviews:\n  - date: 2026-11-20\n    policy: DCW13\n    by: Ann\n    role: RM\n    outcome: no-change\n",
    );
    expect(appendReviewRecord("reviews:\n- date: 2026-01-01\n  notes: |\n    two\n    lines\nname: A\n", record)).toBe(
      "reviews:\n- date: 2026-01-01\n  notes: |\n    two\n    lines\n- date: 2026-11-20\n  policy: DCW13\n  by: Ann\n  role: RM\n  outcome: no-change\nname: A\n",
    );
    // `reviews: []` becomes the start of a block list.
    expect(appendReviewRecord("reviews: []\nname: A\n", record)).toBe(
      "reviews:\n  - date: 2026-11-20\n    policy: DCW13\n    by: Ann\n    role: RM\n    outcome: no-change\nname: A\n",
    );
  });
});

describe("checking the review log", () => {
  it("reports unknown codes, reviews after the build date, entries out of order and bad outcomes at their line", async () => {
    const dir = await workspace({
      "orgs/test-care.yaml": `${orgYaml()}reviews:
  - date: 2026-05-01
    policy: DCW99
    by: Ann Jones
    role: Registered Manager
    outcome: no-change
  - date: 2026-03-01
    policy: DCW13
    by: Ann Jones
    role: Registered Manager
    outcome: no-change
  - date: 2027-01-01
    policy: all
    by: Ann Jones
    role: Registered Manager
    outcome: withdrawn
`,
      "orgs/other-care.yaml": `${orgYaml()}reviews:
  - date: 2026-02-30
    policy: DCW13
    by: Ann Jones
    role: Registered Manager
    outcome: fine
`,
    });
    const run = await runCli(["check", "--json", ...AS_OF], dir);
    expect(run.code).toBe(1);
    const found = (JSON.parse(run.stdout) as Diagnostic[])
      .filter((d) => d.file.includes("-care.yaml"))
      .map((d) => `${d.file}:${d.line}:${d.column} ${d.rule} ${d.message}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "orgs/test-care.yaml:15:13 unknown-policy policy DCW99 is not in the library",
        "orgs/test-care.yaml:19:11 review-record this review (1 March 2026) is listed after one on 1 May 2026",
        "orgs/test-care.yaml:28:14 review-record a review of the whole pack cannot withdraw it",
        "orgs/test-care.yaml:24:11 review-record a review is recorded on 1 January 2027, after the build date 24 November 2026: it does not count yet",
        'orgs/other-care.yaml:14:11 schema `reviews.0.date` is "2026-02-30", which is not a calendar date',
        'orgs/other-care.yaml:18:14 schema `reviews.0.outcome` is "fine"; allowed: no-change, amended, withdrawn',
      ]),
    );
  });
});

describe("the last review in every format", () => {
  it("says who reviewed the policy, in what role, and with what outcome, in HTML, Word and PDF", async () => {
    const dir = await workspace({
      "orgs/test-care.yaml": `${orgYaml({ policies: "[DCW38]", reviewed_on: "2025-12-15" })}reviews:
  - date: 2025-12-15
    policy: all
    by: Elin Wyn Hughes
    role: Responsible Individual
    outcome: no-change
    notes: Checked against the new Code; nothing to change
`,
    });
    const run = await runCli(
      ["build", "--org", "test-care", "--format", "html,docx,pdf", "--references-outside-pack", "warning", ...AS_OF],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    const expected = "Last reviewed 15 December 2025 by Elin Wyn Hughes (Responsible Individual) — no changes";
    const base = join(dir, "output", "test-care", "DCW38-using-social-media-platforms");

    const html = await readHtml(`${base}.html`);
    const control = selectAll(".doc-control tr", html).map((tr) =>
      [select("th", tr), select("td", tr)].map((cell) => (cell ? toText(cell) : "")).join(" "),
    );
    expect(control).toContain(expected);
    expect(control).toContain("Review notes Checked against the new Code; nothing to change");

    const docx = strFromU8(unzipSync(await readFile(`${base}.docx`))["word/document.xml"] as Uint8Array);
    const words = [...docx.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(" ");
    expect(words.replace(/\s+/g, " ")).toContain(expected);

    const pdf = execFileSync("pdftotext", [`${base}.pdf`, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(pdf).toContain(expected);

    // The pack page shows the reviewer and outcome beside the date.
    const pack = await readHtml(join(dir, "output", "test-care", "index.html"));
    const cell = selectAll("#policies tbody td", pack).find((td) => td.properties.dataLabel === "Last reviewed");
    expect(cell && toText(cell).replace(/\s+/g, " ")).toBe(
      "15 December 2025 by Elin Wyn Hughes (Responsible Individual) — no changes",
    );
  }, 120_000);

  it("reads a log written by hand in flow style, and will not splice into one", async () => {
    // A record written by hand in flow style is as good as one written by the command.
    const dir = await workspace({
      "orgs/test-care.yaml": `${orgYaml()}reviews: [{ date: 2026-11-01, policy: DCW13, by: Ann, role: RM, outcome: no-change }]\n`,
    });
    expect(row(await schedule(dir, "--org", "test-care"), "test-care", "DCW13")).toMatchObject({
      lastReviewed: "2026-11-01",
      reviewedBy: "Ann",
    });
    // The command will not splice into a non-empty flow list; it says so and leaves the file alone.
    const file = join(dir, "orgs", "test-care.yaml");
    const before = await readFile(file, "utf8");
    const run = await runCli(
      [
        "review",
        "record",
        "--org",
        "test-care",
        "--policy",
        "DCW13",
        "--by",
        "A",
        "--role",
        "B",
        "--outcome",
        "no-change",
        ...AS_OF,
      ],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("nothing recorded in orgs/test-care.yaml");
    expect(await readFile(file, "utf8")).toBe(before);
  });
});
