// Word documents as people write them, read from the XML before mammoth sees it: mammoth knows
// Heading styles, but not a bold line used as a heading, Word's automatic heading numbers (it makes
// every numbered paragraph a list item, numbered from 1) or mail-merge fields (it prints their
// last merged value). Word's XML is regular enough for patterns: paragraphs never nest (text boxes
// aside, which are left alone) and every run is `<w:r>…</w:r>`.
import type { Guess } from "./types.ts";

export type Revisions = "accept" | "reject";

/**
 * The patterns below find each element's end by the next closing tag, which takes time in
 * proportion to the part only when every element is closed (nesting is bounded before this: see
 * xmlDepthExceeds). Word always writes it so; a part that does not is refused, not read for minutes.
 * Fields are self-closing begin/end marks: they must pair up, nested at most a few deep.
 */
export function unbalancedIn(xml: string, elements: readonly string[]): string | undefined {
  for (const name of elements) {
    const opens = xml.match(new RegExp(`<${name}(?=[\\s>])[^>]*[^/]>|<${name}>`, "g"))?.length ?? 0;
    const closes = xml.match(new RegExp(`</${name}>`, "g"))?.length ?? 0;
    if (opens !== closes) return `<${name}> opened ${opens} times and closed ${closes}`;
  }
  let depth = 0;
  for (const [, type] of xml.matchAll(/w:fldCharType="(begin|end)"/g)) {
    depth += type === "begin" ? 1 : -1;
    if (depth < 0 || depth > 10) return "fields (w:fldChar) that do not pair up";
  }
  return depth === 0 ? undefined : "fields (w:fldChar) that do not pair up";
}

export const BODY_ELEMENTS = [
  "w:p",
  "w:r",
  "w:tbl",
  "w:ins",
  "w:del",
  "w:moveTo",
  "w:moveFrom",
  "w:fldSimple",
  "w:pPr",
  "w:rPr",
];
export const STYLE_ELEMENTS = ["w:style", "w:abstractNum", "w:num", "w:lvl", "w:lvlOverride", "w:rPr"];

/** Style ids the rewritten paragraphs get; STYLE_MAP in docx.ts maps them to h1–h4. */
export const MADE_STYLES = ["PolicypackTitle", "PolicypackHeading1", "PolicypackHeading2", "PolicypackHeading3"];

interface Style {
  name: string;
  basedOn?: string;
  numId?: string;
  ilvl?: string;
  bold?: boolean;
}

interface Level {
  start: number;
  format: string;
  text: string;
}

interface Numbering {
  /** abstractNumId → levels; numId → abstractNumId (and its own start overrides). */
  abstract: Map<string, Map<number, Level>>;
  nums: Map<string, { abstractId: string; starts: Map<number, number> }>;
}

const attr = (xml: string, element: string, name = "w:val") =>
  new RegExp(`<${element}\\b[^>]*?\\s${name}="([^"]*)"`).exec(xml)?.[1];

const decodeXml = (text: string) =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&amp;/g, "&");

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** `<w:b/>` or `<w:b w:val="1"/>` is bold; `<w:b w:val="0"/>` or "false" is not. */
function boldIn(rPr: string): boolean | undefined {
  const match = /<w:b(?:\s+w:val="([^"]*)")?\s*\/>/.exec(rPr);
  if (!match) return undefined;
  return !["0", "false", "off"].includes(match[1] ?? "1");
}

export function readStyles(xml: string): Map<string, Style> {
  const styles = new Map<string, Style>();
  for (const [, id, body = ""] of xml.matchAll(/<w:style\b[^>]*?w:styleId="([^"]+)"[^>]*>([\s\S]*?)<\/w:style>/g)) {
    const style: Style = { name: attr(body, "w:name") ?? id ?? "" };
    const basedOn = attr(body, "w:basedOn");
    if (basedOn) style.basedOn = basedOn;
    const numId = attr(body, "w:numId");
    if (numId) style.numId = numId;
    const ilvl = attr(body, "w:ilvl");
    if (ilvl) style.ilvl = ilvl;
    const bold = boldIn(/<w:rPr>[\s\S]*?<\/w:rPr>/.exec(body)?.[0] ?? "");
    if (bold !== undefined) style.bold = bold;
    styles.set(id as string, style);
  }
  return styles;
}

