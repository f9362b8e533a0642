import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { orgYaml, policyMd, runCli, workspace } from "./helpers.ts";
import { lastBodyLine, pageLines } from "./pdf-pages.ts";

// Page breaks, read back from the printed pages: nothing that introduces what follows is left at
// the foot of a page, and a table's header row starts every page the table runs onto.

const WORDS = "the registered manager makes sure that every member of staff knows how to report a concern".split(" ");
const sentence = (n: number) => Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length]).join(" ");

/** Sections of many lengths, so page breaks fall before, on and after headings and lead-ins. */
function longPolicy(): { source: string; headings: string[] } {
  const headings: string[] = [];
  const parts: string[] = [];
  for (let i = 1; i <= 36; i++) {
    headings.push(`${i}. Section ${i}`, `${i}.1 Steps for part ${i}`);
    parts.push(
      `## ${i}. Section ${i}`,
      `${sentence(12 + ((i * 37) % 70))}.`,
      `### ${i}.1 Steps for part ${i}`,
      `Staff in part ${i} follow these steps:`,
      ...Array.from({ length: 2 + (i % 4) }, (_, j) => `- ${sentence(6 + ((i + j) % 9))}.`),
      "",
    );
  }
  return { source: `\n${parts.join("\n\n")}\n`, headings };
}

function longTable(): string {
  const rows = Array.from({ length: 90 }, (_, i) => `| Row ${i + 1} | ${sentence(4 + (i % 6))} |`);
  return `\n## 1. Contacts\n\n| Contact kind | Who to call |\n| --- | --- |\n${rows.join("\n")}\n`;
}

describe("page layout", () => {
  let pack: string;
  const { source, headings } = longPolicy();
  beforeAll(async () => {
    const dir = await workspace(
      {
        "policies/TST1-long.md": policyMd({ code: "TST1", title: "Long Policy", version: '"1.0"' }, source),
        "policies/TST2-table.md": policyMd({ code: "TST2", title: "Table Policy", version: '"1.0"' }, longTable()),
        "orgs/test-care.yaml": orgYaml(),
      },
      { examples: false },
    );
    const run = await runCli(["build", "--format", "pdf", "--as-of", "2026-11-24"], dir);
    expect(run.code, run.stderr).toBe(0);
    pack = join(dir, "output", "test-care");
  });

  it("never ends a page with a heading or a line that introduces a list", () => {
    for (const file of ["TST1-long.pdf", "test-care-policy-pack.pdf"]) {
      const pages = pageLines(join(pack, file));
      expect(pages.length, file).toBeGreaterThan(8);
      pages.forEach((page, i) => {
        const last = lastBodyLine(page)?.text ?? "";
        expect(headings.includes(last), `${file} page ${i + 1} ends with "${last}"`).toBe(false);
        expect(last, `${file} page ${i + 1}`).not.toMatch(/:$/);
      });
    }
  });

  it("repeats a table's header row on every page it runs onto", () => {
    const pages = pageLines(join(pack, "TST2-table.pdf"));
    expect(pages.length).toBeGreaterThan(2);
    for (const [i, page] of pages.entries()) {
      const rows = page.lines.filter((line) => /^Row \d+/.test(line.text));
      if (rows.length === 0) continue;
      const header = page.lines.findIndex((line) => line.text.startsWith("Contact kind"));
      expect(header, `page ${i + 1}`).toBeGreaterThanOrEqual(0);
      expect(page.lines[header]?.yMin, `page ${i + 1}`).toBeLessThan(rows[0]?.yMin as number);
    }
  });
});
