import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AlignmentType,
  Document,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
} from "docx";
import type { Element, Root as HastRoot } from "hast";
import { selectAll } from "hast-util-select";
import { toText } from "hast-util-to-text";
import type { Heading, List, Table as MdTable, Root } from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { beforeAll, describe, expect, it } from "vitest";
import { normalise } from "../src/import/heuristics.ts";
import { htmlTooDeepAt } from "../src/import/html-depth.ts";
import { readText } from "../src/import/legacy-text.ts";
import { REPO, readHtml, runCli, workspace } from "./helpers.ts";
import { documentXml, docx, para, zipBomb } from "./import-files.ts";

const SEED = join(REPO, "test", "fixtures", "seed-social-media-policy.txt");
const DCW38 = "DCW38-using-social-media-platforms";
const AS_OF = ["--as-of", "2026-11-24"];

/** The policy text of a built page: the article without its code line, title, document control and version history. */
function policyBody(html: HastRoot): Element[] {
  const skip = (el: Element) =>
    el.tagName === "h1" ||
    ((el.properties.className as string[] | undefined) ?? []).some((c) => /kicker|doc-control|version-history/.test(c));
  return selectAll("main article > *", html).filter((el) => !skip(el));
}
/** Words only: the example deliberately drops a comma ("Equality, Diversity and Inclusion"). */
const words = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(" ");
const structure = (body: Element[]) =>
  body.filter((el) => /^h\d$/.test(el.tagName)).map((el) => `${el.tagName} ${toText(el).replace(/\s+/g, " ").trim()}`);
const listSizes = (body: Element[]) => body.filter((el) => el.tagName === "ul").map((ul) => selectAll("li", ul).length);

/** A policy file's body as a Markdown tree, and its front matter as text. */
async function readPolicy(path: string): Promise<{ front: string; tree: Root; text: string }> {
  const text = await readFile(path, "utf8");
  const [, front = "", body = ""] = /^---\n([\s\S]*?)\n---\n\n?([\s\S]*)$/.exec(text) ?? [];
  return { front, tree: unified().use(remarkParse).use(remarkGfm).parse(body), text: body };
}

