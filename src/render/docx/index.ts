import {
  AlignmentType,
  BorderStyle,
  CharacterSet,
  Document,
  Footer,
  Header,
  HeadingLevel,
  HeightRule,
  ImageRun,
  PageNumber,
  Paragraph,
  type ParagraphChild,
  ShadingType,
  Tab,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  WidthType,
} from "docx";
import { positionOf } from "../../load/yaml.ts";
import type { PolicyDocument } from "../../types.ts";
import { picture } from "../images.ts";
import {
  copyrightLine,
  documentControl,
  footerLine,
  isDraft,
  labelsOf,
  orgName,
  READ_AND_SIGN_ROWS,
  readAndSign,
  signSheetAfter,
  versionHistory,
} from "../layout.ts";
import { blocks, CELL_MARGINS, createState, type DocxWarning, type State, TOP, tableBorders, warn } from "./compile.ts";
import { embeddedFonts, prepareFaces } from "./fonts.ts";
import { deterministicPackage, packageFiles } from "./package.ts";
import { useFasterPrepForXml } from "./prep-for-xml.ts";
import { PAGE, STYLE, TEXT_WIDTH, wordColours, wordStyles } from "./styles.ts";
import { xmlSafeDocument } from "./text.ts";

export type { DocxWarning } from "./compile.ts";

useFasterPrepForXml();

/**
 * One policy as an editable Word document: Word's own Title and Heading styles, numbering and
 * fields, with the same text around the policy as the HTML page. The same document gives the same
 * bytes. Warnings are at mdast positions in `doc.tree`, for what Word cannot show.
 */
export async function renderDocx(given: PolicyDocument): Promise<{ data: Uint8Array; warnings: DocxWarning[] }> {
  // Every string a part shows comes from here, so no part can carry a character XML forbids.
  const doc = xmlSafeDocument(given);
  const { policy } = doc;
  const l = labelsOf(doc);
  const state = createState(doc.tree, doc.theme);
  const body = blocks(state, doc.tree.children, TOP);
  const notes = footnotes(state);
  const headerPart = header(doc, state);
  const document = new Document({
    title: policy.title,
    subject: `${policy.code} ${policy.title}`,
    creator: orgName(doc),
    keywords: policy.code,
    description: l.policySubject(policy.code, policy.title, policy.version),
    lastModifiedBy: "policypack",
    revision: 1,
    styles: wordStyles(doc.theme, l.wordLanguage),
    numbering: { config: [...state.lists.values()].map((list) => list.definition) },
    footnotes: notes,
    // The faces the text used are known once the body and footnotes are compiled.
    fonts: embeddedFonts(state.faces, doc.theme.font).map((font) => ({ ...font, characterSet: CharacterSet.ANSI })),
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: {
              top: PAGE.margin,
              bottom: PAGE.margin,
              left: PAGE.margin,
              right: PAGE.margin,
              header: PAGE.headerFooter,
              footer: PAGE.headerFooter,
            },
          },
        },
        headers: { default: headerPart },
        footers: { default: footer(doc) },
        children: [
          ...frontMatter(doc),
          ...body,
          new Paragraph({ style: STYLE.small, spacing: { before: 480 }, text: copyrightLine(doc) }),
          ...(signSheetAfter(doc) ? readAndSignSheet(doc) : []),
        ],
      },
    ],
  });
  const files = await packageFiles(document);
  // Dated the day the policy was last reviewed: this version's date, and the same on every build.
  await prepareFaces(doc.theme.font);
  return { data: deterministicPackage(files, doc.review.lastReviewed), warnings: state.warnings };
}

