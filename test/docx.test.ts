import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import type { Link, Paragraph, Root } from "mdast";
import { beforeAll, describe, expect, it } from "vitest";
import { packContext, policyDocument } from "../src/build/documents.ts";
import { loadAndCheck } from "../src/check/index.ts";
import { packPolicies } from "../src/check/orgs.ts";
import { renderDocx } from "../src/render/docx/index.ts";
import type { CalendarDate, PolicyDocument } from "../src/types.ts";
import { orgYaml, policyMd, REPO, workspace } from "./helpers.ts";

const BUILD_DATE: CalendarDate = { year: 2026, month: 11, day: 24 };
const HOSTILE = "A & B <Care> Ltd";
// A 12×4 PNG: the logo of the test organisation.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAwAAAAECAIAAAA1REndAAAAFklEQVR4nGPg94lBQ7MuXkFDDPRVBAA06UcRgMfp0wAAAABJRU5ErkJggg==",
  "base64",
);

const BODY = [
  "",
  "## 1. Purpose",
  "",
  "**<<org_field_name>>** writes *italic*, `code` and a [link](https://example.org/?a=1&b=2).[^1]",
  "",
  "### 1.1 Lists",
  "",
  "1. First",
  "2. Second",
  "   - nested bullet",
  "",
  "Between the lists.",
  "",
  "3. Third, as a new list",
  "4. Fourth",
  "",
  "#### 1.1.1 Table",
  "",
  "| Type | Signs | Count |",
  "| :--- | :---: | ----: |",
  "| Physical | Unexplained bruises, burns or fractures; flinching when touched | 1 |",
  "| Psychological or emotional | Withdrawal | 22 |",
  "",
  "> A quote.",
  "",
  "---",
  "",
  "<div>raw html</div>",
  "",
  "[^1]: The footnote text.",
  "",
].join("\n");

/** Loads a workspace the way the build does and makes the PolicyDocument of each org × policy. */
async function documents(dir: string): Promise<PolicyDocument[]> {
  const check = await loadAndCheck({
    policiesDir: join(dir, "policies"),
    orgsDir: join(dir, "orgs"),
    buildDate: BUILD_DATE,
    referencesOutsidePack: "warning",
  });
  expect(check.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return check.buildable.flatMap((org) => {
    const pack = packPolicies(org, check.library);
    const context = packContext(pack, check.library);
    return pack.map((policy) => policyDocument(org, policy, BUILD_DATE, context));
  });
}

/** The parts of a .docx, as text. */
function unzip(data: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(data)).map(([path, bytes]) => [path, strFromU8(bytes)]));
}

const decode = (xml: string) =>
  xml
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");