export function readNumbering(xml: string): Numbering {
  const abstract = new Map<string, Map<number, Level>>();
  for (const [, id, body = ""] of xml.matchAll(
    /<w:abstractNum\b[^>]*?w:abstractNumId="([^"]+)"[^>]*>([\s\S]*?)<\/w:abstractNum>/g,
  )) {
    const levels = new Map<number, Level>();
    for (const [, ilvl, lvl = ""] of body.matchAll(/<w:lvl\b[^>]*?w:ilvl="(\d+)"[^>]*>([\s\S]*?)<\/w:lvl>/g)) {
      levels.set(Number(ilvl), {
        start: Number(attr(lvl, "w:start") ?? 1),
        format: attr(lvl, "w:numFmt") ?? "decimal",
        text: decodeXml(attr(lvl, "w:lvlText") ?? ""),
      });
    }
    abstract.set(id as string, levels);
  }
  const nums = new Map<string, { abstractId: string; starts: Map<number, number> }>();
  for (const [, id, body = ""] of xml.matchAll(/<w:num\b[^>]*?w:numId="([^"]+)"[^>]*>([\s\S]*?)<\/w:num>/g)) {
    const starts = new Map<number, number>();
    for (const [, ilvl, override = ""] of body.matchAll(
      /<w:lvlOverride\b[^>]*?w:ilvl="(\d+)"[^>]*>([\s\S]*?)<\/w:lvlOverride>/g,
    )) {
      const start = attr(override, "w:startOverride");
      if (start) starts.set(Number(ilvl), Number(start));
    }
    nums.set(id as string, { abstractId: attr(body, "w:abstractNumId") ?? "", starts });
  }
  return { abstract, nums };
}

const ROMAN: [number, string][] = [
  [1000, "m"],
  [900, "cm"],
  [500, "d"],
  [400, "cd"],
  [100, "c"],
  [90, "xc"],
  [50, "l"],
  [40, "xl"],
  [10, "x"],
  [9, "ix"],
  [5, "v"],
  [4, "iv"],
  [1, "i"],
];

function formatNumber(n: number, format: string): string {
  const roman = () => {
    let rest = n;
    let out = "";
    for (const [value, letters] of ROMAN)
      while (rest >= value) {
        out += letters;
        rest -= value;
      }
    return out;
  };
  const letter = () => String.fromCharCode(97 + ((n - 1) % 26)).repeat(Math.floor((n - 1) / 26) + 1);
  if (format === "lowerLetter") return letter();
  if (format === "upperLetter") return letter().toUpperCase();
  if (format === "lowerRoman") return roman();
  if (format === "upperRoman") return roman().toUpperCase();
  return String(n);
}

/** A paragraph short enough, and unpunctuated enough, to be a heading ("Scope", "Roles and responsibilities"). */
const HEADING_TEXT = (text: string) =>
  text.length > 0 && text.length <= 90 && text.split(/\s+/).length <= 12 && !/[.:;,!?]$/.test(text);

interface Paragraph {
  index: number;
  xml: string;
  inTable: boolean;
  text: string;
  styleId?: string;
  numId?: string;
  ilvl: number;
  bold: boolean;
  size?: number;
}

/** Follows basedOn: the first style on the way that says `key`. */
function inherited<K extends keyof Style>(
  styles: Map<string, Style>,
  id: string | undefined,
  key: K,
): Style[K] | undefined {
  for (let style = id ? styles.get(id) : undefined, n = 0; style && n < 10; n++) {
    if (style[key] !== undefined) return style[key];
    style = style.basedOn ? styles.get(style.basedOn) : undefined;
  }
  return undefined;
}

const isHeadingStyle = (styles: Map<string, Style>, id: string | undefined) =>
  /^(?:heading \d|title)$/i.test((id && styles.get(id)?.name) ?? "");

function readParagraph(xml: string, index: number, inTable: boolean, styles: Map<string, Style>): Paragraph {
  const pPr = /^<w:p\b[^>]*>\s*(<w:pPr>[\s\S]*?<\/w:pPr>)/.exec(xml)?.[1] ?? "";
  const styleId = attr(pPr, "w:pStyle");
  const ownNumId = attr(pPr, "w:numId");
  const numId = ownNumId ?? inherited(styles, styleId, "numId");
  const ilvl = Number(attr(pPr, "w:ilvl") ?? (ownNumId ? undefined : inherited(styles, styleId, "ilvl")) ?? 0);
  const styleBold = inherited(styles, styleId, "bold") ?? false;
  let text = "";
  let bold = true;
  let size: number | undefined;
  for (const [run = ""] of xml.matchAll(/<w:r(?=[\s>])[\s\S]*?<\/w:r>/g)) {
    const runText = [...run.matchAll(/<w:t(?=[\s>])[^>]*>([^<]*)<\/w:t>/g)].map((m) => decodeXml(m[1] ?? "")).join("");
    text += runText;
    if (runText.trim() === "") continue;
    const rPr = /<w:rPr>[\s\S]*?<\/w:rPr>/.exec(run)?.[0] ?? "";
    if (!(boldIn(rPr) ?? styleBold)) bold = false;
    const sz = attr(rPr, "w:sz");
    if (sz) size = Math.max(size ?? 0, Number(sz));
  }
  text = text.replace(/\s+/g, " ").trim();
  return {
    index,
    xml,
    inTable,
    text,
    ilvl,
    bold: bold && text !== "",
    ...(styleId ? { styleId } : {}),
    ...(numId && numId !== "0" ? { numId } : {}),
    ...(size ? { size } : {}),
  };
}

