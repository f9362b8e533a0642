import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostileCase } from "./case.ts";

// `review record` writes into an organisation's file: whatever `check` would reject there is
// refused before the file is touched (exit 2), never written for the next check to find.
const record = (...extra: string[]) => [
  "review",
  "record",
  "--as-of",
  "2026-11-24",
  "--org",
  "afon-homecare",
  "--policy",
  "DCW13",
  "--outcome",
  "no-change",
  ...extra,
];

export const cases: HostileCase[] = [
  {
    name: "review record with a control character in --by",
    args: record("--by", "Elin\u0001 Hughes", "--role", "RI"),
    exit: 2,
    says: /--by holds the control character U\+0001, which cannot appear/,
  },
  {
    name: "review record with U+FFFE in --notes",
    args: record("--by", "Elin", "--role", "RI", "--notes", "checked \uFFFE"),
    exit: 2,
    says: /--notes holds the non-character U\+FFFE/,
  },
  {
    name: "review record --date 0000-01-01",
    args: record("--by", "Elin", "--role", "RI", "--date", "0000-01-01"),
    exit: 2,
    says: /--date 0000-01-01 is outside the years 1900–2200/,
  },
  {
    name: "review record with a 3,000-character --by",
    args: record("--by", "A".repeat(3000), "--role", "RI"),
    exit: 2,
    says: /nothing recorded in orgs\/afon-homecare\.yaml: the new entry would not pass the check: `reviews\.0\.by` is 3000 characters long; at most 200/,
  },
].map((hostile) => ({ ...hostile, seconds: 55 }));

// The reviews CSV is opened in a spreadsheet: a value that starts like a formula stays text.
cases.push({
  name: "an organisation name that is a spreadsheet formula, in the reviews CSV",
  setup: async (dir) => {
    const file = join(dir, "orgs/afon-homecare.yaml");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace(/^name: .*$/m, `name: '=HYPERLINK("http://evil.example","x")'`));
  },
  args: ["reviews", "--as-of", "2026-11-24", "--format", "csv", "--org", "afon-homecare"],
  exit: 0,
  says: /\nafon-homecare,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",/,
  seconds: 55,
});

// A line break in an organisation's name must not start lines of the calendar's own.
cases.push({
  name: "an organisation name with line breaks and END:VEVENT, in the reviews calendar",
  setup: async (dir) => {
    const file = join(dir, "orgs/afon-homecare.yaml");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace(/^name: .*$/m, 'name: "Afon\\nEND:VCALENDAR\\nBEGIN:VEVENT;x,y"'));
  },
  args: ["reviews", "--as-of", "2026-11-24", "--format", "ics", "--org", "afon-homecare"],
  exit: 0,
  says: /^NAME:Policy reviews – Afon END:VCALENDAR BEGIN:VEVENT;x,y\r?$(?![\s\S]*^END:VCALENDAR\r?$[\s\S]*^END:VCALENDAR)/m,
  seconds: 55,
});

// A mapping where the history wants a sentence: the hint says what belongs there, not "put
// [object Object] in quotes".
cases.push({
  name: "a history entry whose changes is a mapping",
  setup: async (dir) => {
    const file = join(dir, "policies/DCW13-safeguarding-adults.md");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace(/^ {4}changes: .*$/m, "    changes: {a: 1}"));
  },
  args: ["check", "--as-of", "2026-11-24"],
  exit: 1,
  says: /`history\.0\.changes` must be a string, not \{"a":1\}\n\s+hint: what changed in this version/,
  seconds: 55,
});
