import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { DOMParser } from "@xmldom/xmldom";
import { Document, ExternalHyperlink, Packer, TextRun, Paragraph as WordParagraph } from "docx";
import { strFromU8, unzipSync } from "fflate";
import type { Link, Paragraph, Root } from "mdast";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAndCheck } from "../src/check/index.ts";
import { packPolicies } from "../src/check/orgs.ts";
import { packContext } from "../src/pack/context.ts";
import { policyDocument } from "../src/pack/documents.ts";
import { renderDocx } from "../src/render/docx/index.ts";
import { packageFiles } from "../src/render/docx/package.ts";
import { useDocxPrepForXml, useFasterPrepForXml } from "../src/render/docx/prep-for-xml.ts";
import { FONT_DIRECTORY } from "../src/render/fonts.ts";
import { picture } from "../src/render/images.ts";
import type { CalendarDate, PolicyDocument } from "../src/types.ts";
import { orgYaml, policyMd, REPO, runCli, workspace } from "./helpers.ts";

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

// A 60×20 JPEG (made with pdftoppm).
const JPEG = readFileSync(join(import.meta.dirname, "fixtures", "docx", "logo-60x20.jpg"));
const SVG_LOGO = readFileSync(join(REPO, "orgs", "logos", "afon-homecare.svg"));

/** The parts of a .docx, as text. */
function unzip(data: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(data)).map(([path, bytes]) => [path, strFromU8(bytes)]));
}

/** The package path of the image the first drawing of `part` shows, found through the part's relationships. */
function embeddedImage(parts: Record<string, string>, part: string): string | undefined {
  const id = /<a:blip r:embed="([^"]+)"/.exec(parts[part] ?? "")?.[1];
  const rels = parts[part.replace(/([^/]+)$/, "_rels/$1.rels")] ?? "";
  const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1];
  return target && `word/${target}`;
}

/** The size a part's first drawing is shown at, in pixels at 96 to the inch (9525 EMU each). */
function extent(xml: string): { width: number; height: number } {
  const [, cx, cy] = /<wp:extent cx="(\d+)" cy="(\d+)"\/>/.exec(xml) ?? [];
  return { width: Number(cx) / 9525, height: Number(cy) / 9525 };
}

/** A PNG's pixel size, from its header. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  expect(Buffer.from(png.subarray(1, 4)).toString("latin1")).toBe("PNG");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const dataUri = (type: string, bytes: Uint8Array | string) =>
  `data:${type};base64,${Buffer.from(bytes).toString("base64")}`;

// What XML 1.0 allows (its production 2), written out here rather than taken from the renderer.
const XML_CHAR = (c: number) =>
  c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;

/**
 * Fails unless the bytes are a well-formed XML part: UTF-8 that decodes without a replacement,
 * only characters XML allows (raw or as references), and a document a parser reads without an
 * error. xmldom does not check characters itself, hence the first two checks.
 */