/** Every paragraph of the body, and whether it is inside a table (a bold cell is a table header, not a heading). */
function paragraphsOf(body: string, styles: Map<string, Style>): Paragraph[] {
  const found: Paragraph[] = [];
  let tables = 0;
  for (const match of body.matchAll(/<w:tbl(?=[\s>])|<\/w:tbl>|<w:p(?=[\s>])[^>]*?(?:\/>|>[\s\S]*?<\/w:p>)/g)) {
    const [xml] = match;
    if (xml.startsWith("<w:tbl")) tables++;
    else if (xml === "</w:tbl>") tables--;
    else if (!xml.includes("<w:txbxContent")) found.push(readParagraph(xml, match.index, tables > 0, styles));
  }
  return found;
}

/** Sets a paragraph's style (replacing the one it has), drops its own numbering and bold: the heading says both. */
function restyle(xml: string, styleId: string, number: string | undefined): string {
  let out = xml.replace(/<w:pStyle\b[^>]*\/>/, "").replace(/<w:numPr>[\s\S]*?<\/w:numPr>/, "");
  // numId 0 is Word's "no numbering": it also overrides numbering the style itself carries.
  const props = `<w:pStyle w:val="${styleId}"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>`;
  out = /<w:pPr>/.test(out)
    ? out.replace(/<w:pPr>/, `<w:pPr>${props}`)
    : out.replace(/^(<w:p\b[^>]*>)/, `$1<w:pPr>${props}</w:pPr>`);
  out = out.replace(/<w:b(?:\s+w:val="[^"]*")?\s*\/>/g, "").replace(/<w:bCs(?:\s+w:val="[^"]*")?\s*\/>/g, "");
  if (number) out = out.replace(/(<\/w:pPr>)/, `$1<w:r><w:t xml:space="preserve">${escapeXml(number)} </w:t></w:r>`);
  return out;
}

/**
 * Headings as people write them: a short all-bold paragraph outside a table becomes a heading
 * (the first paragraph of the document, when no heading is larger, the title; otherwise the level
 * from the number, or from the font size: the largest bold size is ##, the next ###); a heading
 * numbered by Word (its own numbering, or its style's) gets that number as text, "2.1 Scope", as
 * does a short numbered paragraph standing alone between body paragraphs. Word's numbering is
 * counted over every numbered paragraph, so "2." is the second, whatever lies between.
 */
