import {
  AlignmentType,
  BorderStyle,
  ExternalHyperlink,
  FootnoteReferenceRun,
  HeadingLevel,
  ImageRun,
  type IRunOptions,
  type NumberingDefinition,
  Paragraph,
  type ParagraphChild,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import type * as Md from "mdast";
import { isPublishableLink } from "../../links.ts";
import type { CrossReferenceLinkData, Theme, ThemeColours } from "../../types.ts";
import { picture } from "../images.ts";
import type { Face } from "./fonts.ts";
import {
  HANGING,
  lines,
  listDefinition,
  listIndent,
  PARAGRAPH_AFTER,
  QUOTE_INDENT,
  STYLE,
  TEXT_WIDTH,
  TEXT_WIDTH_PX,
  wordColours,
} from "./styles.ts";

// mdast → docx, shaped like mdast-util-to-hast: one handler per node type, a small state passed
// to each, blocks giving Word paragraphs and tables, phrasing giving runs. A node no handler knows
// is a warning at its position, never dropped in silence.

export interface DocxWarning {
  /** The file the position is in, when it is not the policy (the organisation's, for its logo). */
  file?: string;
  line: number;
  column: number;
  message: string;
}

type Block = Paragraph | Table;

export interface State {
  warnings: DocxWarning[];
  definitions: Map<string, Md.Definition>;
  footnoteDefinitions: Map<string, Md.FootnoteDefinition>;
  footnotesReferenced: Set<string>;
  /** Word footnote ids, by footnote identifier, in the order the references come. */
  footnoteIds: Map<string, number>;
  /** Word list definitions by reference, and how many lists (instances) each has had. */
  lists: Map<string, { definition: NumberingDefinition; instances: number }>;
  /** Drawing ids: docx's own counter is shared by every document, so output would depend on history. */
  drawings: number;
  /** The position of the nearest node that has one: nodes made by the pipeline (the logo) have none. */
  near: { line: number; column: number };
  /** The theme's colours, as Word writes them. */
  colour: ThemeColours;
  /** The faces of the house font beyond regular and bold that the text uses: only those are embedded. */
  faces: Set<Face>;
}

/** Where a block sits: inside which list level, a quote, and what the next paragraph needs. */
interface BlockContext {
  /** The level of the enclosing list item (0 for a top-level list), -1 outside lists. */
  level: number;
  quote: boolean;
  style?: string;
  /** Numbering for the first paragraph of a list item. */
  numbering?: { reference: string; level: number; instance: number };
  /** Text before the first paragraph's content, such as a task list's box. */
  prefix?: string;
  /** The block is the last of a top-level list: it keeps a paragraph's gap after it. */
  end?: boolean;
  /** The list is loose (blank lines between items): each item keeps a paragraph's gap, as in HTML. */
  loose?: boolean;
}

interface Marks {
  bold?: boolean;
  italics?: boolean;
  /** Bold or italic from the paragraph's style (a heading's), which the run need not repeat. */
  styleBold?: boolean;
  styleItalics?: boolean;
  strike?: boolean;
  code?: boolean;
  link?: boolean;
}

export function createState(tree: Md.Root, theme: Theme): State {
  const state: State = {
    colour: wordColours(theme),
    warnings: [],
    definitions: new Map(),
    footnoteDefinitions: new Map(),
    footnotesReferenced: new Set(),
    footnoteIds: new Map(),
    lists: new Map(),
    drawings: 0,
    near: { line: 1, column: 1 },
    faces: new Set(),
  };
  const collect = (node: Md.Nodes) => {
    if (node.type === "definition") state.definitions.set(node.identifier, node);
    if (node.type === "footnoteDefinition") state.footnoteDefinitions.set(node.identifier, node);
    if (node.type === "footnoteReference") state.footnotesReferenced.add(node.identifier);
    if ("children" in node) for (const child of node.children) collect(child);
  };
  collect(tree);
  return state;
}

export function warn(state: State, node: Md.Nodes, message: string): void {
  const at = node.position?.start ?? state.near;
  state.warnings.push({ line: at.line, column: at.column, message });
}

/** Runs `f` with `node`'s position as the nearest known one. */
function at<T>(state: State, node: Md.Nodes, f: () => T): T {
  const saved = state.near;
  if (node.position) state.near = node.position.start;
  try {
    return f();
  } finally {
    state.near = saved;
  }
}

export const TOP: BlockContext = { level: -1, quote: false };

// ---- blocks ----

type BlockHandler<T> = (state: State, node: T, ctx: BlockContext) => Block[];

const blockHandlers: { [K in Md.Nodes["type"]]?: BlockHandler<Extract<Md.Nodes, { type: K }>> } = {
  paragraph: (state, node, ctx) => paragraph(state, node.children, ctx),
  heading(state, node) {
    const levels = [
      HeadingLevel.HEADING_1,
      HeadingLevel.HEADING_1,
      HeadingLevel.HEADING_2,
      HeadingLevel.HEADING_3,
      HeadingLevel.HEADING_4,
      HeadingLevel.HEADING_5,
    ] as const;
    // Heading 4 (depth 5) is bold italic, Heading 5 (depth 6) italic: see styles.ts.
    const marks = { styleBold: node.depth <= 5, styleItalics: node.depth >= 5 };
    return [new Paragraph({ heading: levels[node.depth - 1], children: inlines(state, node.children, marks) })];
  },
  thematicBreak: (state) => [
    new Paragraph({
      spacing: { before: 120, after: 240 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: state.colour.rule, space: 1 } },
    }),
  ],
  blockquote: (state, node, ctx) => blocks(state, node.children, { ...ctx, quote: true }),
  list(state, node, ctx) {
    const start = node.start ?? 1;
    const reference = node.ordered ? `decimal-from-${start}` : "bullet";
    let list = state.lists.get(reference);
    if (!list) {
      list = { definition: listDefinition(reference, node.ordered === true, start, state.colour.accent), instances: 0 };
      state.lists.set(reference, list);
    }
    // Each list is its own numbering instance, so every numbered list counts from its own start.
    const instance = ++list.instances;
    const level = Math.min(ctx.level + 1, 8);
    const last = node.children.length - 1;
    const loose = node.spread === true || node.children.some((item) => item.spread);
    return node.children.flatMap((item, i) => {
      const end = i === last && (ctx.level < 0 || ctx.end === true);
      return at(state, item, () =>
        listItem(state, item, { ...ctx, level, end, loose, numbering: { reference, level, instance } }),
      );
    });
  },
  code(_state, node, ctx) {
    const lines = node.value.split("\n");
    const runs = lines.map((text, i) => new TextRun({ text, ...(i > 0 ? { break: 1 } : {}) }));
    return [new Paragraph({ style: STYLE.code, children: runs, ...indentOf(ctx) }), spacer()];
  },
  table: (state, node, ctx) => table(state, node, ctx),
  html(state, node) {
    warn(state, node, "raw HTML is not rendered in Word (nor in the HTML page)");
    return [];
  },
  definition: () => [],
  footnoteDefinition(state, node) {
    if (!state.footnotesReferenced.has(node.identifier))
      warn(state, node, `footnote [^${node.label ?? node.identifier}] is never referenced, so it is left out`);
    return [];
  },
};

