// Word documents as people write them (issue 15): bold paragraphs as headings, Word's automatic
// heading numbers, placeholders split across runs, mail-merge fields, tables, tracked changes.
// The corpus is test/fixtures/import/*.docx, made by make-word.ts.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { List, Root, Table } from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import { beforeAll, describe, expect, it } from "vitest";
import { mergeSplitTokens } from "../src/import/docx.ts";
import { bold, numbered, p, word, run as wordRun } from "./fixtures/import/make-word.ts";
import { runCli, workspace } from "./helpers.ts";
import { documentXml, docx } from "./import-files.ts";
import { headingsOf, importCorpus, writtenPolicy } from "./import-read.ts";

const lists = (tree: Root) =>
  tree.children
    .filter((n): n is List => n.type === "list")
    .map((l) => [l.ordered, l.children.map((item) => nodeText(item))]);

describe("a Word document whose headings are bold paragraphs", () => {
  let run: Awaited<ReturnType<typeof runCli>>;
  let written: Awaited<ReturnType<typeof writtenPolicy>>;
  beforeAll(async () => {
    const imported = await importCorpus("bold-headings.docx", ["--code", "DCW91"]);
    run = imported.run;
    written = await writtenPolicy(join(imported.dir, "policies", "DCW91-lone-working.md"));
  });

  it("takes the largest bold first line as the title, and the others as headings at the level of their size", () => {
    expect(written.front).toContain("title: Lone Working Policy");
    expect(headingsOf(written.tree)).toEqual([
      [2, "Purpose"],
      [2, "Responsibilities"],
      [3, "Checking in"],
      [2, "Review"],
    ]);
    expect(run.stdout).toContain('bold-headings.docx:2: heading: "Purpose" (a short bold paragraph) read as a heading');
  });

  it("keeps a bold lead-in inside a paragraph, and a table with its bold header row, as they are", () => {
    expect(written.body).toContain("**Note:** staff ring the office");
    const table = written.tree.children.find((n): n is Table => n.type === "table");
    expect(table?.children.map((row) => row.children.map((c) => nodeText(c)))).toEqual([
      ["Time", "Action"],
      ["Start of visit", "Text the office"],
      ["No reply in 30 minutes", "Call the member of staff"],
    ]);
  });

  it("reads a placeholder split across formatting runs as one placeholder", () => {
    expect(written.body).toContain(
      "This policy explains how <<org_field_name>> keeps staff safe when they work alone in people’s homes.",
    );
    expect(written.body).not.toContain("org_field\\_");
  });

  it("reads mail-merge fields by their names, not the value they last printed", () => {
    expect(written.body).toContain(
      "The registered manager, <<org_field_registered_manager_first_name>> <<org_field_registered_manager_last_name>>, checks every lone-working plan. Staff of <<org_field_name>> follow it.",
    );
    expect(written.body).not.toMatch(/Jane Smith|Sunrise Care/);
    expect(run.stdout).toContain(
      "placeholder: 3 mail-merge fields (MERGEFIELD ManagerSignature, RegisteredManager, OrgName) read as «name», whatever they last printed",
    );
    expect(run.stdout).toContain("bold-headings.docx:5: placeholder: «OrgName» → <<org_field_name>>");
  });

  it("exits 1 naming the merge field no organisation field matches, at its line and column", () => {
    expect(written.body).toContain("This policy is signed by «ManagerSignature» and reviewed every year.");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "bold-headings.docx:18:29: warning legacy-placeholder: «ManagerSignature» looks like a placeholder from an old template",
    );
    expect(run.stderr).toMatch(
      /DCW91-lone-working\.md:\d+:26: error legacy-token: leftover template token «ManagerSignature»/,
    );
  });
});