describe("importing the seed page", () => {
  let dir: string;
  let imported: Awaited<ReturnType<typeof runCli>>;
  let before: Element[];
  let after: Element[];
  beforeAll(async () => {
    dir = await workspace({ "seed.txt": await readFile(SEED, "utf8") });
    const page = (out: string) => join(dir, out, "gofal-tyr-ysgol", `${DCW38}.html`);
    expect((await runCli(["build", "--format", "html", ...AS_OF, "--out", "before"], dir)).code).toBe(0);
    imported = await runCli(["import", "seed.txt", "--code", "DCW38", "--force"], dir);
    // An import is a draft, which no pack takes: approve it, as the consultancy would after review.
    const source = join(dir, "policies", `${DCW38}.md`);
    await writeFile(
      source,
      (await readFile(source, "utf8")).replace(
        "status: draft\n",
        'status: approved\nhistory:\n  - version: "1.0"\n    date: 2026-11-20\n    changes: Imported from the legacy page\n    approved_by: Rhian Powell\n    role: Head of Policy\n',
      ),
    );
    expect((await runCli(["build", "--format", "html", ...AS_OF, "--out", "after"], dir)).code).toBe(0);
    before = policyBody(await readHtml(page("before")));
    after = policyBody(await readHtml(page("after")));
  });

  it("writes a source that passes check", async () => {
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`wrote policies/${DCW38}.md`);
    const check = await runCli(["check", ...AS_OF], dir);
    expect(check.code).toBe(0);
    // Besides the Welsh DCW38, which now translates an English text that changed, no problem.
    const said = check.stderr.split("\n").filter((line) => /: (error|warning) /.test(line));
    expect(said.length).toBeGreaterThan(0);
    for (const line of said) expect(line).toMatch(/^policies\/cy\/DCW38-.*: warning translation-stale: /);
  });

  it("builds to the same text, headings and lists as the hand-converted example", () => {
    expect(words(after.map((el) => toText(el)).join(" "))).toBe(words(before.map((el) => toText(el)).join(" ")));
    expect(structure(after)).toEqual(structure(before));
    expect(structure(after)).toContain("h3 3.1 Professional Conduct on Social Media");
    // Every flattened list is a bullet list: applies to, covers, 3.1–3.7, implements, read alongside
    // (the page may add generated lists, such as "Referenced by", after the policy's own).
    expect(listSizes(after).slice(0, 11)).toEqual([3, 5, 4, 4, 4, 4, 3, 3, 4, 5, 5]);
    expect(listSizes(after)).toEqual(listSizes(before));
  });

  it("maps the trailer to front matter and drops it and the site chrome from the body", async () => {
    const { front, text } = await readPolicy(join(dir, "policies", `${DCW38}.md`));
    expect(front).toContain("code: DCW38");
    expect(front).toContain("title: Using Social Media Platforms Policy");
    expect(front).toContain("review_months: 12");
    for (const chrome of [
      "Responsible Person",
      "Reviewed on",
      "Copyright",
      "Leave a Reply",
      "Your email",
      "Registration",
    ]) {
      expect(text).not.toContain(chrome);
    }
    expect(text).not.toMatch(/\{\{|\\</);
    expect(text).toContain("employees of <<org_field_name>>.");
    const body = after.map((el) => toText(el)).join(" ");
    expect(body).not.toContain("Responsible Person");
    expect(body).not.toContain("Leave a Reply");
  });

  it("reports every guess with the source line it came from", () => {
    const lines = imported.stdout.split("\n");
    expect(lines).toContain('seed.txt:26: list: split 4 items after "This means:"');
    expect(lines).toContain(
      'seed.txt:74: list: split 5 policy citations after "This policy should be read alongside:"',
    );
    expect(lines).toContain('seed.txt:24: heading: "3.1 Professional Conduct on Social Media" → ###');
    expect(lines).toContain('seed.txt:78: review: review_months 12 from "reviewed annually"');
    expect(lines).toContain('seed.txt:1: chrome: dropped "<<org_field_logo>>" (every document prints it)');
    expect(lines.some((l) => l.startsWith("seed.txt:81: trailer: dropped Responsible Person"))).toBe(true);
    expect(lines.some((l) => l.startsWith('seed.txt:88: chrome: dropped "Leave a Reply"'))).toBe(true);
  });
});

describe("the code of an imported policy", () => {
  it("is the code the library's policies cite its title with", async () => {
    const dir = await workspace({ "seed.txt": await readFile(SEED, "utf8") });
    const run = await runCli(["import", "seed.txt", "--out", "imported", "--json"], dir);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.imported[0]).toMatchObject({ code: "DCW38", output: `imported/${DCW38}.md`, written: true });
    expect(report.imported[0].guesses).toContainEqual(
      expect.objectContaining({ line: 8, kind: "code", message: expect.stringMatching(/^DCW38: the library cites/) }),
    );
    expect(await readdir(join(dir, "imported"))).toEqual([`${DCW38}.md`]);
  });

  it("is reported as missing, with a hint, when nothing cites the title; nothing is written", async () => {
    const dir = await workspace({ "seed.txt": await readFile(SEED, "utf8") }, { examples: false });
    const run = await runCli(["import", "seed.txt"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('seed.txt:8:1: error missing-code: no code for "Using Social Media Platforms Policy"');
    expect(run.stderr).toContain("hint: pass --code CODE");
    expect(await readdir(join(dir, "policies"))).toEqual([]);
  });
});

describe("overwriting", () => {
  it("refuses to overwrite a policy without --force", async () => {
    const dir = await workspace({ "seed.txt": await readFile(SEED, "utf8") });
    const path = join(dir, "policies", `${DCW38}.md`);
    const original = await readFile(path, "utf8");
    const run = await runCli(["import", "seed.txt", "--code", "DCW38"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`policies/${DCW38}.md already exists; nothing written`);
    expect(run.stderr).toContain("pass --force to overwrite it");
    expect(await readFile(path, "utf8")).toBe(original);
  });

  it("takes --code with one file only", async () => {
    const dir = await workspace({ "a.txt": "A Policy\n", "b.txt": "B Policy\n" });
    const run = await runCli(["import", "a.txt", "b.txt", "--code", "DCW70"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--code names one policy");
  });
});

describe("importing a Word document", () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
    const doc = new Document({
      numbering: {
        config: [
          {
            reference: "steps",
            levels: [{ level: 0, format: LevelFormat.DECIMAL, text: "%1.", alignment: AlignmentType.START }],
          },
        ],
      },
      sections: [
        {
          children: [
            new Paragraph({ text: "Medication Administration Policy", heading: HeadingLevel.TITLE }),
            new Paragraph({ text: "1. Purpose", heading: HeadingLevel.HEADING_1 }),
            new Paragraph("This policy sets out how {{org_field_name}} supports people with their medicines."),
            new Paragraph({ text: "1.1 Administering medicines", heading: HeadingLevel.HEADING_2 }),
            new Paragraph({ text: "Check the MAR chart.", numbering: { reference: "steps", level: 0 } }),
            new Paragraph({ text: "Give the medicine.", numbering: { reference: "steps", level: 0 } }),
            new Paragraph({ text: "Sign the MAR chart.", numbering: { reference: "steps", level: 0 } }),
            new Paragraph({ text: "Storage", heading: HeadingLevel.HEADING_1 }),
            new Paragraph({ text: "A locked cupboard", bullet: { level: 0 } }),
            new Paragraph({ text: "Below 25 °C", bullet: { level: 0 } }),
            new Table({
              rows: [
                new TableRow({ children: [cell("Medicine"), cell("Storage")] }),
                new TableRow({ children: [cell("Insulin"), cell("Fridge")] }),
              ],
            }),
          ],
        },
      ],
    });
    dir = await workspace();
    await writeFile(join(dir, "medication.docx"), await Packer.toBuffer(doc));
    run = await runCli(["import", "medication.docx", "--code", "DCW50"], dir);
  });

  it("writes a policy named from its Title paragraph, which passes check", async () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("wrote policies/DCW50-medication-administration.md");
    expect((await runCli(["check", ...AS_OF], dir)).code).toBe(0);
  });

  it("round-trips headings, both lists, the table and the placeholder", async () => {
    const { front, tree, text } = await readPolicy(join(dir, "policies", "DCW50-medication-administration.md"));
    expect(front).toContain("title: Medication Administration Policy");
    const headings = tree.children.filter((n): n is Heading => n.type === "heading");
    expect(headings.map((h) => [h.depth, nodeText(h)])).toEqual([
      [2, "1. Purpose"],
      [3, "1.1 Administering medicines"],
      [2, "Storage"],
    ]);
    const lists = tree.children.filter((n): n is List => n.type === "list");
    expect(lists.map((l) => [l.ordered, l.children.map((item) => nodeText(item))])).toEqual([
      [true, ["Check the MAR chart.", "Give the medicine.", "Sign the MAR chart."]],
      [false, ["A locked cupboard", "Below 25 °C"]],
    ]);
    const table = tree.children.find((n): n is MdTable => n.type === "table");
    expect(table?.children.map((row) => row.children.map((c) => nodeText(c)))).toEqual([
      ["Medicine", "Storage"],
      ["Insulin", "Fridge"],
    ]);
    expect(text).toContain("how <<org_field_name>> supports");
  });
});

describe("the heuristics", () => {
  it("imports an HTML page: title from its h1, navigation and forms dropped, a bold lead-in kept", async () => {
    const html = `<!doctype html><html><head><title>Lone Working Policy – Example Care</title></head><body>
<nav><a href="/">Home</a></nav><h1>Lone Working Policy</h1>
<h2>1. Purpose</h2>
<p>Staff working alone must stay safe. <strong>Staff must:</strong> Carry a charged phone. Log every visit.</p>
<form><p>Leave a comment</p></form></body></html>`;
    const dir = await workspace({ "lone.html": html });
    const run = await runCli(["import", "lone.html", "--code", "DCW61"], dir);
    expect(run.code).toBe(0);
    const { text } = await readPolicy(join(dir, "policies", "DCW61-lone-working.md"));
    expect(text).toBe(
      "## 1. Purpose\n\nStaff working alone must stay safe. **Staff must:**\n\n- Carry a charged phone.\n- Log every visit.\n",
    );
  });

  it("splits one sentence per item, not after abbreviations, and needs two items", () => {
    const { tree } = readText(
      "Title\n\nIt covers: Medicines, e.g. Insulin and tablets. Creams.\n\nNote: Only one thing here.\n",
    );
    normalise(tree);
    const list = tree.children.find((n): n is List => n.type === "list");
    expect(list?.children.map((item) => nodeText(item))).toEqual(["Medicines, e.g. Insulin and tablets.", "Creams."]);
    expect(nodeText(tree.children.at(-1) as Root["children"][number])).toBe("Note: Only one thing here.");
  });

  it("reads the review cycle from the text, 12 months when it names none", () => {
    const cycle = (text: string) => normalise(readText(`Title\n\n${text}\n`).tree).reviewMonths;
    expect(cycle("This policy will be reviewed every two years.")).toBe(24);
    expect(cycle("We review this policy every 6 months.")).toBe(6);
    expect(cycle("Annual leave is taken annually.")).toBe(12);
  });
});

describe("what a page may not carry into a policy", () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let text: string;
  beforeAll(async () => {
    const html = `<h1>Links Policy</h1>
<p>Read <a href="javascript:alert(1)">our guidance</a>, <a href=" JaVa&#x09;ScRiPt:alert(2)">this</a>,
<a href="data:text/html,&lt;script&gt;alert(3)&lt;/script&gt;">that</a> and <a href="vbscript:msgbox">the form</a>.</p>
<p>The law is at <a href="https://gov.wales/care">gov.wales</a>; write to <a href="mailto:office@example.org">the office</a>.</p>
<p><img src="http://tracker.example/pixel.gif" alt="">Logo: <img src="//cdn.example/logo.png" alt="logo"></p>`;
    dir = await workspace({ "links.html": html });
    run = await runCli(["import", "links.html", "--code", "DCW62"], dir);
    ({ text } = await readPolicy(join(dir, "policies", "DCW62-links.md")));
  });

  it("drops javascript:, data: and vbscript: links but keeps their text, and keeps web and mail links", () => {
    expect(run.code).toBe(0);
    expect(text).not.toMatch(/javascript|data:|vbscript|alert/i);
    expect(text).toContain("Read our guidance, this, that and the form.");
    expect(text).toContain("[gov.wales](https://gov.wales/care)");
    expect(text).toContain("[the office](mailto:office@example.org)");
  });

  it("drops remote images, and says so for every link and image it dropped", () => {
    expect(text).not.toMatch(/tracker|cdn\.example|!\[/);
    expect(text).toMatch(/^Logo:$/m);
    const lines = run.stdout.split("\n");
    for (const [line, scheme, words] of [
      [2, "javascript", "our guidance"],
      [2, "javascript", "this"],
      [3, "data", "that"],
      [3, "vbscript", "the form"],
    ]) {
      expect(lines).toContain(
        `links.html:${line}: link: dropped a ${scheme}: link, kept its text "${words}" (only http:, https:, mailto:, tel: and relative links are published)`,
      );
    }
    expect(lines).toContain(
      "links.html:5: image: dropped a remote image http://tracker.example/pixel.gif (a pack never loads images from the web): add it by hand if it matters",
    );
    expect(lines.filter((line) => line.includes("dropped a remote image //cdn.example/logo.png"))).toHaveLength(1);
  });

  it("checks clean once imported", async () => {
    expect(run.stderr).toBe("");
    expect((await runCli(["check", ...AS_OF], dir)).code).toBe(0);
  });
});

describe("files that cannot be imported", () => {
  it("are refused with a sentence naming the file and the fix, while the other files import", async () => {
    const dir = await workspace({ "a-policy.txt": "Visiting Policy\n\nVisitors sign in.\n" }, { examples: false });
    await writeFile(join(dir, "bomb.docx"), zipBomb(101));
    await writeFile(join(dir, "scan.pdf"), "%PDF-1.4\n");
    const run = await runCli(["import", "bomb.docx", "a-policy.txt", "scan.pdf", "--out", "new"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "bomb.docx:1:1: error import-limit: bomb.docx unpacks to 101.1 MB, more than the 100 MB a Word document may",
    );
    expect(run.stderr).toContain("hint: remove or compress its pictures in Word");
    expect(run.stderr).toContain("hint: install poppler-utils");
    // The text file had no code (no library): that is its own error; nothing at all was written.
    expect(run.stderr).toContain('error missing-code: no code for "Visiting Policy"');
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("writes nothing for a Word file whose XML declares entities", async () => {
    const dir = await workspace();
    const xml = documentXml(para("&x;"), '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/hostname">]>');
    await writeFile(join(dir, "x.docx"), docx(xml));
    const run = await runCli(["import", "x.docx", "--code", "DCW63", "--out", "new"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("x.docx is refused: its part word/document.xml declares a DOCTYPE with entities");
    expect(await readdir(dir)).not.toContain("new");
  });
});

describe("how deeply a page may nest", () => {
  const nested = (depth: number) => `${"<div>".repeat(depth)}x${"</div>".repeat(depth)}`;

  it("counts open elements, as a browser would nest them", () => {
    expect(htmlTooDeepAt(nested(100), 100)).toBeUndefined();
    expect(htmlTooDeepAt(nested(101), 100)).toBe(500);
    expect(htmlTooDeepAt(`${"<b>".repeat(101)}x`, 100)).toBe(300);
  });

  it("does not count what closes itself: unclosed <p>, <li>, <td>, void elements, comments, scripts", () => {
    const page = `${"<p>a".repeat(300)}<ul>${"<li>b".repeat(300)}</ul><table>${"<tr><td>c<td>d".repeat(300)}</table>${"<br><img src=x>".repeat(300)}${"<!-- <div> -->".repeat(300)}<script>${"<div>".repeat(300)}</script>`;
    expect(htmlTooDeepAt(page, 100)).toBeUndefined();
  });

  it("imports a page nested to the limit, and refuses one past it at its line and column", async () => {
    const dir = await workspace({
      "ok.html": `<h1>Deep Policy</h1>\n${nested(99)}`,
      "deep.html": `<h1>Deeper Policy</h1>\n${nested(101)}`,
    });
    const ok = await runCli(["import", "ok.html", "--code", "DCW64"], dir);
    expect(ok.code).toBe(0);
    const deep = await runCli(["import", "deep.html", "--code", "DCW65"], dir);
    expect(deep.code).toBe(1);
    expect(deep.stderr).toContain(
      "deep.html:2:501: error import-limit: deep.html nests HTML elements more than 100 deep",
    );
  });
});

describe("the encoding of a page", () => {
  const TEXT = "Visiting Policy\n\nVisitors’ names are recorded – every visit costs £0.\n";
  const BODY = "Visitors’ names are recorded – every visit costs £0.\n";
  /** Windows-1252 bytes of a string that has only Latin-1 letters and ’ – £. */
  const cp1252 = (text: string) =>
    Uint8Array.from([...text].map((c) => ({ "’": 0x92, "–": 0x96 })[c] ?? (c.codePointAt(0) as number)));
  const utf16le = (text: string) =>
    Uint8Array.from([...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]));

  async function importBytes(name: string, bytes: Uint8Array) {
    const dir = await workspace();
    await writeFile(join(dir, name), bytes);
    const run = await runCli(["import", name, "--code", "DCW66"], dir);
    const [file = ""] = (await readdir(join(dir, "policies"))).filter((f) => f.startsWith("DCW66-"));
    return { run, ...(await readPolicy(join(dir, "policies", file))) };
  }

  it("reads a Windows-1252 text file as Windows-1252, with a warning at its first non-UTF-8 byte", async () => {
    const { run, text } = await importBytes("visiting.txt", cp1252(TEXT));
    expect(run.code).toBe(0);
    expect(text).toBe(BODY);
    expect(run.stderr).toContain(
      'visiting.txt:3:9: warning import-encoding: visiting.txt is not UTF-8: read as Windows-1252, where byte 0x92 here is "’"',
    );
  });

  it("reads UTF-16 with or without a byte-order mark", async () => {
    const withBom = await importBytes("bom.txt", Uint8Array.from([0xff, 0xfe, ...utf16le(TEXT)]));
    expect(withBom.text).toBe(BODY);
    expect(withBom.run.stderr).toBe("");
    const without = await importBytes("nobom.txt", utf16le(TEXT));
    expect(without.text).toBe(BODY);
    expect(without.run.stderr).toContain("read as UTF-16 (little-endian), which its bytes show");
  });

  it("honours an HTML page's <meta charset>, and warns when the page is not what it declares", async () => {
    const page = (charset: string) =>
      cp1252(
        `<html><head><meta charset="${charset}"><title>Visiting Policy</title></head><body><p>${BODY}</p></body></html>`,
      );
    const declared = await importBytes("page.html", page("windows-1252"));
    expect(declared.text).toBe(BODY);
    expect(declared.run.stderr).toBe("");
    const wrong = await importBytes("page.html", page("utf-8"));
    expect(wrong.text).toBe(BODY);
    expect(wrong.run.stderr).toContain(
      "page.html is not UTF-8 (though its <meta charset> says so): read as Windows-1252",
    );
  });

  it("warns about every replacement character (U+FFFD) the source already has", async () => {
    const { run, text } = await importBytes(
      "lost.txt",
      new TextEncoder().encode("Lost Policy\n\nService users\uFFFD care \uFFFD.\n"),
    );
    expect(text).toContain("\uFFFD");
    expect(run.stderr).toContain(
      "lost.txt:3:14: warning import-encoding: lost.txt contains 2 replacement characters (U+FFFD",
    );
  });
});

describe("placeholders in older templates' styles", () => {
  let run: Awaited<ReturnType<typeof runCli>>;
  let text: string;
  beforeAll(async () => {
    const page = [
      "Legacy Policy",
      "",
      "This policy applies to [ORGANISATION] and «OrgName», run by [Name of Registered Manager].",
      "",
      "Contact {org_field_email} or {{ORG_FIELD_PHONE}} in {{CURRENT_YEAR}}; see [sic], [1], [NAME] and «Signature».",
      "",
      "The [Safeguarding Lead] reports to [Local Authority] quoting [Registration Number].",
    ].join("\n");
    const dir = await workspace({ "legacy.txt": page });
    run = await runCli(["import", "legacy.txt", "--code", "DCW67"], dir);
    ({ text } = await readPolicy(join(dir, "policies", "DCW67-legacy.md")));
  });

  it("turns the tokens that name one field into placeholders, each with a guess line", () => {
    expect(text).toBe(
      [
        "This policy applies to <<org_field_name>> and <<org_field_name>>, run by <<org_field_registered_manager_first_name>> <<org_field_registered_manager_last_name>>.",
        "",
        "Contact <<org_field_email>> or <<org_field_phone>> in <<current_year>>; see \\[sic], \\[1], \\[NAME] and «Signature».",
        "",
        "The <<org_field_safeguarding_lead_name>> reports to <<org_field_local_authority>> quoting <<org_field_registration_no>>.",
        "",
      ].join("\n"),
    );
    const lines = run.stdout.split("\n");
    expect(lines).toContain("legacy.txt:3: placeholder: «OrgName» → <<org_field_name>>");
    expect(lines).toContain("legacy.txt:5: placeholder: {{ORG_FIELD_PHONE}} → <<org_field_phone>> (in lower case)");
    expect(lines).toContain("legacy.txt:7: placeholder: [Registration Number] → <<org_field_registration_no>>");
  });

  it("leaves the others as written and warns at their line and column; [sic] and [1] are text", () => {
    // The mail-merge field left in the policy is check's error: the import says a human must decide.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "policies/DCW67-legacy.md:11:103: error legacy-token: leftover template token «Signature»",
    );
    const warnings = run.stderr.split("\n").filter((line) => line.includes("legacy-placeholder"));
    expect(warnings).toEqual([
      "legacy.txt:5:87: warning legacy-placeholder: [NAME] looks like a placeholder from an old template; it was left as written",
      "legacy.txt:5:98: warning legacy-placeholder: «Signature» looks like a placeholder from an old template; it was left as written",
    ]);
    expect(run.stderr).toContain(
      "hint: replace it with <<org_field_X>> for the organisation field X it stands for (name,",
    );
  });
});

describe("the title of an imported policy", () => {
  it("is never a line of placeholders or a numbered section: nothing is written until --title says it", async () => {
    const header = [
      "<<org_field_logo>> <<org_field_name>> Registration Number: <<org_field_registration_no>>",
      "",
      "1. Purpose",
      "",
      "This policy sets out how staff use social media.",
    ].join("\n");
    const web =
      "<html><head><title>1. Purpose</title></head><body><h2>1. Purpose</h2><p>Staff use it with care.</p></body></html>";
    const dir = await workspace({ "header.txt": header, "saved.html": web });
    for (const [file, said] of [
      ["header.txt", 'header.txt:1:1: error import-title: no title found: the first line, "<<org_field_logo>>'],
      [
        "saved.html",
        'saved.html:1:1: error import-title: no title found: the first line, "1. Purpose", is a numbered section',
      ],
    ]) {
      const run = await runCli(["import", file as string, "--code", "DCW80"], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(said);
      expect(run.stderr).toContain('hint: import it again with --title "the policy\'s title"');
      expect(existsSync(join(dir, "policies", "DCW80-1-purpose.md"))).toBe(false);
    }
    expect((await readdir(join(dir, "policies"))).filter((name) => name.startsWith("DCW80"))).toEqual([]);

    const run = await runCli(
      ["import", "saved.html", "--code", "DCW80", "--title", "Using Social Media Platforms Policy"],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('saved.html:1: title: "Using Social Media Platforms Policy" (--title)');
    const { front, text } = await readPolicy(join(dir, "policies", "DCW80-using-social-media-platforms.md"));
    expect(front).toContain("title: Using Social Media Platforms Policy");
    // The section the document began with stays in its body.
    expect(text).toMatch(/^## 1\. Purpose/m);
    const twice = await runCli(["import", "saved.html", "header.txt", "--title", "X Policy"], dir);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("--title names one policy");
  });
});

describe("a WordPress post", () => {
  it("keeps the post's text and drops the site around it: menus, post details, share buttons, comment form, block-editor comments, spacers", async () => {
    const page = await readFile(join(REPO, "test", "fixtures", "import", "wordpress-post.html"), "utf8");
    const dir = await workspace({ "fire.html": page });
    const run = await runCli(["import", "fire.html", "--code", "DCW81"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("raw-html");
    const { front, text } = await readPolicy(join(dir, "policies", "DCW81-fire-safety.md"));
    expect(front).toContain("title: Fire Safety Policy");
    expect(text).toBe(
      [
        "<<org_field_name>> takes fire safety seriously.",
        "",
        "## 1. Purpose",
        "",
        "Staff know what to do if a fire starts in a service user’s home.",
        "",
      ].join("\n"),
    );
    // Never silent: the report says what was left out.
    expect(run.stdout).toContain('fire.html:12: chrome: kept the article, <div class="entry-content">');
    expect(run.stdout).toContain("fire.html:1: chrome: dropped page furniture inside it: sharedaddy");
    expect(run.stdout).toContain(
      "wrote policies/DCW81-fire-safety.md (DCW81): review the 6 guesses above: 4 decisions (title, review, version, status), 2 removals (chrome ×2)",
    );
  });
});

describe("codes written loosely in an imported policy", () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  let text: string;
  beforeAll(async () => {
    const page = [
      "Lone Working Policy",
      "",
      "Staff follow the Safeguarding Adults from Abuse and Improper Treatment Policy (DCW 13) and dcw31.",
      "",
      "Report concerns under DCW-031 or ＤＣＷ３１; DCW31a, DCW 99 and https://example.org/dcw31 are left as written.",
    ].join("\n");
    dir = await workspace({ "lone.txt": page });
    run = await runCli(["import", "lone.txt", "--code", "DCW70"], dir);
    ({ text } = await readPolicy(join(dir, "policies", "DCW70-lone-working.md")));
  });

  it("writes the library's canonical codes, with a guess line for each", () => {
    expect(text).toBe(
      [
        "Staff follow the Safeguarding Adults from Abuse and Improper Treatment Policy (DCW13) and DCW31.",
        "",
        "Report concerns under DCW31 or DCW31; DCW31a, DCW 99 and https\\://example.org/dcw31 are left as written.",
        "",
      ].join("\n"),
    );
    const lines = run.stdout.split("\n");
    expect(lines).toContain(
      'lone.txt:3: citation: "DCW 13" → DCW13 (Safeguarding Adults from Abuse and Improper Treatment Policy)',
    );
    expect(lines).toContain('lone.txt:3: citation: "dcw31" → DCW31 (Disciplinary and Grievance Policy)');
    expect(lines).toContain('lone.txt:5: citation: "DCW-031" → DCW31 (Disciplinary and Grievance Policy)');
    expect(lines).toContain('lone.txt:5: citation: "ＤＣＷ３１" → DCW31 (Disciplinary and Grievance Policy)');
    expect(lines.filter((line) => line.includes(": citation: "))).toHaveLength(4);
  });

  it("leaves DCW31a as written, with a warning at its line and column", () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'lone.txt:5:41: warning xref-loose: "DCW31a" is not a code; the nearest is DCW31 (Disciplinary and Grievance Policy); it was left as written\n  hint: write DCW31\n\n0 errors, 1 warning\n',
    );
  });

  it("checks with no loose code but DCW31a", async () => {
    const check = await runCli(["check", ...AS_OF], dir);
    expect(check.stderr.split("\n").filter((line) => line.includes("xref-"))).toEqual([
      'policies/DCW70-lone-working.md:11:39: warning xref-loose: "DCW31a" is not a code; the nearest is DCW31 (Disciplinary and Grievance Policy)',
    ]);
  });
});

describe("a source's own document control", () => {
  it("leaves the body: its version becomes the policy's, and the rest is in the report", async () => {
    const page = [
      "<html><body><h1>Medication Policy</h1>",
      "<table><tr><th>Document control</th><th></th></tr><tr><td>Version</td><td>3.1</td></tr>",
      "<tr><td>Reviewed</td><td>12 March 2025</td></tr><tr><td>Next review</td><td>March 2026</td></tr></table>",
      "<h2>1. Purpose</h2><p>Staff give medicines safely.</p>",
      "<table><tr><th>Medicine</th><th>Dose</th></tr><tr><td>Paracetamol</td><td>500 mg</td></tr></table>",
      "</body></html>",
    ].join("\n");
    const text =
      "Moving and Handling Policy\n\nVersion: 2.4\n\nReviewed on: 1 May 2025\n\n1. Purpose\n\nStaff move people safely.\n";
    const dir = await workspace({ "medication.html": page, "moving.txt": text });
    const html = await runCli(["import", "medication.html", "--code", "DCW82"], dir);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toContain('medication.html:2: version: "3.1" (the source\'s document control: "Version 3.1")');
    expect(html.stdout).toContain('the source said "Next review March 2026", which is not carried over');
    expect(html.stdout).not.toContain("the source states none");
    const medication = await readPolicy(join(dir, "policies", "DCW82-medication.md"));
    expect(medication.front).toContain('version: "3.1"');
    expect(medication.text).not.toMatch(/Version|Reviewed|Document control/);
    expect(medication.text).toContain("| Paracetamol | 500 mg |"); // other tables stay
    const txt = await runCli(["import", "moving.txt", "--code", "DCW83"], dir);
    expect(txt.code, txt.stderr).toBe(0);
    const moving = await readPolicy(join(dir, "policies", "DCW83-moving-and-handling.md"));
    expect(moving.front).toContain('version: "2.4"');
    expect(moving.text).not.toMatch(/Version|Reviewed on/);
    expect(moving.text).toMatch(/^## 1\. Purpose/m);
  });
});

describe("a Word document under review", () => {
  it("says it has tracked changes and comments, which the import resolves or leaves out", async () => {
    const body = [
      para("Night Visits Policy"),
      para("1. Purpose"),
      `<w:p><w:r><w:t xml:space="preserve">Staff visit at night </w:t></w:r><w:ins w:id="1" w:author="A"><w:r><w:t>in pairs</w:t></w:r></w:ins><w:del w:id="2" w:author="A"><w:r><w:delText>alone</w:delText></w:r></w:del><w:r><w:t>.</w:t></w:r></w:p>`,
    ].join("");
    const comments = `<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="B"><w:p><w:r><w:t>Check with the RI</w:t></w:r></w:p></w:comment></w:comments>`;
    const dir = await workspace();
    await writeFile(join(dir, "night.docx"), docx(documentXml(body), { "word/comments.xml": comments }));
    const run = await runCli(["import", "night.docx", "--code", "DCW84"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      "night.docx:1:1: warning import-revisions: night.docx has tracked changes (1 insertion, 1 deletion): imported as if all were accepted",
    );
    expect(run.stderr).toContain(
      "night.docx:1:1: warning import-revisions: night.docx has 1 comment, which is not carried into the policy",
    );
    const { text } = await readPolicy(join(dir, "policies", "DCW84-night-visits.md"));
    expect(text).toContain("Staff visit at night in pairs.");
  });
});