export function blocks(state: State, nodes: readonly Md.Nodes[], ctx: BlockContext): Block[] {
  return nodes.flatMap((node) => block(state, node, ctx));
}

function block(state: State, node: Md.Nodes, ctx: BlockContext): Block[] {
  return at(state, node, () => {
    const handler = blockHandlers[node.type] as BlockHandler<Md.Nodes> | undefined;
    if (handler) return handler(state, node, ctx);
    warn(state, node, `a "${node.type}" block cannot be represented in Word and is left out`);
    return [];
  });
}

/** A list's indent is given by its numbering, or by the Quote style in a quote: both at once need it here. */
function indentOf(ctx: BlockContext) {
  if (ctx.level < 0) return {};
  const left = (ctx.quote ? QUOTE_INDENT : 0) + listIndent(ctx.level);
  return { indent: ctx.numbering ? { left, hanging: HANGING } : { left } };
}

/** An empty line: Word has no space after a table or code block of its own. */
const spacer = () => new Paragraph({ spacing: { after: 0, ...lines(0.8) }, children: [] });

function paragraph(state: State, children: Md.PhrasingContent[], ctx: BlockContext): Block[] {
  const runs = inlines(state, children, {});
  if (ctx.prefix) runs.unshift(new TextRun(ctx.prefix));
  if (runs.length === 0 && !ctx.numbering) return [];
  const style = ctx.style ?? (ctx.quote ? STYLE.quote : undefined);
  return [
    new Paragraph({
      children: runs,
      ...(style ? { style } : {}),
      ...(ctx.numbering ? { numbering: ctx.numbering } : {}),
      ...(ctx.numbering && !ctx.quote ? {} : indentOf(ctx)),
      ...(ctx.end || (ctx.loose && ctx.numbering) ? { spacing: { after: PARAGRAPH_AFTER } } : {}),
    }),
  ];
}

