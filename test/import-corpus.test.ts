import { copyFile, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, workspace } from "./helpers.ts";
import { CORPUS, installed } from "./import-read.ts";

const PATH = process.env.PATH ?? "";
const NEEDS: Record<string, { present: boolean; what: string }> = {
  pdf: { present: installed("pdftotext"), what: "pdftotext (poppler-utils)" },
  office: { present: installed("soffice") || installed("libreoffice"), what: "LibreOffice (soffice)" },
};

interface Case {
  file: string;
  args: string[];
  /** The reference the written policy must equal (a file in expected/). */
  reference: string;
  needs?: keyof typeof NEEDS;
}

const IMPORTED: Case[] = [
  { file: "bold-headings.docx", args: ["--code", "DCW91", "--map", "fields.yaml"], reference: "bold-headings.docx" },
  {
    file: "bold-headings.rtf",
    args: ["--code", "DCW91", "--map", "fields.yaml"],
    reference: "bold-headings.docx",
    needs: "office",
  },
  { file: "numbered-headings.docx", args: ["--code", "DCW92"], reference: "numbered-headings.docx" },
  { file: "numbered-headings.doc", args: ["--code", "DCW92"], reference: "numbered-headings.docx", needs: "office" },
  { file: "linked-headings.docx", args: ["--code", "DCW93"], reference: "linked-headings.docx" },
  { file: "document-control.docx", args: ["--code", "DCW97"], reference: "document-control.docx" },
  { file: "moving-and-handling.pdf", args: ["--code", "DCW94"], reference: "moving-and-handling.pdf", needs: "pdf" },
  { file: "moving-and-handling.odt", args: ["--code", "DCW94"], reference: "moving-and-handling.odt", needs: "office" },
  { file: "visitors-windows-1252.txt", args: ["--code", "DCW96"], reference: "visitors-windows-1252.txt" },
  {
    file: "header-block.txt",
    args: ["--code", "DCW98", "--title", "Complaints Policy"],
    reference: "header-block.txt",
  },
  {
    file: "office-car-word-web-page.htm",
    args: ["--code", "DCW99", "--title", "Office Car Policy"],
    reference: "office-car-word-web-page.htm",
  },
  { file: "wordpress-post.html", args: ["--code", "DCW60"], reference: "wordpress-post.html" },
];

async function importInto(file: string, args: string[]) {
  const dir = await workspace();
  await copyFile(join(CORPUS, file), join(dir, file));
  await copyFile(join(CORPUS, "fields.yaml"), join(dir, "fields.yaml"));
  const before = new Set(await readdir(join(dir, "policies")));
  const run = await runCli(["import", file, ...args], dir, { PATH });
  const written = (await readdir(join(dir, "policies"))).filter((name) => !before.has(name));
  return { dir, run, written };
}

describe("every file of the import corpus", () => {
  it("has a case here (a new fixture needs a reference)", async () => {
    const sources = (await readdir(CORPUS)).filter((name) => !/\.(ts|yaml|fodt)$/.test(name) && name !== "expected");
    const covered = new Set([
      ...IMPORTED.map((c) => c.file),
      "header-block.txt",
      "office-car-word-web-page.htm",
      "care-plans-mojibake.txt",
    ]);
    expect(sources.filter((name) => !covered.has(name))).toEqual([]);
  });

  for (const { file, args, reference, needs } of IMPORTED) {
    const missing = needs && !NEEDS[needs]?.present ? ` — SKIPPED: ${NEEDS[needs]?.what} is not installed here` : "";
    it.skipIf(Boolean(missing))(
      `${file} imports to expected/${reference}.md, which passes check${missing}`,
      async () => {
        const { dir, run, written } = await importInto(file, args);
        expect(run.stderr.split("\n").filter((line) => / error /.test(line))).toEqual([]);
        expect(run.code).toBe(0);
        expect(written).toHaveLength(1);
        const text = await readFile(join(dir, "policies", written[0] as string), "utf8");
        const expected = (await readFile(join(CORPUS, "expected", `${reference}.md`), "utf8")).replace(
          /^code: \w+$/m,
          `code: ${args[1]}`,
        );
        expect(text).toBe(expected);
        // Damage, chrome, wrong titles and legacy tokens would each be an error here.
        const check = await runCli(["check", "--as-of", "2026-11-24"], dir);
        expect(check.stderr.split("\n").filter((line) => / error /.test(line))).toEqual([]);
        expect(check.code).toBe(0);
      },
    );
  }
});

describe("a corpus file a person must decide about", () => {
  it("a header block typed without blank lines: no title, so nothing is written until --title", async () => {
    const { run, written } = await importInto("header-block.txt", ["--code", "DCW98"]);
    expect(run.code).toBe(1);
    expect(written).toEqual([]);
    expect(run.stderr).toContain(
      "header-block.txt:1:1: error import-title: no title found: the document starts with neither a title heading nor a title line",
    );
    expect(run.stderr).toContain('hint: import it again with --title "the policy\'s title"');
    // The header's lines were chrome, each said.
    expect(run.stdout).toContain('header-block.txt:1: chrome: dropped "<<org_field_logo>>" (every document prints it)');
    expect(run.stdout).toContain(
      'header-block.txt:3: chrome: dropped "Registration Number: <<org_field_registration_no>>" (every document prints it)',
    );
  });

  it("a Word document saved as a web page: its first heading is a section, so nothing is written until --title", async () => {
    const { run, written } = await importInto("office-car-word-web-page.htm", ["--code", "DCW99"]);
    expect(run.code).toBe(1);
    expect(written).toEqual([]);
    expect(run.stderr).toMatch(
      /error import-title: no title found: the first line, "1\. +Purpose", is a numbered section/,
    );
  });

  it("text an earlier tool decoded with the wrong encoding: exit 1 naming each damaged character and what it was", async () => {
    const { run } = await importInto("care-plans-mojibake.txt", ["--code", "DCW95"]);
    expect(run.code).toBe(1);
    const errors = run.stderr.split("\n").filter((line) => line.includes("error encoding"));
    expect(errors).toEqual([
      'policies/DCW95-care-planning.md:9:12: error encoding: "â€™" is "’" read with the wrong encoding (UTF-8 taken for Windows-1252)',
      'policies/DCW95-care-planning.md:11:28: error encoding: "â€™" is "’" read with the wrong encoding (UTF-8 taken for Windows-1252)',
    ]);
  });

  it("a Word document with a mail-merge field no field matches, without the map: exit 1 naming it", async () => {
    const { run } = await importInto("bold-headings.docx", ["--code", "DCW91"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error legacy-token: leftover template token «ManagerSignature»");
  });
});
