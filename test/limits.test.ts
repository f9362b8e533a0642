// Each limit on hostile input, measured where it is enforced: before the Markdown parser, before
// Handlebars, before yaml builds the data. test/hostile/check.cases.ts runs the same inputs through
// the real command; these say the limit itself costs milliseconds (each test has a 3 s timeout).
import { describe, expect, it } from "vitest";
import { checkMarkdown } from "../src/check/markdown.ts";
import { MAX_MARKDOWN_NESTING, MAX_PARAGRAPH_MARKS, markdownNesting } from "../src/check/nesting.ts";
import { urlScheme } from "../src/links.ts";
import { forbiddenCharacters } from "../src/load/characters.ts";
import { decodeUtf8 } from "../src/load/read.ts";
import { parseYamlWithPositions } from "../src/load/yaml.ts";
import { scanPlaceholders } from "../src/template/placeholders.ts";

const LIMIT = { timeout: 3000 };

describe("Markdown nesting is measured before parsing", () => {
  it("5,000 nested blockquotes: reported at the 33rd >", LIMIT, () => {
    expect(markdownNesting(`Intro.\n${">".repeat(5000)} deep\n`, 10)).toMatchObject({
      line: 11,
      column: MAX_MARKDOWN_NESTING + 1,
      rule: "markdown-depth",
    });
  });

  it("5,000 nested list items, one per line, indented two more each", LIMIT, () => {
    const list = Array.from({ length: 5000 }, (_, i) => `${"  ".repeat(i)}- item ${i}`).join("\n");
    // A level per two columns of indentation plus its marker: line 33 (64 columns) is the first past 32.
    expect(markdownNesting(list, 1)).toMatchObject({ line: 33, column: 65, rule: "markdown-depth" });
  });

  it("quotes nested 20,000 deep after something that looks like a fence", LIMIT, () => {
    expect(markdownNesting(`- item\n\n  \`\`\`\n${">".repeat(20_000)} deep\n`, 1)?.rule).toBe("markdown-depth");
  });

  it("a deep mix of quotes and ordered lists", LIMIT, () => {
    expect(markdownNesting(`${"> 1. ".repeat(17)}x`, 1)).toMatchObject({ line: 1, column: 81 });
  });

  it("50,000 nested link brackets; 50,000 closed ones are too many marks, but not nesting", LIMIT, () => {
    expect(markdownNesting(`${"[".repeat(50_000)}x${"]".repeat(50_000)}`, 1)?.message).toContain('"[" are open');
    expect(markdownNesting("[a] ".repeat(50_000), 1)?.message).toContain("emphasis and link marks");
  });

  it("100,000 emphasis marks in one paragraph (minutes in the parser), but not in a long table", LIMIT, () => {
    const found = markdownNesting(`Intro.\n\n${"a**".repeat(50_000)}\n`, 5);
    expect(found).toMatchObject({ line: 7, column: 1, rule: "markdown-depth" });
    expect(found?.message).toContain(`more than ${MAX_PARAGRAPH_MARKS} emphasis and link marks`);
    // The same marks spread over paragraphs, or over the rows of a table, are parsed row by row.
    expect(markdownNesting(`${"a**b** ".repeat(100)}\n\n`.repeat(500), 1)).toBeUndefined();
    // Placeholders are not Markdown: their underscores are not marks.
    expect(markdownNesting("<<org_field_registered_manager_name>> ".repeat(300), 1)).toBeUndefined();
    const table = `| a | b |\n| - | - |\n${"| **x** | _y_ |\n".repeat(2_000)}`;
    expect(markdownNesting(table, 1)).toBeUndefined();
  });

  it("counts as the parser reads: real policies pass, paragraphs in disguise do not", LIMIT, () => {
    const passes = {
      "a tight list of 300 links": "- [a link](https://example.org/x)\n".repeat(300),
      "signature lines": "Name: ________ Signature: ________ Date: ____\n".repeat(40),
      "a code block": `\`\`\`\n${"_".repeat(600)}\nrun(a * b, c_d)\n\`\`\`\n`,
      headings: "## Section_a_b_c\n".repeat(300),
      "numbered items": `1. first\n${"2. [x](y) **b** _c_\n".repeat(200)}`,
    };
    for (const [what, body] of Object.entries(passes)) expect(markdownNesting(body, 1), what).toBeUndefined();
    const fails = {
      "lines that start with a pipe but are no table": `${"|a** ".repeat(120)}\n`.repeat(10),
      "a table whose delimiter row does not match its header": `| a |\n|---|---|\n${`| ${"a** ".repeat(120)}|\n`.repeat(10)}`,
      "numbers that cannot start a list inside a paragraph": `Text\n${`2. ${"a** ".repeat(120)}\n`.repeat(10)}`,
      "a backtick fence that is not one": `\`\`\` \` x\n${"a** ".repeat(600)}\n`,
      "a fence in a list item, which the list's end closes": `- item\n\n  \`\`\`\n${"a** ".repeat(600)}\n`,
      "a fence in an HTML block": `<div>\n\`\`\`\n</div>\n\n${"a** ".repeat(600)}\n`,
      "bullets indented as code after a paragraph, which continue it": `Text\n${`    - ${"a** ".repeat(120)}\n`.repeat(10)}`,
    };
    for (const [what, body] of Object.entries(fails)) {
      expect(markdownNesting(body, 1)?.message, what).toContain("emphasis and link marks");
    }
  });

  it("real policies pass: a few levels of lists and quotes", LIMIT, () => {
    const body = "- a\n  - b\n    - c\n      1. d\n\n> quote\n> > nested\n\n* * *\n";
    expect(markdownNesting(body, 1)).toBeUndefined();
  });

  it("emphasis nested 80 deep is reported after parsing, not walked recursively", LIMIT, () => {
    const found = checkMarkdown(`${"*a _".repeat(40)}x${"_ b*".repeat(40)}`, 5);
    expect(found).toEqual([expect.objectContaining({ rule: "markdown-depth", line: 5 })]);
  });
});

