import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { List, Root } from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import { beforeAll, describe, expect, it } from "vitest";
import { tidyPdfText } from "../src/import/pdf-text.ts";
import { runCli, workspace } from "./helpers.ts";
import { CORPUS, headingsOf, importCorpus, installed, writtenPolicy } from "./import-read.ts";

const PATH = process.env.PATH ?? "";
const PDFTOTEXT = installed("pdftotext");
const SOFFICE = installed("soffice") || installed("libreoffice");
/** The test's name says why it did not run: vitest lists skipped tests by name. */
const unless = (present: boolean, what: string) => (present ? "" : ` — SKIPPED: ${what} is not installed here`);

const items = (tree: Root) =>
  tree.children.filter((n): n is List => n.type === "list").map((l) => l.children.map((item) => nodeText(item)));

const MOVING_HEADINGS = [
  [2, "1. Purpose"],
  [2, "2. Scope"],
  [2, "3. Before moving anyone"],
  [2, "4. Equipment"],
  [2, "5. Reporting falls and injuries"],
  [2, "6. Training"],
  [2, "7. Review"],
];
const MOVING_ITEMS = [
  [
    "read the person’s moving and handling plan before every visit, and follow it exactly as it is written;",
    "check that the equipment named in the plan is in place, clean and within its service date;",
    "ask the person how they would like to be helped today.",
  ],
];

describe.skipIf(!PDFTOTEXT)(`a PDF, through pdftotext${unless(PDFTOTEXT, "pdftotext (poppler-utils)")}`, () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    ({ dir, run } = await importCorpus("moving-and-handling.pdf", ["--code", "DCW94"]));
  });

  it("gives the policy's title, headings, sentences and placeholder, and checks clean", async () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const { front, body, tree } = await writtenPolicy(join(dir, "policies", "DCW94-moving-and-handling.md"));
    expect(front).toContain("title: Moving and Handling Policy");
    expect(headingsOf(tree)).toEqual(MOVING_HEADINGS);
    expect(body.replace(/\n/g, " ")).toContain(
      "This policy sets out how <<org_field_name>> makes sure that people are moved safely, and that staff are not injured",
    );
    expect((await runCli(["check", "--as-of", "2026-11-24"], dir)).code).toBe(0);
  });

  it("turns the symbol font's private-use bullets into list items, one split across a page break included", async () => {
    const { body, tree } = await writtenPolicy(join(dir, "policies", "DCW94-moving-and-handling.md"));
    expect(items(tree)).toEqual(MOVING_ITEMS);
    expect(body).not.toMatch(/[\uE000-\uF8FF]/u);
    expect(run.stdout).toContain("list: 3 bulleted lines of the PDF read as list items");
  });

  it("drops the header and footer repeated on every page, and says so", async () => {
    const { body } = await writtenPolicy(join(dir, "policies", "DCW94-moving-and-handling.md"));
    expect(body).not.toMatch(/Page \d of \d|Sunrise Care Ltd ·/);
    expect(run.stdout).toContain(
      'chrome: dropped 6 page header, footer and page-number lines of the PDF ("sunrise care ltd · moving and handling policy · dcw#", "page # of #"; # is any number)',
    );
    // A paragraph that runs on to the next page stays one paragraph.
    expect(body).toContain("Staff never lift a person’s whole weight.");
  });
});

describe("the text of a PDF, tidied", () => {
  it("drops repeated headers, footers and page numbers, makes bullets items, joins wrapped lines and sets headings apart", () => {
    const page = (n: number, lines: string[]) =>
      ["   Gofal Cymru – Lone Working", "", ...lines, "", `                 Page ${n} of 2`].join("\n");
    const { text, guesses } = tidyPdfText(
      `${page(1, ["   Lone Working Policy", "   1. Purpose", "   Staff who work alone", "   stay safe. Staff must:", "      \uF0B7  carry a charged phone and", "         a torch;", "      \uF0A7  ring in."])}\f${page(2, ["   2. Scope", "   Every member of staff."])}\f`,
    );
    expect(text).toBe(
      [
        "Lone Working Policy",
        "",
        "1. Purpose",
        "",
        "Staff who work alone stay safe. Staff must:",
        "",
        "• carry a charged phone and a torch;",
        "• ring in.",
        "",
        "2. Scope",
        "",
        "Every member of staff.",
        "",
      ].join("\n"),
    );
    expect(guesses.map((g) => g.message)).toEqual([
      'dropped 4 page header, footer and page-number lines of the PDF ("gofal cymru – lone working", "page # of #"; # is any number)',
      "2 bulleted lines of the PDF read as list items",
    ]);
  });
});