function expectWellFormed(path: string, bytes: Uint8Array): void {
  const xml = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  for (const char of xml)
    expect(XML_CHAR(char.codePointAt(0) as number), `${path}: U+${char.codePointAt(0)?.toString(16)}`).toBe(true);
  for (const [, dec, hex] of xml.matchAll(/&#(?:(\d+)|x([0-9a-fA-F]+));/g))
    expect(XML_CHAR(dec ? Number(dec) : Number.parseInt(hex as string, 16)), `${path}: reference`).toBe(true);
  const fail = (message: string) => {
    throw new Error(`${path}: ${message}`);
  };
  new DOMParser({ errorHandler: { warning: () => {}, error: fail, fatalError: fail } }).parseFromString(
    xml,
    "application/xml",
  );
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
  [...xml.matchAll(/<w:p[ >].*?<\/w:p>/gs)].map((p) =>
    decode([...p[0].matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join("")),
  );

/** The XML of the first paragraph whose text contains `text`. */
const paragraphWith = (xml: string, text: string) =>
  [...xml.matchAll(/<w:p[ >].*?<\/w:p>/gs)].map((p) => p[0]).find((p) => paragraphs(p)[0]?.includes(text)) ?? "";

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
    expect(styles).toMatch(/<w:docDefaults>.*w:ascii="IBM Plex Sans"/);
    expect(styles).not.toContain("Arial");
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

  it("has the PDF's header: logo, organisation, and the registration number on the right; code, review date and Page X of Y in the footer", () => {
    const header = parts["word/header1.xml"] as string;
    expect(paragraphs(header)).toEqual([`  ${HOSTILE}Registration Number: SIN-00000001-TEST`]);
    // In that order, the registration number after a tab to a right tab stop at the text's edge.
    expect(header).toMatch(
      /<w:drawing>.*A &amp; B &lt;Care&gt; Ltd.*<w:tab\/>.*Registration Number: SIN-00000001-TEST/,
    );
    expect(header).toContain('<w:tab w:val="right" w:pos="9865"/>');
    const media = embeddedImage(parts, "word/header1.xml");
    expect(media).toMatch(/^word\/media\/.*\.png$/);
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
    expect(paragraphs(parts["word/header1.xml"] as string).join("")).toContain(` ${HOSTILE}Registration`);
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

  it("comes out the same with docx's own prepForXml methods as with the loops put in their place", async () => {
    useDocxPrepForXml();
    try {
      const theirs = await renderDocx(doc);
      expect(Buffer.from(theirs.data).equals(Buffer.from(data))).toBe(true);
    } finally {
      // The loops stand aside for another docx's methods: then this fails, to say they no longer apply.
      expect(useFasterPrepForXml()).toEqual({ element: true, attributes: true });
    }
  });

  it("takes the package's files from docx's compiler, the files Packer.pack zips, without zipping them", async () => {
    // If a docx upgrade moves the compiler, packageFiles still works (by unzipping), but deflates twice.
    expect(typeof (Packer as unknown as { compiler?: { compile?: unknown } }).compiler?.compile).toBe("function");
    const document = new Document({
      sections: [
        {
          children: [
            new WordParagraph({
              children: [new ExternalHyperlink({ link: "https://example.org", children: [new TextRun("a link")] })],
            }),
          ],
        },
      ],
    });
    // docProps/core.xml carries the time it was made: the seconds can differ between two calls.
    const undated = (files: Record<string, Uint8Array>) =>
      Object.entries(files).map(([path, bytes]) => [path, strFromU8(bytes).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "")]);
    const given = await packageFiles(document);
    expect(undated(given)).toEqual(undated(unzipSync(await Packer.pack(document, "uint8array"))));
    expect(Object.keys(given)).toContain("word/document.xml");
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

  it("links only to web, mail and phone addresses and relative files; any other link is its text, with a warning", async () => {
    const safe = ["https://example.org/a", "mailto:office@test.example", "tel:+442920000000", "DCW13-x.docx"];
    const unsafe = [
      "javascript:alert(1)",
      " JaVaScRiPt:alert(1)",
      "java\tscript:x",
      "data:text/html,<b>",
      "file:///etc/passwd",
      "\\\\host\\share\\x.docx",
      "//host/share",
      "/etc/passwd",
      "C:\\x.docx",
    ];
    const tree = {
      type: "root",
      children: [...safe, ...unsafe].map((url, i) => ({
        type: "paragraph",
        position: at(i + 1, 1),
        children: [{ type: "link", url, position: at(i + 1, 3), children: [{ type: "text", value: `link ${i}` }] }],
      })),
    } as Root;
    const { data, warnings } = await renderDocx(withTree(tree));
    const parts = unzip(data);
    const targets = [
      ...(parts["word/_rels/document.xml.rels"] as string).matchAll(/Target="([^"]+)" TargetMode="External"/g),
    ];
    expect(targets.map((m) => decode(m[1] as string))).toEqual(safe);
    expect(warnings).toEqual(
      unsafe.map((url, i) => ({
        line: safe.length + i + 1,
        column: 3,
        message: expect.stringContaining(`the link to "${url}" is written as plain text`),
      })),
    );
    // The text stays.
    expect(paragraphs(parts["word/document.xml"] as string)).toEqual(
      expect.arrayContaining([`link ${safe.length}`, `link ${safe.length + unsafe.length - 1}`]),
    );
  });

  it("draws an SVG image in a policy as a PNG at print resolution, at its own size", async () => {
    const tree = {
      type: "root",
      children: [
        { type: "paragraph", children: [{ type: "image", url: dataUri("image/svg+xml", SVG_LOGO), alt: "Logo" }] },
      ],
    } as Root;
    const { data, warnings } = await renderDocx(withTree(tree));
    expect(warnings).toEqual([]);
    const parts = unzip(data);
    const xml = parts["word/document.xml"] as string;
    expect(xml).toContain('descr="Logo"');
    // 240 × 80 pixels at 96 to the inch is 2.5 × 0.83 inches: 750 × 250 pixels at 300 dpi.
    expect(extent(xml)).toEqual({ width: 240, height: 80 });
    expect(pngSize(unzipSync(data)[embeddedImage(parts, "word/document.xml") as string] as Uint8Array)).toEqual({
      width: 750,
      height: 250,
    });
  });

  it("leaves out an unreadable SVG, a GIF and an unknown node with a warning at the node, or its parent's line", async () => {
    const tree = {
      type: "root",
      children: [
        {
          type: "paragraph",
          position: at(3, 1),
          children: [{ type: "image", url: dataUri("image/svg+xml", "<svg"), alt: "Org logo" }],
        },
        {
          type: "paragraph",
          position: at(4, 1),
          children: [{ type: "image", url: dataUri("image/gif", "GIF89a"), alt: "Anim" }],
        },
        { type: "math", value: "x^2", position: at(5, 1) },
        { type: "paragraph", position: at(7, 1), children: [{ type: "html", value: "<b>", position: at(7, 4) }] },
      ],
    } as Root;
    const { warnings } = await renderDocx(withTree(tree));
    expect(warnings).toEqual([
      {
        line: 3,
        column: 1,
        message: expect.stringMatching(/^the image "Org logo" is left out: the SVG cannot be drawn/),
      },
      {
        line: 4,
        column: 1,
        message: 'the image "Anim" is left out: Word shows PNG, JPEG and SVG images, not image/gif',
      },
      { line: 5, column: 1, message: expect.stringContaining('"math"') },
      { line: 7, column: 4, message: expect.stringContaining("raw HTML") },
    ]);
  });
});

describe("the logo in the Word header", () => {
  let base: PolicyDocument;
  beforeAll(async () => {
    const dir = await workspace(
      {
        "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, "\nText.\n"),
        "orgs/test-care.yaml": orgYaml({ logo: "logos/logo.svg" }),
        "orgs/logos/logo.svg": SVG_LOGO.toString(),
      },
      { examples: false },
    );
    [base] = (await documents(dir)) as [PolicyDocument];
  });
  const withLogo = (mediaType: string, bytes: Uint8Array | string): PolicyDocument => ({
    ...base,
    org: { ...base.org, logo: { mediaType, dataUri: dataUri(mediaType, bytes) } },
  });
  /** The header's XML, its logo's bytes and the warnings. */
  async function header(doc: PolicyDocument) {
    const { data, warnings } = await renderDocx(doc);
    const parts = unzip(data);
    const media = embeddedImage(parts, "word/header1.xml");
    return { xml: parts["word/header1.xml"] as string, image: media && unzipSync(data)[media], media, warnings };
  }

  it("draws an SVG logo as a PNG at 300 dpi, filling the PDF header's 132 × 34 px box", async () => {
    const { xml, image, media, warnings } = await header(base);
    expect(warnings).toEqual([]);
    expect(media).toMatch(/\.png$/);
    // The 3:1 logo fills the box's height: 102 × 34 pixels at 96 to the inch.
    const shown = extent(xml);
    expect(shown).toEqual({ width: 102, height: 34 });
    const png = pngSize(image as Uint8Array);
    expect(png).toEqual({ width: Math.round((102 * 300) / 96), height: Math.round((34 * 300) / 96) });
    expect(xml).toContain('descr="Test Care Ltd logo"');
  });

  it("embeds a PNG or JPEG logo as it is, scaled to the same box", async () => {
    for (const [type, bytes, extension] of [
      ["image/png", PNG, "png"],
      ["image/jpeg", JPEG, "jpe?g"],
    ] as const) {
      const { xml, image, media, warnings } = await header(withLogo(type, bytes));
      expect(warnings).toEqual([]);
      expect(media).toMatch(new RegExp(`\\.${extension}$`));
      expect(Buffer.from(image as Uint8Array).equals(bytes)).toBe(true);
      // 12 × 4 and 60 × 20 pixels, both 3:1, grow to the box's height.
      expect(extent(xml)).toEqual({ width: 102, height: 34 });
    }
  });

  it("draws a logo far larger than it is shown again at 300 dpi, so each Word file carries less", async () => {
    // A 4000 × 1000 PNG with detail that does not compress away.
    const stripes = Array.from(
      { length: 400 },
      (_, i) =>
        `<rect x="${i * 10}" width="5" height="${300 + ((i * 37) % 700)}" fill="#${((i * 2654435761) % 0xffffff).toString(16).padStart(6, "0")}"/>`,
    ).join("");
    const big = new Resvg(`<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="1000">${stripes}</svg>`)
      .render()
      .asPng();
    expect(pngSize(big)).toEqual({ width: 4000, height: 1000 });
    const { xml, image, warnings } = await header(withLogo("image/png", big));
    expect(warnings).toEqual([]);
    // Shown 132 × 33 pixels at 96 to the inch: 413 × 103 at 300 dpi.
    expect(extent(xml)).toEqual({ width: 132, height: 33 });
    expect(pngSize(image as Uint8Array)).toEqual({ width: 413, height: 103 });
    expect((image as Uint8Array).length).toBeLessThan(big.length / 4);
  });

  it("sets text in an SVG in the house font, whatever the machine has", () => {
    const svg = (text: string) =>
      dataUri("image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">${text}</svg>`);
    const draw = (url: string) => {
      const drawn = picture(url, 132, 34, true);
      if (typeof drawn === "string") throw new Error(drawn);
      return Buffer.from(drawn.image.data);
    };
    // resvg leaves out text it has no font for: with no font the two drawings would be the same.
    const withText = draw(svg('<text x="4" y="30" font-family="Arial, sans-serif" font-size="24">Afon</text>'));
    expect(withText.equals(draw(svg("")))).toBe(false);
  });

  it("turns SVG bombs into a warning, quickly: an entity loop, 5,000 nested groups, an absurd size", () => {
    const entities = Array.from({ length: 7 }, (_, i) => `<!ENTITY e${i + 1} "${`&e${i};`.repeat(10)}">`).join("");
    const bombs = [
      `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY e0 "lol">${entities}]><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text>&e7;</text></svg>`,
      `<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">${"<g>".repeat(5000)}<rect width="5" height="5"/>${"</g>".repeat(5000)}</svg>`,
      `<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="1"><rect width="5" height="1"/></svg>`,
    ];
    const start = performance.now();
    for (const svg of bombs)
      expect(picture(dataUri("image/svg+xml", svg), 132, 34, true)).toMatch(/^the SVG cannot be drawn/);
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it("never reads a file an SVG logo points to", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policypack-svg-"));
    await writeFile(join(dir, "secret.png"), PNG);
    const svg = (href: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="40"><image ${href} width="120" height="40"/></svg>`;
    const logo = async (href: string) => (await header(withLogo("image/svg+xml", svg(href)))).image as Uint8Array;
    const blank = Buffer.from(await logo(""));
    for (const href of [`href="${join(dir, "secret.png")}"`, `xlink:href='file://${join(dir, "secret.png")}'`])
      expect(Buffer.from(await logo(href)).equals(blank)).toBe(true);
    // An image inside the SVG itself is drawn.
    expect(Buffer.from(await logo(`href="${dataUri("image/png", PNG)}"`)).equals(blank)).toBe(false);
  });

  it("warns at the organisation's logo line when Word cannot show the logo, and keeps the name and number", async () => {
    for (const [type, bytes] of [
      ["image/svg+xml", "<svg"],
      ["image/gif", "GIF89a"],
      ["image/png", "not a png"],
    ] as const) {
      const { xml, media, warnings } = await header(withLogo(type, bytes));
      expect(media).toBeUndefined();
      expect(warnings).toEqual([
        { file: base.org.file, line: 13, column: 7, message: expect.stringMatching(/^the logo is left out: /) },
      ]);
      expect(paragraphs(xml)).toEqual(["Test Care LtdRegistration Number: SIN-00000001-TEST"]);
    }
  });
});

describe("a logo Word cannot show, in a build", () => {
  it("is a docx-unsupported warning at the organisation's logo line; the Word file is still written", async () => {
    const dir = await workspace(
      {
        "policies/TST1-test.md": policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, "\nText.\n"),
        "orgs/test-care.yaml": orgYaml({ logo: "logos/broken.svg" }),
        // An SVG by its first bytes, which the check accepts, but not one resvg can read.
        "orgs/logos/broken.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10"',
      },
      { examples: false },
    );
    const run = await runCli(["build", "--format", "docx", "--as-of", "2026-11-24"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).toMatch(
      /orgs\/test-care\.yaml:13:7: warning docx-unsupported: TST1-test\.docx: the logo is left out: the SVG cannot be drawn/,
    );
    const parts = unzip(readFileSync(join(dir, "output", "test-care", "TST1-test.docx")));
    expect(paragraphs(parts["word/header1.xml"] as string)).toEqual([
      "Test Care LtdRegistration Number: SIN-00000001-TEST",
    ]);
  });
});

describe("a hostile organisation's Word files, built by the command", () => {
  // Values that are markup in XML, HTML or Markdown, or that a Word field or a careless escaper
  // would take for something else; all of them pass the checks.
  const PAYLOADS = {
    name: `A & B <Care> ]]></w:t></w:r><w:r><w:t>Ltd`,
    registration_no: `"><w:fldSimple w:instr="INCLUDETEXT c:\\x"/>`,
    registered_manager_first_name: "&amp;&#0;&lt;",
    registered_manager_last_name: "{ PAGE } 😀 \u2028 \u00a0 \u202e",
    responsible_individual_name: "[x](javascript:alert(1)) **bold** DCW31",
    local_authority: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;`,
  };

  it("writes every value as typed, in parts that all parse, with no link but the policy's own", async () => {
    const yaml = orgYaml({
      ...Object.fromEntries(Object.entries(PAYLOADS).map(([key, value]) => [key, JSON.stringify(value)])),
      // Two policies that between them print every one of these fields.
      policies: "[DCW13, DCW34]",
    });
    const dir = await workspace({ "orgs/hostile.yaml": yaml });
    const args = ["build", "--format", "docx", "--org", "hostile", "--as-of", "2026-11-24"];
    const run = await runCli([...args, "--references-outside-pack", "warning"], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const names = (await readdir(join(dir, "output", "hostile"))).filter((name) => name.endsWith(".docx"));
    expect(names).toHaveLength(2);
    const texts: string[] = [];
    for (const name of names) {
      const data = readFileSync(join(dir, "output", "hostile", name));
      const files = unzipSync(data);
      for (const path of Object.keys(files).filter((path) => /\.(xml|rels)$/.test(path)))
        expectWellFormed(`${name}/${path}`, files[path] as Uint8Array);
      const parts = unzip(data);
      expect(paragraphs(parts["word/header1.xml"] as string)).toEqual([
        `${PAYLOADS.name}Registration Number: ${PAYLOADS.registration_no}`,
      ]);
      texts.push(paragraphs(parts["word/document.xml"] as string).join("\n"));
      expect(parts["word/document.xml"]).not.toContain("<w:fldSimple");
      const links = [
        ...(parts["word/_rels/document.xml.rels"] as string).matchAll(/Target="([^"]+)" TargetMode="External"/g),
      ];
      for (const [, target] of links) expect(target).toMatch(/^(https?:|mailto:|DCW\d+-[a-z-]+\.docx$)/);
    }
    // Each value is printed by some policy of the pack.
    for (const value of Object.values(PAYLOADS))
      expect(
        texts.some((text) => text.includes(value)),
        value,
      ).toBe(true);
  }, 120_000);
});

describe("the house font in Word files", () => {
  it("embeds IBM Plex Sans, regular and bold, and italic only when the text has italics", async () => {
    const dir = await workspace(
      {
        "policies/TST1-test.md": policyMd(
          { code: "TST1", title: "Test Policy", version: '"1.0"' },
          "\nPlain **bold**.\n",
        ),
        "policies/TST2-test.md": policyMd(
          { code: "TST2", title: "Other Policy", version: '"1.0"' },
          "\nSome *italic*.\n",
        ),
        "orgs/test-care.yaml": orgYaml(),
      },
      { examples: false },
    );
    const [plain, italic] = (await documents(dir)) as [PolicyDocument, PolicyDocument];
    const ttf = (file: string) => readFileSync(join(FONT_DIRECTORY, file));
    const faces = {
      embedRegular: ttf("400Regular/IBMPlexSans_400Regular.ttf"),
      embedBold: ttf("700Bold/IBMPlexSans_700Bold.ttf"),
      embedItalic: ttf("400Regular_Italic/IBMPlexSans_400Regular_Italic.ttf"),
    };
    for (const [doc, expected] of [
      [plain, ["embedRegular", "embedBold"]],
      [italic, ["embedRegular", "embedBold", "embedItalic"]],
    ] as const) {
      const { data } = await renderDocx(doc);
      const parts = unzip(data);
      const table = parts["word/fontTable.xml"] as string;
      expect([...table.matchAll(/<w:font w:name="([^"]+)">/g)].map((m) => m[1])).toEqual(["IBM Plex Sans"]);
      expect(parts["word/settings.xml"]).toContain("<w:embedTrueTypeFonts/>");
      const embeds = [...table.matchAll(/<w:(embed\w+) r:id="([^"]+)" w:fontKey="\{([0-9A-F-]{36})\}"\/>/g)];
      expect(embeds.map((m) => m[1])).toEqual(expected);
      for (const [, face] of embeds) {
        // A TrueType font cut down from the house font, with every letter of English and Welsh.
        const original = faces[face as keyof typeof faces];
        const font = embeddedFont(data, face as string);
        expect(font.readUInt32BE(0)).toBe(0x00010000);
        expect(font.length).toBeLessThan(original.length / 2);
        const points = codePoints(font);
        for (const char of "AZaz09ÂÊÎÔÛŴŶâêîôûŵŷáéíóúẁýäëïöüẅÿàèìòùẃỳ‘’“”–—…€£©")
          expect(points.has(char.codePointAt(0) as number), `${face} "${char}"`).toBe(true);
        const all = codePoints(original);
        expect([...points].filter((point) => !all.has(point))).toEqual([]);
      }
    }
  });
});

describe("characters XML forbids, in any value", () => {
  it("never reach a part: every part parses, and A & B <Care> still prints as typed", async () => {
    const dir = await workspace(
      {
        "policies/TST1-test.md": policyMd(
          { code: "TST1", title: "Test Policy", version: '"1.0"' },
          "\nText.[^1]\n\n[^1]: Note.\n",
        ),
        "orgs/test-care.yaml": orgYaml(),
      },
      { examples: false },
    );
    const [checked] = (await documents(dir)) as [PolicyDocument];
    // What the check stage would reject, given to the renderer directly.
    // Two lone surrogates: a low one first, a high one last.
    const bad = "\udc00\u0000\u0001\u000b\u001f\ufffe\uffff\ud800";
    const doc: PolicyDocument = {
      ...checked,
      org: {
        ...checked.org,
        data: {
          ...checked.org.data,
          name: `A & B <Care>${bad} Ltd`,
          registration_no: `SIN${bad}-1`,
          responsible_individual_name: `Bryn${bad}`,
          registered_manager_first_name: `\udc00Ann`,
        },
      },
      policy: { ...checked.policy, title: `Test${bad} Policy`, code: "TST1", version: `1.0${bad}` },
      tree: {
        type: "root",
        children: [
          { type: "heading", depth: 2, children: [{ type: "text", value: `Head${bad}ing` }] },
          {
            type: "paragraph",
            children: [
              { type: "text", value: `Body${bad} <Care> & text ` },
              { type: "link", url: `https://example.org/${bad}`, children: [{ type: "text", value: `li${bad}nk` }] },
              { type: "footnoteReference", identifier: "1", label: "1" },
            ],
          },
          { type: "code", value: `co${bad}de` },
          {
            type: "footnoteDefinition",
            identifier: "1",
            label: "1",
            children: [{ type: "paragraph", children: [{ type: "text", value: `No${bad}te` }] }],
          },
        ],
      } as Root,
    };
    const { data } = await renderDocx(doc);
    const files = unzipSync(data);
    const xmlParts = Object.keys(files).filter((path) => /\.(xml|rels)$/.test(path));
    expect(xmlParts).toEqual(
      expect.arrayContaining([
        "word/document.xml",
        "word/header1.xml",
        "word/footer1.xml",
        "word/footnotes.xml",
        "docProps/core.xml",
      ]),
    );
    for (const path of xmlParts) expectWellFormed(path, files[path] as Uint8Array);
    const parts = unzip(data);
    expect(paragraphs(parts["word/header1.xml"] as string)).toEqual(["A & B <Care> LtdRegistration Number: SIN-1"]);
    const text = paragraphs(parts["word/document.xml"] as string);
    expect(text).toEqual(
      expect.arrayContaining(["A & B <Care> Ltd", "Test Policy", "Heading", "Body <Care> & text link", "code"]),
    );
    expect(paragraphs(parts["word/footer1.xml"] as string)[0]).toContain("TST1 · version 1.0 · next review");
    expect(paragraphs(parts["word/footnotes.xml"] as string)).toContain("Note");
    const core = parts["docProps/core.xml"] as string;
    expect(decode(/<dc:creator>([^<]*)</.exec(core)?.[1] ?? "")).toBe("A & B <Care> Ltd");
    expect(core).toContain("<dc:title>Test Policy</dc:title>");
  });
});