function listItem(state: State, item: Md.ListItem, ctx: BlockContext): Block[] {
  const prefix = item.checked === true ? "☒ " : item.checked === false ? "☐ " : undefined;
  const plain: BlockContext = { level: ctx.level, quote: ctx.quote, ...(ctx.style ? { style: ctx.style } : {}) };
  // The item's number goes on its first paragraph (an empty one if it has none); anything else
  // in it is indented to its text. Only its last block can end the list.
  const children = item.children[0]?.type === "paragraph" ? item.children : [undefined, ...item.children];
  return children.flatMap((child, i) => {
    const end = ctx.end === true && i === children.length - 1;
    if (i > 0) return block(state, child as Md.Nodes, { ...plain, end });
    const marker: BlockContext = { ...ctx, end, ...(prefix ? { prefix } : {}) };
    return child ? block(state, child, marker) : paragraph(state, [], marker);
  });
}

// ---- tables ----

/** Hairlines round and inside a table, in the theme's rule colour (RRGGBB). */
export function tableBorders(rule: string) {
  const border = { style: BorderStyle.SINGLE, size: 4, color: rule };
  return { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border };
}
export const CELL_MARGINS = { top: 60, bottom: 60, left: 100, right: 100 };
const ALIGN = { left: AlignmentType.LEFT, right: AlignmentType.RIGHT, center: AlignmentType.CENTER } as const;

function table(state: State, node: Md.Table, ctx: BlockContext): Block[] {
  const columns = Math.max(...node.children.map((row) => row.children.length));
  const available = TEXT_WIDTH - (ctx.level >= 0 ? listIndent(ctx.level) : 0);
  const widths = columnWidths(node, columns, available);
  const rows = node.children.map(
    (row, r) =>
      new TableRow({
        tableHeader: r === 0,
        cantSplit: true,
        children: widths.map((width, c) => {
          const cell = row.children[c];
          const align = node.align?.[c];
          return new TableCell({
            width: { size: width, type: WidthType.DXA },
            margins: CELL_MARGINS,
            ...(r === 0 ? { shading: { type: ShadingType.CLEAR, fill: state.colour.tint, color: "auto" } } : {}),
            children: [
              new Paragraph({
                spacing: { after: 0 },
                ...(align ? { alignment: ALIGN[align] } : {}),
                children: cell ? at(state, cell, () => inlines(state, cell.children, { bold: r === 0 })) : [],
              }),
            ],
          });
        }),
      }),
  );
  return [
    new Table({
      rows,
      width: { size: available, type: WidthType.DXA },
      columnWidths: widths,
      layout: TableLayoutType.FIXED,
      borders: tableBorders(state.colour.rule),
      ...(ctx.level >= 0 ? { indent: { size: listIndent(ctx.level), type: WidthType.DXA } } : {}),
    }),
    spacer(),
  ];
}

/** Roughly the width of a character of bold 11 pt Arial, and a cell's side margins, in twips. */
const CHAR_WIDTH = 125;
const CELL_SIDES = CELL_MARGINS.left + CELL_MARGINS.right;

/**
 * Column widths in twips that fill `total`: in proportion to each column's average text length,
 * but wide enough for its longest word, so Word does not break "Psychological" in two.
 */
export function columnWidths(node: Md.Table, columns: number, total: number): number[] {
  const texts = Array.from({ length: columns }, (_, c) => node.children.map((row) => plainText(row.children[c])));
  const weights = texts.map((column) => Math.max(1, column.join("").length / column.length));
  const longest = texts.map((column) =>
    Math.max(1, ...column.flatMap((text) => text.split(/\s+/).map((w) => w.length))),
  );
  // If the longest words cannot all fit, they share the width instead.
  const wanted = longest.map((length) => length * CHAR_WIDTH + CELL_SIDES);
  const fit = Math.min(1, total / wanted.reduce((a, b) => a + b, 0));
  const minimum = wanted.map((width) => width * fit);
  // Columns whose share is below their minimum get the minimum; the rest share what is left.
  const fixed = new Set<number>();
  let widths: number[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    const left = total - [...fixed].reduce((sum, c) => sum + (minimum[c] ?? 0), 0);
    const weight = weights.reduce((sum, w, c) => (fixed.has(c) ? sum : sum + w), 0);
    widths = weights.map((w, c) => (fixed.has(c) ? (minimum[c] ?? 0) : (left * w) / weight));
    for (const [c, width] of widths.entries())
      if (!fixed.has(c) && width < (minimum[c] ?? 0)) {
        fixed.add(c);
        changed = true;
      }
  }
  const rounded = widths.map(Math.floor);
  rounded[columns - 1] = (rounded[columns - 1] ?? 0) + total - rounded.reduce((a, b) => a + b, 0);
  return rounded;
}

function plainText(node: Md.Nodes | undefined): string {
  if (!node) return "";
  if ("value" in node) return node.value;
  if ("children" in node) return node.children.map(plainText).join("");
  return "alt" in node ? (node.alt ?? "") : "";
}

