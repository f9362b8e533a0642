import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { select, selectAll } from "hast-util-select";
import { toText } from "hast-util-to-text";
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import type { Schedule } from "../src/reviews/schedule.ts";
import type { Diagnostic } from "../src/types.ts";
import { readHtml, runCli, workspace } from "./helpers.ts";

const AS_OF = ["--as-of", "2026-11-24"];
const REASON = "review needed: Test Care (Wales) Act 2026 in force 1 June 2026";

// afon-homecare reviewed its pack on 2026-03-31: by its cycle, DCW28 is next due on 31 March 2027.
const REGISTER = `- id: test-care-wales-act-2026
  title: Test Care (Wales) Act 2026
  in_force: 2026-06-01
  link: https://www.legislation.gov.uk/asc/2026/1
  policies: [DCW28]
`;

const text = (node: Parameters<typeof toText>[0] | undefined) => (node ? toText(node).replace(/\s+/g, " ").trim() : "");

describe("a law in force after an organisation's last review", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await workspace({ "policies/legislation.yaml": REGISTER });
    const run = await runCli(["build", "--format", "html,docx", ...AS_OF], dir);
    expect(run.code, run.stderr).toBe(0);
  });

  it("makes DCW28 due for that organisation in reviews, with the reason, whatever its cycle", async () => {
    const run = await runCli(["reviews", "--format", "json", "--org", "afon-homecare", ...AS_OF], dir);
    const { rows } = JSON.parse(run.stdout) as Schedule;
    expect(rows.find((r) => r.code === "DCW28")).toMatchObject({
      status: "due",
      lastReviewed: "2026-03-31",
      nextReview: "2027-03-31",
      reason: REASON,
    });
    // A policy the law does not affect keeps its cycle.
    expect(rows.find((r) => r.code === "DCW13")).toMatchObject({ status: "current" });
    expect(rows.find((r) => r.code === "DCW13")?.reason).toBeUndefined();

    const table = await runCli(["reviews", "--org", "afon-homecare", "--within", "30", ...AS_OF], dir);
    const lines = table.stdout.split("\n");
    const at = lines.findIndex((line) => / DCW28 /.test(line));
    expect(lines[at]).toMatch(/^2027-03-31\s+due\s+127\s+afon-homecare\s+DCW28 /);
    expect(lines[at + 1]).toBe(`  ${REASON}`);

    const csv = await runCli(["reviews", "--format", "csv", "--org", "afon-homecare", ...AS_OF], dir);
    expect(csv.stdout).toContain(`,due,127,,,,,${REASON}\r\n`);

    const ics = await runCli(["reviews", "--format", "ics", "--org", "afon-homecare", ...AS_OF], dir);
    const calendar = new ICAL.Component(ICAL.parse(ics.stdout) as unknown[]);
    const event = calendar
      .getAllSubcomponents("vevent")
      .map((e) => new ICAL.Event(e))
      .find((e) => e.summary.startsWith("Review DCW28"));
    expect(event?.description).toContain(`Why: ${REASON}`);
  });

  it("shows it on the pack page and in the overview", async () => {
    const pack = await readHtml(join(dir, "output", "afon-homecare", "index.html"));
    const rows = selectAll("#policies tbody tr", pack);
    const dcw28 = rows.find((tr) => text(select("th", tr)) === "DCW28");
    const status = select('td[data-label="Status"]', dcw28 ?? pack);
    expect(text(status)).toBe(`Due for review ${REASON}`);
    expect(dcw28?.properties.className).toContain("row-due");
    // Due rows come first.
    expect(text(select("th", rows[0] ?? pack))).toBe("DCW28");

    const overview = await readHtml(join(dir, "output", "index.html"));
    const afon = selectAll("tbody tr", overview).find((tr) => text(select("th", tr)) === "Afon Homecare Ltd");
    expect(text(select('td[data-label="Due for review"]', afon ?? overview))).toBe("1");
    expect(text(select('td[data-label="Legislation"]', afon ?? overview))).toBe(`${REASON} (DCW28)`);
    // gofal reviewed DCW28 on 2025-12-15, also before the law: its row says so too.
    const gofal = selectAll("tbody tr", overview).find((tr) => text(select("th", tr)).startsWith("Gofal"));
    expect(text(select('td[data-label="Legislation"]', gofal ?? overview))).toBe(`${REASON} (DCW28)`);
  });

  it("says so in the policy's own document control, on the web and in Word", async () => {
    const page = await readHtml(join(dir, "output", "afon-homecare", "DCW28-staff-conduct-and-code-of-ethics.html"));
    const rows = selectAll(".doc-control tr", page).map((tr) => [text(select("th", tr)), text(select("td", tr))]);
    expect(rows).toContainEqual(["Review needed now", "Test Care (Wales) Act 2026 in force 1 June 2026"]);
    // A policy the law does not affect has no such row.
    const other = await readHtml(join(dir, "output", "afon-homecare", "DCW13-safeguarding-adults.html"));
    expect(toText(select(".doc-control", other) ?? other)).not.toContain("Review needed");

    const word = unzipSync(
      await readFile(join(dir, "output", "afon-homecare", "DCW28-staff-conduct-and-code-of-ethics.docx")),
    );
    const body = strFromU8(word["word/document.xml"] as Uint8Array).replace(/<[^>]+>/g, "");
    expect(body).toContain("Review needed nowTest Care (Wales) Act 2026 in force 1 June 2026");
  });

  it("a review recorded after the law came into force makes it current again", async () => {
    const record = await runCli(
      [
        "review",
        "record",
        "--org",
        "afon-homecare",
        "--policy",
        "DCW28",
        "--by",
        "Dafydd Morgan",
        "--role",
        "Responsible Individual",
        "--outcome",
        "no-change",
        "--date",
        "2026-06-15",
        ...AS_OF,
      ],
      dir,
    );
    expect(record.code, record.stderr).toBe(0);
    const run = await runCli(["reviews", "--format", "json", "--org", "afon-homecare", ...AS_OF], dir);
    const dcw28 = (JSON.parse(run.stdout) as Schedule).rows.find((r) => r.code === "DCW28");
    expect(dcw28).toMatchObject({ status: "current", lastReviewed: "2026-06-15", nextReview: "2027-06-15" });
    expect(dcw28?.reason).toBeUndefined();
  });
});

