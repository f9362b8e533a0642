import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReviewRow, Schedule } from "../src/reviews/schedule.ts";
import { orgYaml, REPO, runCli, workspace } from "./helpers.ts";

const AS_OF = "2026-11-24";

/** A small RFC 4180 reader, to check the CSV the way a spreadsheet would read it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ",") {
      row.push(field);
      field = "";
    } else if (!quoted && c === "\r" && text[i + 1] === "\n") {
      rows.push([...row, field]);
      row = [];
      field = "";
      i++;
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

async function schedule(dir: string, ...args: string[]): Promise<Schedule> {
  const run = await runCli(["reviews", "--format", "json", ...args], dir);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Schedule;
}

const find = (rows: ReviewRow[], org: string, code: string) => rows.find((r) => r.org === org && r.code === code);

describe("policypack reviews on the example organisations", () => {
  let dir: string;
  let policyCount: number;
  beforeAll(async () => {
    dir = await workspace();
    policyCount = (await readdir(join(REPO, "policies"))).filter((f) => f.endsWith(".md")).length;
  });

  it("writes an iCalendar file that parses back: one all-day event per org × policy, with a reminder", async () => {
    const run = await runCli(["reviews", "--format", "ics", "--as-of", AS_OF], dir);
    expect(run.code).toBe(0);
    const calendar = new ICAL.Component(ICAL.parse(run.stdout) as unknown[]);
    expect(calendar.getFirstPropertyValue("x-wr-calname")).toBe("Policy reviews");
    const events = calendar.getAllSubcomponents("vevent");
    // Both example orgs have every policy in their pack.
    expect(events).toHaveLength(2 * policyCount);
    const byUid = new Map(events.map((e) => [String(e.getFirstPropertyValue("uid")), e]));
    expect(byUid.size).toBe(events.length);

    const dcw13 = byUid.get("afon-homecare-DCW13-2027-01-31@policypack");
    expect(dcw13).toBeDefined();
    const event = new ICAL.Event(dcw13);
    expect(event.startDate.isDate).toBe(true);
    expect(event.startDate.toString()).toBe("2027-01-31"); // per-policy review 2026-01-31 + 12 months
    expect(event.endDate.toString()).toBe("2027-02-01");
    expect(event.summary).toBe(
      "Review DCW13 Safeguarding Adults from Abuse and Improper Treatment Policy (Afon Homecare Ltd)",
    );
    expect(event.description).toContain("Version: 1.0");
    expect(event.description).toContain("Last reviewed: 31 January 2026");
    expect(event.description).toContain("Pack: output/afon-homecare/index.html");
    expect(String(dcw13?.getFirstPropertyValue("dtstamp"))).toBe("2026-11-24T00:00:00Z");
    const alarm = dcw13?.getFirstSubcomponent("valarm");
    expect(alarm?.getFirstPropertyValue("action")).toBe("DISPLAY");
    expect(String(alarm?.getFirstPropertyValue("trigger"))).toBe("-P30D");

    // DCW30 has a 24-month cycle from the pack's reviewed_on, 2026-03-31.
    const dcw30 = new ICAL.Event(byUid.get("afon-homecare-DCW30-2028-03-31@policypack"));
    expect(dcw30.startDate.toString()).toBe("2028-03-31");
    // gofal-tyr-ysgol has no per-policy dates: everything from reviewed_on 2025-12-15.
    expect(byUid.has("gofal-tyr-ysgol-DCW13-2026-12-15@policypack")).toBe(true);
  });

  it("gives the same bytes on every run, whatever the clock or time zone", async () => {
    const first = await runCli(["reviews", "--format", "ics", "--as-of", AS_OF], dir);
    const zone = process.env.TZ;
    process.env.TZ = "Pacific/Kiritimati"; // UTC+14: a local-time date would move a day
    try {
      const second = await runCli(["reviews", "--format", "ics"], dir, { SOURCE_DATE_EPOCH: "1795478400" }); // 2026-11-24
      expect(second.stdout).toBe(first.stdout);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("sorts by next review date, then org, then code", async () => {
    const { rows } = await schedule(dir, "--as-of", AS_OF);
    const keys = rows.map((r) => `${r.nextReview} ${r.org} ${r.code}`);
    expect(keys).toEqual([...keys].sort());
    expect(rows).toHaveLength(2 * policyCount);
  });

  it("--within keeps only the reviews due in that many days, overdue ones included", async () => {
    const all = await schedule(dir, "--as-of", "2027-01-05");
    // Due by the register's new Code (1 July 2026) however far their cycle's date is.
    expect(new Set(all.rows.map((r) => r.status))).toEqual(new Set(["overdue", "due"]));
    expect(all.rows.filter((r) => r.status === "due" && r.daysUntil > 30).length).toBeGreaterThan(0);
    const soon = await schedule(dir, "--as-of", "2027-01-05", "--within", "30");
    expect(soon.within).toBe(30);
    expect(soon.rows.length).toBeGreaterThan(0);
    expect(soon.rows).toEqual(all.rows.filter((r) => r.status !== "current"));
  });

  it("--as-of decides overdue, due and current", async () => {
    const status = async (asOf: string) =>
      find((await schedule(dir, "--as-of", asOf)).rows, "gofal-tyr-ysgol", "DCW13");
    // Before the new Code comes within 30 days (1 July 2026), only the cycle counts.
    expect(await status("2026-05-01")).toMatchObject({ status: "current", nextReview: "2026-12-15", daysUntil: 228 });
    expect(await status("2026-11-24")).toMatchObject({ status: "due", daysUntil: 21 });
    expect(await status("2027-01-01")).toMatchObject({ status: "overdue", daysUntil: -17 });
  });

  it("--org filters, and an unknown org is a usage error with a did-you-mean", async () => {
    const { rows } = await schedule(dir, "--as-of", AS_OF, "--org", "afon-homecare");
    expect(rows).toHaveLength(policyCount);
    expect(new Set(rows.map((r) => r.org))).toEqual(new Set(["afon-homecare"]));
    const both = await schedule(dir, "--as-of", AS_OF, "--org", "afon-homecare", "--org", "gofal-tyr-ysgol");
    expect(both.rows).toHaveLength(2 * policyCount);

    const run = await runCli(["reviews", "--org", "afon-homcare"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no organisation "afon-homcare"');
    expect(run.stderr).toContain("did you mean afon-homecare?");
  });

  it("prints an aligned table with a summary line", async () => {
    const run = await runCli(["reviews", "--as-of", AS_OF], dir);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^Next review\s+Status\s+Days\s+Org\s+Code\s+Version\s+Last reviewed\s+Reviewed by\s+Outcome\s+Title$/,
    );
    const codeColumn = lines[0].indexOf("Code");
    const rows = lines.filter((line) => /^\d{4}-/.test(line));
    expect(rows).toHaveLength(2 * policyCount);
    for (const line of rows) expect(line.slice(codeColumn)).toMatch(/^DCW\d+ /);
    // Why a policy is due before its cycle says goes on the line under it.
    expect(lines[2]).toMatch(/^ {2}review needed: /);
    expect(lines.at(-1)).toBe(
      // The register's new Social Care Wales Code (1 July 2026) makes every policy due that was
      // last reviewed before it: all of them.
      `${2 * policyCount} reviews as of ${AS_OF}: 0 overdue, ${2 * policyCount} due for review, 0 current`,
    );
  });

  it("rejects a bad --within or --format", async () => {
    expect((await runCli(["reviews", "--within", "soon"], dir)).code).toBe(2);
    const run = await runCli(["reviews", "--format", "icss"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("did you mean ics?");
  });

  it("--out writes the file instead of standard output", async () => {
    const run = await runCli(["reviews", "--format", "csv", "--as-of", AS_OF, "--out", "reviews.csv"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("reviews.csv");
    expect(parseCsv(await readFile(join(dir, "reviews.csv"), "utf8"))).toHaveLength(1 + 2 * policyCount);
  });
});

describe("policypack reviews with awkward organisations", () => {
  const name = 'Gofal "Tŷ", Cymru & Co';
  let dir: string;
  beforeAll(async () => {
    dir = await workspace({
      // YAML single quotes keep the double quotes and comma as they are.
      "orgs/gofal-cymru.yaml": orgYaml({ name: `'${name}'`, policy_reviews: "{ DCW30: 2026-02-10 }" }),
    });
  });

  it("writes CSV with a header row, one row per org × policy, and RFC 4180 quoting", async () => {
    const run = await runCli(["reviews", "--format", "csv", "--as-of", AS_OF], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`gofal-cymru,"Gofal ""Tŷ"", Cymru & Co",orgs/gofal-cymru.yaml,DCW13,`);
    const [header, ...rows] = parseCsv(run.stdout);
    expect(header).toEqual([
      "org",
      "org_name",
      "org_file",
      "code",
      "title",
      "version",
      "last_reviewed",
      "next_review",
      "status",
      "days_until",
      "reviewed_by",
      "reviewer_role",
      "outcome",
      "notes",
      "reason",
    ]);
    for (const row of rows) expect(row).toHaveLength(header.length);
    const policyCount = (await readdir(join(dir, "policies"))).filter((f) => f.endsWith(".md")).length;
    expect(rows).toHaveLength(3 * policyCount);
    const ours = rows.filter((r) => r[0] === "gofal-cymru");
    expect(ours).toHaveLength(policyCount);
    for (const row of ours) expect(row[1]).toBe(name);
    // Reviewed before the new Code (1 July 2026): due, with the reason in the last column.
    const dcw13 = ours.find((r) => r[3] === "DCW13");
    expect(dcw13?.slice(6, 9)).toEqual(["2026-01-15", "2027-01-15", "due"]);
    expect(dcw13?.at(-1)).toBe(
      "review needed: Social Care Wales Code of Professional Practice for Social Care Workers in force 1 July 2026",
    );
    const dcw30 = ours.find((r) => r[3] === "DCW30");
    expect(dcw30?.slice(6, 9)).toEqual(["2026-02-10", "2028-02-10", "due"]);
    // A title with a comma is quoted too.
    expect(dcw30?.[4]).toBe("Equality, Diversity and Inclusion Policy");
  });

  it("escapes the name in iCalendar text and reads it back intact", async () => {
    const run = await runCli(["reviews", "--format", "ics", "--org", "gofal-cymru", "--as-of", AS_OF], dir);
    const calendar = new ICAL.Component(ICAL.parse(run.stdout) as unknown[]);
    expect(calendar.getFirstPropertyValue("x-wr-calname")).toBe(`Policy reviews – ${name}`);
    const summaries = calendar.getAllSubcomponents("vevent").map((e) => new ICAL.Event(e).summary);
    expect(summaries).toContain(`Review DCW13 Safeguarding Adults from Abuse and Improper Treatment Policy (${name})`);
    expect(summaries).toContain(`Review DCW30 Equality, Diversity and Inclusion Policy (${name})`);
  });

  it("leaves out an organisation with errors, and says which and why", async () => {
    const broken = await workspace({ "orgs/broken-care.yaml": orgYaml({ reviewed_on: "2026-02-30" }) });
    const run = await runCli(["reviews", "--as-of", AS_OF], broken);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("orgs/broken-care.yaml");
    expect(run.stderr).toContain("left out broken-care: 1 error in orgs/broken-care.yaml");
    expect(run.stdout).not.toContain("broken-care");

    const json = await runCli(["reviews", "--json", "--as-of", AS_OF], broken);
    const result = JSON.parse(json.stdout) as Schedule & { diagnostics: unknown[] };
    expect(result.skipped).toEqual([{ org: "broken-care", reason: "1 error in orgs/broken-care.yaml" }]);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(json.stderr).toBe("");
  });
});

describe("the command's output through a pipe", () => {
  it("reaches a slow reader whole: 150 organisations' schedule as JSON", async () => {
    const { spawn } = await import("node:child_process");
    const { writeFile } = await import("node:fs/promises");
    const dir = await workspace();
    const afon = await readFile(join(dir, "orgs", "afon-homecare.yaml"), "utf8");
    for (let i = 1; i <= 150; i++) {
      await writeFile(join(dir, "orgs", `org-${i}.yaml`), afon.replace(/^name: .*$/m, `name: Org ${i} Ltd`));
    }
    const child = spawn(
      process.execPath,
      [join(REPO, "bin", "policypack.js"), "reviews", "--format", "json", "--as-of", AS_OF],
      {
        cwd: dir,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    // Read nothing for a second: the pipe fills, and the rest waits in the process's queue.
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    child.stdout.resume();
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(text.length).toBeGreaterThan(200_000);
    expect((JSON.parse(text) as Schedule).rows).toHaveLength(152 * 6);
  }, 60_000);
});