export function wordHeadings(
  body: string,
  stylesXml: string,
  numberingXml: string,
): { body: string; guesses: Guess[] } {
  const styles = readStyles(stylesXml);
  const numbering = readNumbering(numberingXml);
  const paragraphs = paragraphsOf(body, styles);
  const numbers = new Map<Paragraph, string>();
  const counters = new Map<string, number[]>();
  for (const p of paragraphs) {
    const num = p.numId ? numbering.nums.get(p.numId) : undefined;
    const levels = num && numbering.abstract.get(num.abstractId);
    const level = levels?.get(p.ilvl);
    if (!num || !levels || !level || level.format === "bullet" || level.format === "none") continue;
    // Lists that share a definition continue each other's numbers, unless one restarts.
    const key = num.starts.size > 0 ? `num ${p.numId}` : `abstract ${num.abstractId}`;
    const startOf = (ilvl: number) => num.starts.get(ilvl) ?? levels.get(ilvl)?.start ?? 1;
    const count = counters.get(key) ?? [];
    count[p.ilvl] = (count[p.ilvl] ?? startOf(p.ilvl) - 1) + 1;
    count.length = p.ilvl + 1;
    counters.set(key, count);
    numbers.set(
      p,
      level.text.replace(/%(\d)/g, (_, k: string) => {
        const ilvl = Number(k) - 1;
        return formatNumber(count[ilvl] ?? startOf(ilvl), levels.get(ilvl)?.format ?? "decimal");
      }),
    );
  }

  const guesses: Guess[] = [];
  const made = new Map<Paragraph, string>();
  // Empty paragraphs (Word users' spacing) are not neighbours, and mammoth drops them.
  const written = paragraphs.filter((p) => p.text !== "");
  const bolds = written.filter(
    (p) => !p.inTable && p.bold && HEADING_TEXT(p.text) && !isHeadingStyle(styles, p.styleId),
  );
  const largest = Math.max(0, ...bolds.map((p) => p.size ?? 0));
  // The first paragraph, bold and no smaller than any bold heading, is the title (Word's Title style unused).
  const first = written[0];
  const title = first && bolds[0] === first && !numbers.has(first) && (first.size ?? 0) === largest ? first : undefined;
  const sizes = [...new Set(bolds.filter((p) => p !== title).map((p) => p.size ?? 0))].sort((a, b) => b - a);
  written.forEach((p, i) => {
    const number = numbers.get(p);
    const listed = (q: Paragraph | undefined) => q?.numId === p.numId && q?.ilvl === p.ilvl && numbers.has(q);
    const alone = number !== undefined && !listed(written[i - 1]) && !listed(written[i + 1]);
    // (A bulleted paragraph has a numId but no number: never alone, never a heading.)
    if (isHeadingStyle(styles, p.styleId)) {
      // Mammoth maps the style; only Word's own number is missing from its text.
      if (number && !p.inTable) made.set(p, restyle(p.xml, p.styleId as string, number));
      return;
    }
    if (p.inTable || !HEADING_TEXT(p.text)) return;
    // A list's items stay items, bold or not: only a numbered paragraph standing alone is a heading.
    if (p.numId !== undefined ? !alone || /^\d/.test(p.text) : !p.bold) return;
    const style =
      p === title ? "PolicypackTitle" : `PolicypackHeading${Math.min(sizes.indexOf(p.size ?? 0) + 1, 3) || 1}`;
    made.set(p, restyle(p.xml, style, number));
    const why = p.bold ? "a short bold paragraph" : "a short numbered paragraph standing alone";
    const label = number ? `${number} ${p.text}` : p.text;
    guesses.push({
      line: i + 1,
      kind: "heading",
      message: `"${label}" (${why}) read as ${style === "PolicypackTitle" ? "the title" : "a heading"}${number ? ", with Word's automatic number" : ""}`,
    });
  });
  if (made.size === 0) return { body, guesses };
  let out = "";
  let at = 0;
  for (const p of paragraphs) {
    const xml = made.get(p);
    if (xml === undefined) continue;
    out += body.slice(at, p.index) + xml;
    at = p.index + p.xml.length;
  }
  return { body: out + body.slice(at), guesses };
}

/**
 * Mail-merge fields become «Name» whatever they last printed (a merged document shows one
 * client's name): the legacy-placeholder rule then maps or reports them.
 */
export function mergeFields(body: string): { body: string; names: string[] } {
  const names: string[] = [];
  const token = (instr: string) => {
    const name = /^\s*MERGEFIELD\s+(?:"([^"]+)"|(\S+))/i.exec(decodeXml(instr));
    if (!name) return undefined;
    const field = (name[1] ?? name[2] ?? "").trim();
    names.push(field);
    return `<w:r><w:t xml:space="preserve">«${escapeXml(field)}»</w:t></w:r>`;
  };
  let out = body.replace(
    /<w:fldSimple\b[^>]*?w:instr="([^"]*)"[^>]*?(?:\/>|>[\s\S]*?<\/w:fldSimple>)/g,
    (whole, instr: string) => token(instr) ?? whole,
  );
  // A complex field: a run with fldChar begin, instrText runs, separate, the result, end.
  out = out.replace(
    /<w:r(?=[\s>])(?:(?!<\/w:r>)[\s\S])*?w:fldCharType="begin"[\s\S]*?w:fldCharType="end"(?:(?!<\/w:r>)[\s\S])*?<\/w:r>/g,
    (whole) => {
      const instr = [...whole.matchAll(/<w:instrText\b[^>]*>([^<]*)<\/w:instrText>/g)].map((m) => m[1]).join("");
      // A field inside a field is left to mammoth.
      if ((whole.match(/w:fldCharType="begin"/g)?.length ?? 0) > 1) return whole;
      return token(instr) ?? whole;
    },
  );
  return { body: out, names };
}

/** Tracked changes refused: insertions go, deletions come back as text (and moves stay where they were). */
export function rejectRevisions(body: string): string {
  return body
    .replace(/<w:(ins|moveTo)\b[^>]*[^/]>[\s\S]*?<\/w:\1>/g, "")
    .replace(/<w:(del|moveFrom)\b[^>]*[^/]>([\s\S]*?)<\/w:\1>/g, (_, _tag, inner: string) =>
      inner.replace(/<w:delText\b/g, "<w:t").replace(/<\/w:delText>/g, "</w:t>"),
    );
}