/** The characters a Word part sets in the house font: its text but in code, which has a font of its own. */
function houseFontText(xml: string): string {
  const prose = xml.replace(/<w:p>(?:(?!<\/w:p>).)*?<w:pStyle w:val="SourceCode"\/>.*?<\/w:p>/gs, "");
  const runs = [...prose.matchAll(/<w:r>(.*?)<\/w:r>/gs)].map((m) => m[1] as string);
  return runs
    .filter((run) => !/<w:rFonts |<w:rStyle w:val="VerbatimChar"\/>/.test(run))
    .flatMap((run) => [...run.matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => decode(t[1] as string)))
    .join("");
}

/** The code points a TrueType font maps to glyphs (its Unicode cmap subtables, formats 4 and 12). */
function codePoints(font: Buffer): Set<number> {
  const table = (tag: string) => {
    for (let i = 0; i < font.readUInt16BE(4); i++)
      if (font.toString("latin1", 12 + 16 * i, 16 + 16 * i) === tag) return font.readUInt32BE(20 + 16 * i);
    throw new Error(`no ${tag} table`);
  };
  const cmap = table("cmap");
  const found = new Set<number>();
  for (let i = 0; i < font.readUInt16BE(cmap + 2); i++) {
    const at = cmap + font.readUInt32BE(cmap + 8 + 8 * i);
    const format = font.readUInt16BE(at);
    if (format === 4) {
      const segments = font.readUInt16BE(at + 6) / 2;
      for (let s = 0; s < segments; s++) {
        const end = font.readUInt16BE(at + 14 + 2 * s);
        for (let c = font.readUInt16BE(at + 16 + 2 * segments + 2 * s); c <= end && c !== 0xffff; c++) found.add(c);
      }
    } else if (format === 12) {
      for (let g = 0; g < font.readUInt32BE(at + 12); g++)
        for (let c = font.readUInt32BE(at + 16 + 12 * g); c <= font.readUInt32BE(at + 20 + 12 * g); c++) found.add(c);
    }
  }
  return found;
}