/** The text of each paragraph of a part, decoded. */
const paragraphs = (xml: string) =>
  [...xml.matchAll(/<w:p[ >].*?<\/w:p>/g)].map((p) =>
    decode([...p[0].matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join("")),
  );

/** The XML of the first paragraph whose text contains `text`. */
const paragraphWith = (xml: string, text: string) =>
  [...xml.matchAll(/<w:p[ >].*?<\/w:p>/g)].map((p) => p[0]).find((p) => paragraphs(p)[0]?.includes(text)) ?? "";

describe("the DOCX of a policy", () => {
  let doc: PolicyDocument;
  let parts: Record<string, string>;
  let data: Uint8Array;
  let warnings: Awaited<ReturnType<typeof renderDocx>>["warnings"];

  beforeAll(async () => {
    const dir = await workspace(
      {
        "policies/TST1-test.md": policyMd(
          { code: "TST1", title: "Test Policy", version: '"2.0"', review_months: "24", category: "Testing" },
          BODY,
        ),
        "orgs/test-care.yaml": orgYaml({ name: JSON.stringify(HOSTILE), logo: "logos/logo.png" }),
      },
      { examples: false },
    );
    await mkdir(join(dir, "orgs", "logos"));
    await writeFile(join(dir, "orgs", "logos", "logo.png"), PNG);
    [doc] = (await documents(dir)) as [PolicyDocument];
    ({ data, warnings } = await renderDocx(doc));
    parts = unzip(data);
  });

  it("uses Word's Title and Heading styles, with outline levels for the navigation pane", () => {
    const xml = parts["word/document.xml"] as string;
    expect(paragraphWith(xml, "Test Policy")).toContain('<w:pStyle w:val="Title"/>');
    expect(paragraphWith(xml, "1. Purpose")).toContain('<w:pStyle w:val="Heading1"/>');
    expect(paragraphWith(xml, "1.1 Lists")).toContain('<w:pStyle w:val="Heading2"/>');
    expect(paragraphWith(xml, "1.1.1 Table")).toContain('<w:pStyle w:val="Heading3"/>');
    const styles = parts["word/styles.xml"] as string;
    for (const [id, level] of [
      ["Heading1", 0],
      ["Heading2", 1],
      ["Heading3", 2],
    ] as const)
      expect(styles).toMatch(new RegExp(`w:styleId="${id}">.*?<w:outlineLvl w:val="${level}"/>.*?</w:style>`));
    expect(styles).toMatch(/<w:docDefaults>.*w:ascii="Arial"/);
  });

  it("starts with the organisation, its registration number, the title and the document control", () => {
    const text = paragraphs(parts["word/document.xml"] as string);
    expect(text.slice(0, 4)).toEqual([
      HOSTILE,
      "Registration Number: SIN-00000001-TEST",
      "TST1 · Testing",
      "Test Policy",
    ]);
    const xml = parts["word/document.xml"] as string;
    const control = xml.slice(xml.indexOf("<w:tbl>"), xml.indexOf("</w:tbl>"));
    expect(paragraphs(control)).toEqual(
      expect.arrayContaining(["Policy code", "TST1", "Version", "2.0", "Next review date", "15 January 2028"]),
    );
    expect(text.at(-1)).toBe(`Copyright © 2026 – ${HOSTILE}. All rights reserved.`);
  });

  it("writes bold, italic, code and links as runs and hyperlinks", () => {
    const p = paragraphWith(parts["word/document.xml"] as string, "writes");
    expect(p).toMatch(/<w:b\/>.*A &amp; B &lt;Care&gt; Ltd/);
    expect(p).toMatch(/<w:i\/>.*italic/);
    expect(p).toContain('<w:rStyle w:val="VerbatimChar"/>');
    const rels = parts["word/_rels/document.xml.rels"] as string;
    const id = /<w:hyperlink [^>]*r:id="([^"]+)"/.exec(p)?.[1];
    expect(rels).toContain(
      `Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/?a=1&amp;b=2" TargetMode="External"`,
    );
  });

  it("numbers lists with Word numbering, each numbered list from its own start", () => {
    const xml = parts["word/document.xml"] as string;
    const numId = (text: string) => {
      const p = paragraphWith(xml, text);
      expect(p).toContain("<w:numPr>");
      return /<w:numId w:val="(\d+)"\/>/.exec(p)?.[1];
    };
    expect(numId("First")).toBe(numId("Second"));
    expect(numId("Third")).toBe(numId("Fourth"));
    expect(numId("Third")).not.toBe(numId("First"));
    expect(paragraphWith(xml, "nested bullet")).toContain('<w:ilvl w:val="1"/>');
    expect(xml).not.toContain("•");
    // The second list's numbering starts at 3, its own first number.
    const numbering = parts["word/numbering.xml"] as string;
    const abstractOf = (num: string | undefined) =>
      new RegExp(`<w:num w:numId="${num}"><w:abstractNumId w:val="(\\d+)"/>`).exec(numbering)?.[1];
    const startOf = (num: string | undefined) =>
      new RegExp(`<w:abstractNum [^>]*w:abstractNumId="${abstractOf(num)}".*?<w:start w:val="(\\d+)"/>`).exec(
        numbering,
      )?.[1];
    expect(startOf(numId("First"))).toBe("1");
    expect(startOf(numId("Third"))).toBe("3");
    expect(numbering).toContain('<w:numFmt w:val="bullet"/>');
  });

  it("makes a GFM table a Word table with a repeating, shaded header row that fits the page", () => {
    const xml = parts["word/document.xml"] as string;
    const tables = [...xml.matchAll(/<w:tbl>.*?<\/w:tbl>/g)].map((m) => m[0]);
    const table = tables.find((t) => t.includes("Physical")) as string;
    const rows = [...table.matchAll(/<w:tr>.*?<\/w:tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain("<w:tblHeader/>");
    expect(rows[0]).toMatch(/<w:shd [^>]*w:fill="EEF3F6"/);
    expect(rows[1]).not.toContain("<w:tblHeader/>");
    for (const row of rows) expect(row).toContain("<w:cantSplit/>");
    const grid = [...table.matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((m) => Number(m[1]));
    expect(grid.reduce((a, b) => a + b, 0)).toBe(Number(/<w:tblW w:type="dxa" w:w="(\d+)"/.exec(table)?.[1]));
    // The long column is widest; the first is wide enough for "Psychological" unbroken.
    expect(grid[1]).toBeGreaterThan(grid[0] as number);
    expect(grid[0]).toBeGreaterThan(13 * 110);
    expect(paragraphWith(table, "Withdrawal")).toContain('<w:jc w:val="center"/>');
    expect(paragraphWith(table, "22")).toContain('<w:jc w:val="right"/>');
  });

  it("has the organisation and logo in the header, and code, review date and Page X of Y fields in the footer", () => {
    const header = parts["word/header1.xml"] as string;
    expect(paragraphs(header)).toEqual([HOSTILE]);
    expect(header).toContain("<a:blip r:embed=");
    expect(Object.keys(parts).some((path) => /^word\/media\/.*\.png$/.test(path))).toBe(true);
    const footer = parts["word/footer1.xml"] as string;
    expect(paragraphs(footer)[0]).toContain("TST1 · version 2.0 · next review 15 January 2028");
    expect(footer).toMatch(/<w:instrText[^>]*>\s*PAGE\s*<\/w:instrText>/);
    expect(footer).toMatch(/<w:instrText[^>]*>\s*NUMPAGES\s*<\/w:instrText>/);
  });

  it("escapes organisation values once: they read back exactly as typed", () => {
    for (const path of ["word/document.xml", "word/header1.xml", "docProps/core.xml"]) {
      const xml = parts[path] as string;
      expect(xml).not.toContain("<Care>");
      expect(xml).not.toContain("&amp;amp;");
    }
    expect(paragraphs(parts["word/header1.xml"] as string).join("")).toBe(HOSTILE);
    expect(paragraphs(parts["word/document.xml"] as string).filter((p) => p === HOSTILE)).toHaveLength(1);
    expect(decode(/<dc:creator>([^<]*)</.exec(parts["docProps/core.xml"] as string)?.[1] ?? "")).toBe(HOSTILE);
  });

  it("sets the document properties, dated the day the policy was last reviewed", () => {
    const core = parts["docProps/core.xml"] as string;
    expect(core).toContain("<dc:title>Test Policy</dc:title>");
    expect(core).toContain("<dc:subject>TST1 Test Policy</dc:subject>");
    expect(core).toContain("<cp:keywords>TST1</cp:keywords>");
    expect(core).toContain("<cp:lastModifiedBy>policypack</cp:lastModifiedBy>");
    expect(core).toMatch(/<dcterms:created [^>]*>2026-01-15T00:00:00Z<\/dcterms:created>/);
    expect(core).toMatch(/<dcterms:modified [^>]*>2026-01-15T00:00:00Z<\/dcterms:modified>/);
  });

  it("writes footnotes as Word footnotes", () => {
    expect(parts["word/document.xml"]).toContain('<w:footnoteReference w:id="1"/>');
    expect(paragraphs(parts["word/footnotes.xml"] as string)).toContain("The footnote text.");
  });

  it("warns, with the line, about what Word cannot show", () => {
    const line = BODY.split("\n").indexOf("<div>raw html</div>") + 1;
    expect(warnings).toEqual([{ line, column: 1, message: expect.stringContaining("raw HTML") }]);
  });

  it("gives the same bytes for the same input, whatever was rendered before", async () => {
    await renderDocx({ ...doc, tree: { type: "root", children: [] } });
    const again = await renderDocx(doc);
    expect(Buffer.from(again.data).equals(Buffer.from(data))).toBe(true);
    // Zip entries carry the date of the policy's last review (2026-01-15), not the time of the build.
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const dosDate = view.getUint16(12, true);
    expect([(dosDate >> 9) + 1980, (dosDate >> 5) & 15, dosDate & 31]).toEqual([2026, 1, 15]);
    expect(view.getUint16(10, true)).toBe(0);
    expect(Object.keys(unzipSync(data))[0]).toBe("[Content_Types].xml");
  });
});

describe("links, images and nodes Word cannot show", () => {
  let base: PolicyDocument;
  beforeAll(async () => {
    const dir = await workspace(
      {
        "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, "\nText.\n"),
        "orgs/test-care.yaml": orgYaml(),
      },
      { examples: false },
    );
    [base] = (await documents(dir)) as [PolicyDocument];
  });
  const withTree = (tree: Root): PolicyDocument => ({ ...base, tree });
  const at = (line: number, column: number) => ({
    start: { line, column, offset: 0 },
    end: { line, column: column + 1, offset: 1 },
  });

  it("links a cross-reference to the sibling .docx in the pack", async () => {
    const link: Link = {
      type: "link",
      url: "DCW13-safeguarding-adults.html",
      children: [{ type: "text", value: "DCW13" }],
      data: { xref: { code: "DCW13", slug: "DCW13-safeguarding-adults" } } as Link["data"],
    };
    const paragraph: Paragraph = { type: "paragraph", children: [{ type: "text", value: "See " }, link] };
    const { data } = await renderDocx(withTree({ type: "root", children: [paragraph] }));
    const parts = unzip(data);
    const id = /<w:hyperlink [^>]*r:id="([^"]+)"/.exec(parts["word/document.xml"] as string)?.[1];
    expect(parts["word/_rels/document.xml.rels"]).toContain(
      `Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="DCW13-safeguarding-adults.docx" TargetMode="External"`,
    );
    expect(parts["word/_rels/document.xml.rels"]).not.toContain(".html");
  });

  it("leaves out an SVG image and an unknown node with a warning at the node, or its parent's line", async () => {
    const svg = `data:image/svg+xml;base64,${Buffer.from("<svg/>").toString("base64")}`;
    const tree = {
      type: "root",
      children: [
        { type: "paragraph", position: at(3, 1), children: [{ type: "image", url: svg, alt: "Org logo" }] },
        { type: "math", value: "x^2", position: at(5, 1) },
        { type: "paragraph", position: at(7, 1), children: [{ type: "html", value: "<b>", position: at(7, 4) }] },
      ],
    } as Root;
    const { warnings } = await renderDocx(withTree(tree));
    expect(warnings).toEqual([
      { line: 3, column: 1, message: expect.stringContaining("SVG image") },
      { line: 5, column: 1, message: expect.stringContaining('"math"') },
      { line: 7, column: 4, message: expect.stringContaining("raw HTML") },
    ]);
  });
});

describe("the example library", () => {
  it("renders every policy of both packs without warnings, with real cross-reference links", async () => {
    const check = await loadAndCheck({
      policiesDir: join(REPO, "policies"),
      orgsDir: join(REPO, "orgs"),
      buildDate: BUILD_DATE,
      referencesOutsidePack: "warning",
    });
    let count = 0;
    for (const org of check.buildable) {
      const pack = packPolicies(org, check.library);
      const context = packContext(pack, check.library);
      for (const policy of pack) {
        const { data, warnings } = await renderDocx(policyDocument(org, policy, BUILD_DATE, context));
        expect(warnings).toEqual([]);
        const parts = unzip(data);
        if (policy.code === "DCW13") {
          expect(parts["word/document.xml"]).toContain("<w:tblHeader/>");
          expect(parts["word/_rels/document.xml.rels"]).toContain(
            'Target="DCW28-staff-conduct-and-code-of-ethics.docx"',
          );
        }
        count++;
      }
    }
    expect(count).toBe(12);
  });
});