describe("checking the legislation register", () => {
  it("reports unknown codes, impossible dates, duplicate ids and missing keys at their line, and builds no pack", async () => {
    const dir = await workspace({
      "policies/legislation.yaml": `- id: one-act-2026
  title: One Act 2026
  in_force: 2026-02-30
  link: https://www.legislation.gov.uk/ukpga/2026/1
  policies: [DCW28]
- id: two-act-2026
  title: Two Act 2026
  in_force: 2026-01-01
  link: https://www.legislation.gov.uk/ukpga/2026/2
  policies: [DCW13]
`,
    });
    const bad = await runCli(["check", "--json", ...AS_OF], dir);
    expect(bad.code).toBe(1);
    const at = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.rule} ${d.message}`;
    expect((JSON.parse(bad.stdout) as Diagnostic[]).map(at)).toContain(
      'policies/legislation.yaml:3:13 schema `0.in_force` is "2026-02-30", which is not a calendar date',
    );

    const register = `- id: one-act-2026
  title: One Act 2026
  in_force: 2026-02-01
  link: https://www.legislation.gov.uk/ukpga/2026/1
  policies: [DCW28, DCW82]
- id: one-act-2026
  title: One Act 2026 (again)
  in_force: 2026-03-01
  link: https://www.legislation.gov.uk/ukpga/2026/1
  policies: [DCW13]
- id: three
  title: Three
  link: https://example.org/three
  policies: [DCW13]
`;
    const dir2 = await workspace({ "policies/legislation.yaml": register });
    const run = await runCli(["check", "--json", ...AS_OF], dir2);
    expect(run.code).toBe(1);
    const found = (JSON.parse(run.stdout) as Diagnostic[]).map(at);
    expect(found).toEqual(["policies/legislation.yaml:11:3 schema missing required key `in_force`"]);

    // With the schema satisfied, the codes and ids are checked.
    const dir3 = await workspace({
      "policies/legislation.yaml": register.replace(
        "  link: https://example.org/three",
        "  in_force: 2020-01-01\n  link: https://example.org/three",
      ),
    });
    const run3 = await runCli(["check", "--json", ...AS_OF], dir3);
    const diagnostics = JSON.parse(run3.stdout) as Diagnostic[];
    expect(diagnostics.map(at)).toEqual([
      "policies/legislation.yaml:5:21 unknown-policy policy DCW82 is not in the library",
      "policies/legislation.yaml:6:7 legislation id `one-act-2026` is already used by the entry at line 1",
    ]);
    expect(diagnostics[0]?.hint).toMatch(/^did you mean DCW/);
    // A register with errors leaves every review status in doubt: no pack is built.
    const reviews = await runCli(["reviews", ...AS_OF], dir3);
    expect(reviews.code).toBe(1);
    expect(reviews.stderr).toContain(
      "left out afon-homecare: a file of the library (a policy or the legislation register) has errors",
    );
  });

  it("ships a register for the example library that passes the checks and leaves the policy loader alone", async () => {
    const dir = await workspace();
    const run = await runCli(["check", ...AS_OF], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("6 policies and 2 organisations: no problems\n");
    const register = await readFile(join(dir, "policies", "legislation.yaml"), "utf8");
    expect(register).toContain("in_force: 2026-07-01");
    // The new Social Care Wales Code applies from 1 July 2026: afon last reviewed on 31 March 2026.
    const json = await runCli(["reviews", "--format", "json", "--org", "afon-homecare", ...AS_OF], dir);
    const dcw28 = (JSON.parse(json.stdout) as Schedule).rows.find((r) => r.code === "DCW28");
    expect(dcw28?.reason).toContain(
      "Social Care Wales Code of Professional Practice for Social Care Workers in force 1 July 2026",
    );
  });
});