describe("the text of a very long PDF", () => {
  it("is tidied in time, without overflowing the stack", () => {
    const started = Date.now();
    const { text } = tidyPdfText(`Long Policy\n${"x\n".repeat(500_000)}`);
    expect(text.startsWith("Long Policy\n\nx x x")).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe.skipIf(!SOFFICE)(`.odt, .doc and .rtf, through LibreOffice${unless(SOFFICE, "LibreOffice (soffice)")}`, () => {
  it("imports an OpenDocument text: bold headings, bullets, placeholder", async () => {
    const { dir, run } = await importCorpus("moving-and-handling.odt", ["--code", "DCW94"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("format: converted from .odt to .docx by LibreOffice, then read as Word");
    const { front, body, tree } = await writtenPolicy(join(dir, "policies", "DCW94-moving-and-handling.md"));
    expect(front).toContain("title: Moving and Handling Policy");
    expect(headingsOf(tree)).toEqual(MOVING_HEADINGS);
    expect(items(tree)).toEqual(MOVING_ITEMS);
    expect(body).toContain("This policy sets out how <<org_field_name>> makes sure that people are moved safely");
  });

  it("imports a Word 97–2003 .doc with Word's heading numbers, as the .docx it came from", async () => {
    const { dir, run } = await importCorpus("numbered-headings.doc", ["--code", "DCW92"]);
    expect(run.code, run.stderr).toBe(0);
    const { tree } = await writtenPolicy(join(dir, "policies", "DCW92-infection-prevention-and-control.md"));
    expect(headingsOf(tree)).toEqual([
      [2, "1. Purpose"],
      [2, "2. Scope"],
      [3, "2.1 Visitors"],
      [2, "3. Hand hygiene"],
      [2, "4. Protective equipment"],
    ]);
    expect(items(tree)).toEqual([
      ["before and after each visit;", "before preparing food;", "after removing gloves."],
      ["Gloves", "Aprons"],
    ]);
  });

  it("imports Rich Text: bold headings, mail-merge fields and the table", async () => {
    const { dir, run } = await importCorpus("bold-headings.rtf", ["--code", "DCW91"]);
    const { front, body, tree } = await writtenPolicy(join(dir, "policies", "DCW91-lone-working.md"));
    expect(front).toContain("title: Lone Working Policy");
    expect(headingsOf(tree).map(([, text]) => text)).toEqual(["Purpose", "Responsibilities", "Checking in", "Review"]);
    expect(body).toContain("Staff of <<org_field_name>> follow it.");
    expect(tree.children.some((n) => n.type === "table")).toBe(true);
    // The one merge field no organisation field matches: a person decides.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error legacy-token: leftover template token «ManagerSignature»");
  });
});

describe("a format whose converter is not installed", () => {
  it("is a clear error naming the command to install and the one to run, and nothing is written", async () => {
    for (const name of ["moving-and-handling.odt", "numbered-headings.doc", "bold-headings.rtf"]) {
      const { run } = await importCorpus(name, ["--code", "DCW94"], { PATH: "/nonexistent" });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `${name}:1:1: error import-format: cannot import ${name}: it is converted to .docx by LibreOffice (soffice --headless --convert-to docx --outdir <folder> "${name}"), and neither soffice nor libreoffice is on PATH`,
      );
      expect(run.stderr).toContain(
        "hint: install LibreOffice (Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui",
      );
      expect(run.stdout).not.toContain("wrote");
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    const { run } = await importCorpus("moving-and-handling.pdf", ["--code", "DCW94"], { PATH: "/nonexistent" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error import-format: cannot import moving-and-handling.pdf: a PDF\'s text is read by pdftotext (pdftotext -layout "moving-and-handling.pdf" -), which is not on PATH',
    );
    expect(run.stderr).toContain("hint: install poppler-utils (Debian/Ubuntu: sudo apt-get install poppler-utils");
  });
});

describe.skipIf(!PDFTOTEXT)(`a damaged PDF${unless(PDFTOTEXT, "pdftotext (poppler-utils)")}`, () => {
  it("is an error quoting what pdftotext said, not an internal one", async () => {
    const dir = await workspace({ "cut.pdf": "%PDF-1.4\n1 0 obj\n" });
    const run = await runCli(["import", "cut.pdf", "--code", "DCW94"], dir, { PATH });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cut.pdf:1:1: error import-format: cut.pdf could not be converted by pdftotext:");
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe("a file whose content is not what its extension says", () => {
  it("is a clear error saying what it is and what to rename it to, never an internal error", async () => {
    const dir = await workspace();
    const copy = (from: string, to: string) => copyFile(join(CORPUS, from), join(dir, to));
    await copy("numbered-headings.doc", "old.docx");
    await copy("bold-headings.docx", "new.doc");
    await copy("bold-headings.docx", "word.odt");
    await copy("moving-and-handling.pdf", "scan.docx");
    await writeFile(join(dir, "page.docx"), "<!DOCTYPE html><html><body><p>Policy</p></body></html>");
    await writeFile(join(dir, "notes.pdf"), "Visiting Policy\n\nVisitors sign in.\n");
    const run = await runCli(
      ["import", "old.docx", "new.doc", "word.odt", "scan.docx", "page.docx", "notes.pdf", "--out", "new"],
      dir,
      { PATH },
    );
    expect(run.code).toBe(1);
    const errors = run.stderr.split("\n").filter((line) => line.includes("error import-format"));
    // Diagnostics are printed in file order.
    expect(errors).toEqual([
      "new.doc:1:1: error import-format: new.doc is a Word .docx, not what its name says (.doc)",
      "notes.pdf:1:1: error import-format: notes.pdf is a text file, not what its name says (.pdf)",
      "old.docx:1:1: error import-format: old.docx is a Word 97–2003 document (.doc) or another old Office file, not what its name says (.docx)",
      "page.docx:1:1: error import-format: page.docx is a web page, not what its name says (.docx)",
      "scan.docx:1:1: error import-format: scan.docx is a PDF, not what its name says (.docx)",
      "word.odt:1:1: error import-format: word.odt is a Word .docx, not what its name says (.odt)",
    ]);
    for (const hint of ["old.doc", "new.docx", "word.docx", "scan.pdf", "page.html", "notes.txt"])
      expect(run.stderr).toContain(`hint: rename it to ${hint} and import that`);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