/** The organisation, the policy's code and title, and the document-control table. */
function frontMatter(doc: PolicyDocument): (Paragraph | Table)[] {
  const colour = wordColours(doc.theme);
  const { org, policy } = doc;
  const muted = { color: colour.muted };
  const label = (text: string) =>
    new TableCell({
      width: { size: CONTROL_WIDTHS[0], type: WidthType.DXA },
      margins: CELL_MARGINS,
      shading: { type: ShadingType.CLEAR, fill: colour.tint, color: "auto" },
      children: [new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text, bold: true })] })],
    });
  const value = (text: string, emphasis: boolean) =>
    new TableCell({
      width: { size: CONTROL_WIDTHS[1], type: WidthType.DXA },
      margins: CELL_MARGINS,
      children: [
        new Paragraph({
          spacing: { after: 0 },
          children: [new TextRun({ text, ...(emphasis ? { bold: true, color: "8A1C1C" } : {}) })],
        }),
      ],
    });
  const l = labelsOf(doc);
  // A draft must not pass for an approved policy, as in the HTML page.
  const draft = (name: string) => name === l.status && policy.status === "draft";
  return [
    new Paragraph({
      spacing: { after: 0 },
      children: [new TextRun({ text: orgName(doc), bold: true, size: 28, color: colour.accent })],
    }),
    new Paragraph({
      spacing: { after: 360 },
      children: [new TextRun({ text: `${l.registrationNumber}: ${org.data.registration_no}`, ...muted, size: 20 })],
    }),
    new Paragraph({
      spacing: { after: 0 },
      keepNext: true,
      children: [
        new TextRun({
          text: [policy.code, policy.category].filter(Boolean).join(" · "),
          ...muted,
          bold: true,
          allCaps: true,
          size: 18,
          characterSpacing: 10,
        }),
      ],
    }),
    new Paragraph({ heading: HeadingLevel.TITLE, text: policy.title }),
    new Paragraph({
      keepNext: true,
      spacing: { after: 80 },
      children: [new TextRun({ text: l.documentControl, bold: true, ...muted, size: 20 })],
    }),
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: [...CONTROL_WIDTHS],
      layout: TableLayoutType.FIXED,
      borders: tableBorders(colour.rule),
      rows: documentControl(doc).map(
        ([name, text]) => new TableRow({ cantSplit: true, children: [label(name), value(text, draft(name))] }),
      ),
    }),
    new Paragraph({ spacing: { after: 120 }, children: [] }),
    ...historyTable(doc),
  ];
}

const HISTORY_WIDTHS = [0.12, 0.2, 0.43, 0.25].map((share) => Math.round(TEXT_WIDTH * share));

/** The version history, newest first, under the document control table (as on the web page). */
function historyTable(doc: PolicyDocument): (Paragraph | Table)[] {
  const colour = wordColours(doc.theme);
  const rows = versionHistory(doc);
  if (rows.length === 0) return [];
  const l = labelsOf(doc);
  const cell = (text: string, i: number, header: boolean) =>
    new TableCell({
      width: { size: HISTORY_WIDTHS[i] as number, type: WidthType.DXA },
      margins: CELL_MARGINS,
      ...(header || i === 0 ? { shading: { type: ShadingType.CLEAR, fill: colour.tint, color: "auto" } } : {}),
      children: [
        new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text, bold: header || i === 0, size: 20 })] }),
      ],
    });
  return [
    new Paragraph({
      keepNext: true,
      spacing: { after: 80 },
      children: [new TextRun({ text: l.versionHistory, bold: true, color: colour.muted, size: 20 })],
    }),
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: HISTORY_WIDTHS,
      layout: TableLayoutType.FIXED,
      borders: tableBorders(colour.rule),
      rows: [
        new TableRow({
          tableHeader: true,
          cantSplit: true,
          children: l.versionHistoryColumns.map((text, i) => cell(text, i, true)),
        }),
        ...rows.map((row) => new TableRow({ cantSplit: true, children: row.map((text, i) => cell(text, i, false)) })),
      ],
    }),
    new Paragraph({ spacing: { after: 120 }, children: [] }),
  ];
}

const CONTROL_WIDTHS = [Math.round(TEXT_WIDTH * 0.34), TEXT_WIDTH - Math.round(TEXT_WIDTH * 0.34)] as const;

const SIGNATURE_WIDTHS = [0.32, 0.22, 0.32, 0.14].map((share) => Math.round(TEXT_WIDTH * share));