describe("a Word document whose headings Word numbers itself", () => {
  it("keeps the multilevel list's numbers as section numbers, and real lists as lists", async () => {
    const { dir, run } = await importCorpus("numbered-headings.docx", ["--code", "DCW92"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const { front, tree } = await writtenPolicy(join(dir, "policies", "DCW92-infection-prevention-and-control.md"));
    expect(front).toContain("title: Infection Prevention and Control Policy");
    expect(headingsOf(tree)).toEqual([
      [2, "1. Purpose"],
      [2, "2. Scope"],
      [3, "2.1 Visitors"],
      [2, "3. Hand hygiene"],
      [2, "4. Protective equipment"],
    ]);
    expect(lists(tree)).toEqual([
      [true, ["before and after each visit;", "before preparing food;", "after removing gloves."]],
      [false, ["Gloves", "Aprons"]],
    ]);
    expect(run.stdout).toContain(
      'numbered-headings.docx:8: heading: "3. Hand hygiene" (a short numbered paragraph standing alone) read as a heading, with Word\'s automatic number',
    );
    expect((await runCli(["check", "--as-of", "2026-11-24"], dir)).code).toBe(0);
  });

  it("numbers Heading-style paragraphs from the list linked to their styles", async () => {
    const { dir, run } = await importCorpus("linked-headings.docx", ["--code", "DCW93"]);
    expect(run.code, run.stderr).toBe(0);
    const { front, tree } = await writtenPolicy(join(dir, "policies", "DCW93-medication.md"));
    expect(front).toContain("title: Medication Policy");
    expect(headingsOf(tree)).toEqual([
      [2, "1. Purpose"],
      [2, "2. Storage"],
      [3, "2.1 Controlled drugs"],
    ]);
    expect(nodeText(tree)).toContain("They are kept in a locked cabinet.");
  });
});

describe("placeholders split across runs", () => {
  it("are merged whatever the formatting inside them, and the formatting is kept after them", () => {
    expect(
      mergeSplitTokens("<p>{{org_field_<strong>name}}</strong> and <em>&lt;&lt;org_</em>field_phone&gt;&gt;</p>"),
    ).toBe("<p>{{org_field_name}}<strong></strong> and <em>&lt;&lt;org_field_phone&gt;&gt;</em></p>");
    expect(mergeSplitTokens("<p>«Org<strong>Name</strong>» [Name of <em>Manager</em>]</p>")).toBe(
      "<p>«OrgName»<strong></strong> [Name of Manager]<em></em></p>",
    );
    // Nothing split, nothing changed; brackets that do not match are left alone.
    expect(mergeSplitTokens("<p>{{org_field_name}} [a <em>b</em>}</p>")).toBe(
      "<p>{{org_field_name}} [a <em>b</em>}</p>",
    );
  });
});

describe("tracked changes", () => {
  const body = documentXml(
    [
      `<w:p><w:r><w:t xml:space="preserve">Staff visit </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText xml:space="preserve">alone </w:delText></w:r></w:del><w:ins w:id="2" w:author="A"><w:r><w:t xml:space="preserve">in pairs </w:t></w:r></w:ins><w:r><w:t>at night.</w:t></w:r></w:p>`,
    ].join(""),
  );
  let dir: string;
  beforeAll(async () => {
    dir = await workspace();
    await writeFile(join(dir, "night.docx"), docx(body));
  });

  it("are accepted by default, and said", async () => {
    const run = await runCli(["import", "night.docx", "--code", "DCW84", "--title", "Night Visits"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("has tracked changes (1 insertion, 1 deletion): imported as if all were accepted");
    expect(run.stderr).toContain("hint: import it with --revisions reject for the text before them");
    expect((await writtenPolicy(join(dir, "policies", "DCW84-night-visits.md"))).body).toContain(
      "Staff visit in pairs at night.",
    );
  });

  it("are refused with --revisions reject: the text as it was before them", async () => {
    const run = await runCli(
      ["import", "night.docx", "--code", "DCW84", "--title", "Night Visits", "--revisions", "reject", "--force"],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("all refused: the text is as it was before them");
    expect((await writtenPolicy(join(dir, "policies", "DCW84-night-visits.md"))).body).toContain(
      "Staff visit alone at night.",
    );
  });

  it("--revisions takes only accept or reject", async () => {
    const run = await runCli(["import", "night.docx", "--revisions", "maybe"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--revisions takes accept or reject, not "maybe"`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("what stays as it is in a Word document", () => {
  it("a list of bold items, bulleted or numbered, stays a list; a bold lead-in or a bold sentence stays a paragraph", async () => {
    const body = [
      p(bold("Uniform Policy", 32)),
      p(bold("What to wear", 28)),
      p(bold("Staff wear:")),
      numbered(3, 0, bold("Tunic")),
      numbered(3, 0, bold("Trousers")),
      p(bold("Staff always wear their identity badge where people can see it.")),
      p(wordRun("Steps when a uniform is damaged:")),
      numbered(2, 0, bold("Report it")),
      numbered(2, 0, bold("Order another")),
    ].join("");
    const dir = await workspace();
    await writeFile(join(dir, "uniform.docx"), word(body));
    const run = await runCli(["import", "uniform.docx", "--code", "DCW85"], dir);
    expect(run.code, run.stderr).toBe(0);
    const { tree } = await writtenPolicy(join(dir, "policies", "DCW85-uniform.md"));
    expect(headingsOf(tree)).toEqual([[2, "What to wear"]]);
    expect(lists(tree)).toEqual([
      [false, ["Tunic", "Trousers"]],
      [true, ["Report it", "Order another"]],
    ]);
    const paragraphs = tree.children.filter((n) => n.type === "paragraph").map((n) => nodeText(n));
    expect(paragraphs).toEqual([
      "Staff wear:",
      "Staff always wear their identity badge where people can see it.",
      "Steps when a uniform is damaged:",
    ]);
  });
});