describe("<<#if>> nesting is measured before Handlebars parses it", () => {
  it("10,000 nested <<#if>> lines: one diagnostic at the 17th", LIMIT, () => {
    const body = `${"<<#if org_field_website>>\n".repeat(10_000)}x\n${"<</if>>\n".repeat(10_000)}`;
    const { problems } = scanPlaceholders(body, 8);
    expect(problems).toEqual([expect.objectContaining({ rule: "block-depth", line: 8 + 16, column: 1 })]);
  });
});

describe("YAML", () => {
  const bomb = [
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
  ].join("\n");

  it("a billion-laughs alias bomb is a diagnostic at its first alias, and no data", LIMIT, () => {
    const parsed = parseYamlWithPositions(bomb, "x.yaml", 2);
    expect(parsed.data).toBeUndefined();
    expect(parsed.diagnostics).toEqual([expect.objectContaining({ rule: "yaml-alias", line: 3, column: 8 })]);
  });

  it("a few aliases are still fine", LIMIT, () => {
    expect(parseYamlWithPositions("a: &a x\nb: *a\n", "x.yaml").data).toEqual({ a: "x", b: "x" });
  });

  it("100,000 nested flow sequences are reported before yaml recurses into them", LIMIT, () => {
    const parsed = parseYamlWithPositions(`deep: ${"[".repeat(100_000)}${"]".repeat(100_000)}`, "x.yaml");
    expect(parsed.diagnostics).toEqual([expect.objectContaining({ rule: "yaml-depth", line: 1, column: 39 })]);
  });

  it("a mapping nested 33 deep is reported where it starts", LIMIT, () => {
    const text = Array.from({ length: 40 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n");
    const parsed = parseYamlWithPositions(`${text} x\n`, "x.yaml");
    expect(parsed.diagnostics).toEqual([expect.objectContaining({ rule: "yaml-depth", line: 34, column: 34 })]);
  });

  it("an escaped NUL or lone surrogate in a value is reported at the value", LIMIT, () => {
    const parsed = parseYamlWithPositions('name: "A\\0B"\nother: "\\uDC00"\n', "x.yaml");
    expect(parsed.diagnostics.map((d) => [d.rule, d.line, d.column])).toEqual([
      ["character", 1, 7],
      ["character", 2, 8],
    ]);
  });
});

describe("characters and encodings", () => {
  it("finds C0 controls, non-characters, private-use and lone surrogates, but not tab, CR, LF or emoji", () => {
    const text = "ok\tok\r\nA\u0001 \uFFFF \uE001 \uD83D x \u{1F600}";
    expect(forbiddenCharacters(text, "f").map((d) => d.column)).toEqual([2, 4, 6]);
    // Twice: a scan must not start where the previous one stopped.
    expect(forbiddenCharacters("\uD83D x", "f")).toHaveLength(1);
    expect(forbiddenCharacters("\uD83D x", "f")).toHaveLength(1);
    expect(forbiddenCharacters("Gwenllïan Ap Rhys — Tŷ’r Ysgol 😀", "f")).toEqual([]);
  });

  it("finds C1 controls and the non-characters HTML rejects, named by their code point", () => {
    const found = (text: string) => forbiddenCharacters(text, "f").map((d) => `${d.column} ${d.message}`);
    expect(found("A\u0085B")).toEqual(["2 the control character U+0085 cannot appear in a Word, web or PDF document"]);
    expect(found("x \uFDD0")).toEqual(["3 the non-character U+FDD0 cannot appear in a Word, web or PDF document"]);
    expect(found("x \u{1FFFE}")).toEqual(["3 the non-character U+1FFFE cannot appear in a Word, web or PDF document"]);
    // Neighbours that are real characters stay allowed: U+00A0, U+FDF0, U+1FFFD.
    expect(found("\u00A0 \uFDF0 \u{1FFFD} \u{10FFFD}")).toEqual([]);
  });

  it("a Latin-1 byte is reported at its line and column", () => {
    const read = decodeUtf8(Buffer.from("name: ok\naddress: Caf\u00e9 Street\n", "latin1"), "f.yaml");
    expect(read).toEqual({ diagnostic: expect.objectContaining({ line: 2, column: 13, rule: "encoding" }) });
  });

  it("a UTF-8 byte-order mark is dropped; UTF-16 is named", () => {
    expect(decodeUtf8(Buffer.from("\uFEFFname: x", "utf8"), "f")).toEqual({ ok: "name: x" });
    expect(decodeUtf8(Buffer.from("\uFEFFname: x", "utf16le"), "f")).toEqual({
      diagnostic: expect.objectContaining({ message: expect.stringContaining("UTF-16") }),
    });
  });
});

describe("a link's scheme is read the way a browser reads it", () => {
  it.each([
    ["javascript:alert(1)", "javascript"],
    ["JaVaScRiPt:alert(1)", "javascript"],
    ["java\tscript:alert(1)", "javascript"],
    [" \u0001javascript:alert(1)", "javascript"],
    ["java\nscript:x", "javascript"],
    ["data:text/html,x", "data"],
    ["https://example.org", "https"],
    ["policy.html#top", undefined],
    ["../a:b", undefined],
  ])("%j is %s", (url, scheme) => {
    expect(urlScheme(url)).toBe(scheme);
  });
});