// ---- phrasing ----

type InlineHandler<T> = (state: State, node: T, marks: Marks) => ParagraphChild[];

const inlineHandlers: { [K in Md.Nodes["type"]]?: InlineHandler<Extract<Md.Nodes, { type: K }>> } = {
  // A soft line break in Markdown is a space, as it is in the HTML page.
  text: (state, node, marks) => [
    new TextRun({ text: node.value.replace(/[ \t]*\n[ \t]*/g, " "), ...run(state, marks) }),
  ],
  emphasis: (state, node, marks) => inlines(state, node.children, { ...marks, italics: true }),
  strong: (state, node, marks) => inlines(state, node.children, { ...marks, bold: true }),
  delete: (state, node, marks) => inlines(state, node.children, { ...marks, strike: true }),
  inlineCode: (state, node, marks) => [new TextRun({ text: node.value, ...run(state, { ...marks, code: true }) })],
  break: () => [new TextRun({ break: 1 })],
  link: (state, node, marks) => link(state, node, node.url, marks),
  linkReference(state, node, marks) {
    const definition = state.definitions.get(node.identifier);
    return definition ? link(state, node, definition.url, marks) : inlines(state, node.children, marks);
  },
  image: (state, node) => image(state, node, node.url, node.alt ?? ""),
  imageReference(state, node) {
    const definition = state.definitions.get(node.identifier);
    if (definition) return image(state, node, definition.url, node.alt ?? "");
    warn(state, node, `image reference [${node.label ?? node.identifier}] has no definition`);
    return [];
  },
  footnoteReference(state, node, marks) {
    if (!state.footnoteDefinitions.has(node.identifier)) {
      warn(state, node, `footnote [^${node.label ?? node.identifier}] has no definition`);
      return [new TextRun({ text: `[^${node.label ?? node.identifier}]`, ...run(state, marks) })];
    }
    let id = state.footnoteIds.get(node.identifier);
    if (id === undefined) {
      id = state.footnoteIds.size + 1;
      state.footnoteIds.set(node.identifier, id);
    }
    return [new FootnoteReferenceRun(id)];
  },
  html(state, node) {
    warn(state, node, "raw HTML is not rendered in Word (nor in the HTML page)");
    return [];
  },
};

export function inlines(state: State, nodes: readonly Md.Nodes[], marks: Marks): ParagraphChild[] {
  return nodes.flatMap((node) =>
    at(state, node, () => {
      const handler = inlineHandlers[node.type] as InlineHandler<Md.Nodes> | undefined;
      if (handler) return handler(state, node, marks);
      warn(state, node, `"${node.type}" text cannot be represented in Word and is left out`);
      return [];
    }),
  );
}

function run(state: State, marks: Marks): IRunOptions {
  const bold = marks.bold || marks.styleBold;
  const italics = marks.italics || marks.styleItalics;
  // Code is set in another font, so it needs no face of the house font.
  if (italics && !marks.code) state.faces.add(bold ? "boldItalic" : "italic");
  return {
    ...(marks.bold ? { bold: true } : {}),
    ...(marks.italics ? { italics: true } : {}),
    ...(marks.strike ? { strike: true } : {}),
    ...(marks.link ? { style: "Hyperlink" } : marks.code ? { style: STYLE.codeChar } : {}),
  };
}

function link(state: State, node: Md.Link | Md.LinkReference, url: string, marks: Marks): ParagraphChild[] {
  // A cross-reference points at the sibling file of the same format in the pack.
  const xref = (node.data as Partial<CrossReferenceLinkData> | undefined)?.xref;
  const target = xref ? `${xref.slug}.docx` : url;
  if (!target || target.startsWith("#")) {
    warn(state, node, `the in-page link "${target}" is written as plain text`);
    return inlines(state, node.children, marks);
  }
  if (!isPublishableLink(target)) {
    warn(
      state,
      node,
      `the link to "${target}" is written as plain text: Word files link only to web, mail and phone addresses and the pack's own files`,
    );
    return inlines(state, node.children, marks);
  }
  return [new ExternalHyperlink({ link: target, children: inlines(state, node.children, { ...marks, link: true }) })];
}

function image(state: State, node: Md.Image | Md.ImageReference, url: string, alt: string): ParagraphChild[] {
  const drawn = picture(url, TEXT_WIDTH_PX, 600);
  if (typeof drawn === "string") {
    warn(state, node, `the image "${alt}" is left out: ${drawn}`);
    return [];
  }
  return [
    new ImageRun({
      type: drawn.image.type,
      data: drawn.image.data,
      transformation: drawn.size,
      altText: { id: String(++state.drawings), name: alt || "image", description: alt },
    }),
  ];
}