/** The staff acknowledgement sheet on a page of its own after the policy, as in the PDF. */
function readAndSignSheet(doc: PolicyDocument): (Paragraph | Table)[] {
  const colour = wordColours(doc.theme);
  const sheet = readAndSign(doc);
  const { readAndSignTitle, readAndSignColumns } = labelsOf(doc);
  const cell = (i: number, text = "") =>
    new TableCell({
      width: { size: SIGNATURE_WIDTHS[i] as number, type: WidthType.DXA },
      margins: CELL_MARGINS,
      ...(text ? { shading: { type: ShadingType.CLEAR, fill: colour.tint, color: "auto" } } : {}),
      children: [new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text, bold: true })] })],
    });
  return [
    new Paragraph({ heading: HeadingLevel.HEADING_1, pageBreakBefore: true, text: readAndSignTitle }),
    ...sheet.details.map(
      ([term, value]) =>
        new Paragraph({
          spacing: { after: 60 },
          children: [new TextRun({ text: `${term}: `, bold: true, color: colour.muted }), new TextRun(value)],
        }),
    ),
    ...(sheet.changes ? [new Paragraph({ spacing: { before: 120 }, children: [new TextRun(sheet.changes)] })] : []),
    new Paragraph({ spacing: { before: 120 }, children: [new TextRun({ text: sheet.statement, bold: true })] }),
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: SIGNATURE_WIDTHS,
      layout: TableLayoutType.FIXED,
      borders: tableBorders(colour.rule),
      rows: [
        new TableRow({ tableHeader: true, children: readAndSignColumns.map((text, i) => cell(i, text)) }),
        ...Array.from(
          { length: READ_AND_SIGN_ROWS },
          // 9 mm high, room for a signature.
          () =>
            new TableRow({
              cantSplit: true,
              height: { value: 510, rule: HeightRule.ATLEAST },
              children: readAndSignColumns.map((_, i) => cell(i)),
            }),
        ),
      ],
    }),
  ];
}

/** The PDF's running header: the logo and the organisation on the left, its registration number on the right. */
function header(doc: PolicyDocument, state: State): Header {
  const colour = wordColours(doc.theme);
  const { org } = doc;
  const l = labelsOf(doc);
  const children: ParagraphChild[] = [];
  const logo = org.logo ? picture(org.logo.dataUri, LOGO_BOX.width, LOGO_BOX.height, true) : undefined;
  if (typeof logo === "string") {
    // The warning points at the organisation file's logo line, not at the policy.
    state.warnings.push({
      file: org.file,
      ...positionOf(org.positions, "/logo"),
      message: `the logo is left out: ${logo}`,
    });
  } else if (logo) {
    children.push(
      new ImageRun({
        type: logo.image.type,
        data: logo.image.data,
        transformation: logo.size,
        altText: { id: String(++state.drawings), name: "logo", description: l.logoAlt(orgName(doc)) },
      }),
      new TextRun("  "),
    );
  }
  children.push(
    new TextRun({ text: orgName(doc), bold: true, color: colour.accent, size: 18 }),
    new TextRun({
      children: [new Tab(), `${l.registrationNumber}: ${org.data.registration_no}`],
      color: colour.muted,
      size: 16,
    }),
  );
  return new Header({
    children: [
      // A draft's preview says so at the top of every page, as its PDF does.
      ...(isDraft(doc)
        ? [
            new Paragraph({
              alignment: AlignmentType.CENTER,
              spacing: { after: 60 },
              children: [new TextRun({ text: l.draftMark, bold: true, color: "8A1C1C", size: 22 })],
            }),
          ]
        : []),
      new Paragraph({
        spacing: { after: 0 },
        tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
        border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: colour.rule, space: 4 } },
        children,
      }),
    ],
  });
}

/** The PDF header's logo box, in pixels at 96 to the inch (35 × 9 mm). */
const LOGO_BOX = { width: 132, height: 34 };

/** Code, version, next review date, and "Page X of Y" as fields Word keeps up to date. */
function footer(doc: PolicyDocument): Footer {
  const colour = wordColours(doc.theme);
  const [page, of] = labelsOf(doc).pageOf;
  return new Footer({
    children: [
      new Paragraph({
        style: STYLE.small,
        tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
        border: { top: { style: BorderStyle.SINGLE, size: 4, color: colour.rule, space: 4 } },
        children: [
          new TextRun(footerLine(doc)),
          new TextRun({ children: [new Tab(), page, PageNumber.CURRENT, of, PageNumber.TOTAL_PAGES] }),
        ],
      }),
    ],
  });
}

/** The footnotes referenced in the body (and in footnotes), as Word footnotes. */
function footnotes(state: State): Record<string, { children: Paragraph[] }> {
  const notes: Record<string, { children: Paragraph[] }> = {};
  // A footnote can reference another: the map grows while it is walked, which Map iteration allows.
  for (const [identifier, id] of state.footnoteIds) {
    const definition = state.footnoteDefinitions.get(identifier);
    if (!definition) continue;
    const content = blocks(state, definition.children, { ...TOP, style: "FootnoteText" });
    const paragraphs = content.filter((block): block is Paragraph => block instanceof Paragraph);
    if (paragraphs.length < content.length) warn(state, definition, `a table in footnote [^${identifier}] is left out`);
    notes[id] = { children: paragraphs };
  }
  return notes;
}