/** A face of the font embedded in a Word file, de-obfuscated (ECMA-376: the first 32 bytes XORed with the key, last byte first). */
function embeddedFont(docx: Uint8Array, face: string): Buffer {
  const parts = unzip(docx);
  const [, id, key] =
    new RegExp(`<w:${face} r:id="([^"]+)" w:fontKey="\\{([0-9A-F-]{36})\\}"/>`).exec(
      parts["word/fontTable.xml"] as string,
    ) ?? [];
  const target = new RegExp(`Id="${id}"[^>]*Target="(fonts/font\\d+\\.odttf)"`).exec(
    parts["word/_rels/fontTable.xml.rels"] as string,
  )?.[1];
  const odttf = unzipSync(docx)[`word/${target}`] as Uint8Array;
  const keyBytes = (key?.replace(/-/g, "").match(/../g) ?? []).map((hex) => Number.parseInt(hex, 16)).reverse();
  return Buffer.from(odttf.map((byte, i) => (i < 32 ? byte ^ (keyBytes[i % 16] as number) : byte)));
}

describe("the example library", () => {
  it("renders every policy of both packs without warnings, with real cross-reference links", async () => {
    const check = await loadAndCheck({
      policiesDir: join(REPO, "policies"),
      orgsDir: join(REPO, "orgs"),
      buildDate: BUILD_DATE,
      referencesOutsidePack: "warning",
    });
    let count = 0;
    let withLogo = 0;
    for (const org of check.buildable) {
      const pack = packPolicies(org, check.library);
      const context = packContext(pack, check.library);
      for (const policy of pack) {
        const { data, warnings } = await renderDocx(policyDocument(org, policy, BUILD_DATE, context));
        expect(warnings).toEqual([]);
        const parts = unzip(data);
        const PLEX = codePoints(embeddedFont(data, "embedRegular"));
        const header = parts["word/header1.xml"] as string;
        expect(paragraphs(header)[0]).toContain(`Registration Number: ${org.data.registration_no}`);
        // Every character set in the house font is one the embedded font has: none falls back.
        for (const part of ["word/document.xml", "word/header1.xml", "word/footer1.xml", "word/footnotes.xml"])
          for (const char of houseFontText(parts[part] as string))
            expect(PLEX.has(char.codePointAt(0) as number), `${policy.code} ${part}: "${char}"`).toBe(true);
        // A bullet is either in the house font or set in Arial, which has them all.
        const bullets = [
          ...(parts["word/numbering.xml"] as string).matchAll(
            /<w:lvlText w:val="([^"%]+)"\/>(?:(?!<\/w:lvl>).)*?<w:rFonts w:ascii="([^"]+)"/g,
          ),
        ];
        expect(bullets.length).toBeGreaterThan(0);
        for (const [, text, font] of bullets)
          expect(PLEX.has((text as string).codePointAt(0) as number) || font === "Arial", `bullet ${text}`).toBe(true);
        expect(parts["word/fontTable.xml"]).toMatch(/<w:font w:name="IBM Plex Sans">.*<w:embedRegular /);
        // Afon Homecare's logo is an SVG, drawn at 300 dpi; Gofal Tŷ'r Ysgol's a PNG, embedded as it is.
        expect(header).toContain("<w:drawing>");
        const media = unzipSync(data)[embeddedImage(parts, "word/header1.xml") as string] as Uint8Array;
        if (org.logo?.mediaType === "image/svg+xml") expect(pngSize(media)).toEqual({ width: 319, height: 106 });
        else expect(Buffer.from(media).equals(readFileSync(join(REPO, "orgs", String(org.data.logo))))).toBe(true);
        withLogo++;
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
    expect(withLogo).toBe(12);
  }, 120_000);
});
