import type { Diagnostic } from "../types.ts";

type BodyDiagnostic = Omit<Diagnostic, "file">;

/**
 * Deeper than any policy needs (real ones nest three or four levels). The Markdown parser takes
 * minutes on a few hundred nested lists and overflows its stack on thousands of nested quotes,
 * so nesting is measured from the text before the parser ever sees it.
 */
export const MAX_MARKDOWN_NESTING = 32;

/**
 * Emphasis and link marks (runs of * or _, [ and ]) in one paragraph or table row: the parser
 * pairs them in time that grows with the square of their number (20,000 took 5 s, 100,000
 * minutes). A real paragraph has a few dozen.
 */
export const MAX_PARAGRAPH_MARKS = 500;

const LIST_MARKER = /(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)/y;

/**
 * Whether a line opens or continues more containers (quotes, list items) than allowed, over-
 * estimated cheaply: its `>` and list markers, plus one level per two columns of indentation
 * before them (a nested list item is indented at least two columns per level). Returns the
 * column of the marker past the limit.
 */
function tooDeepAt(line: string): number | undefined {
  let indent = 0;
  let markers = 0;
  let i = 0;
  for (;;) {
    while (line[i] === " " || line[i] === "\t") {
      if (markers === 0) indent += line[i] === "\t" ? 4 : 1;
      i++;
    }
    const column = i + 1;
    LIST_MARKER.lastIndex = i;
    if (line[i] === ">") i++;
    else if (LIST_MARKER.test(line)) i = LIST_MARKER.lastIndex;
    else return undefined;
    if (++markers + Math.floor(indent / 2) > MAX_MARKDOWN_NESTING) return column;
  }
}

/** `[`, `]` and each run of `*` or `_`: what the parser pairs, in time that grows with the square of their number. */
const MARK_RUNS = /[*_]+|\[|\]/g;
const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const BULLET_ITEM = /^( *)[-*+][ \t]+\S/;
const ORDERED_ITEM = /^\s*(\d{1,9})[.)][ \t]+\S/;
const DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** The cells of a table row, as GFM counts them: outer pipes optional, `\|` is text. */
const cellCount = (line: string) =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/).length;

/**
 * Where a new paragraph's marks start counting: a blank line, a heading, a table row (each is
 * parsed on its own), and a list item that starts one. The parser is never given the benefit of
 * the doubt: where it could carry a paragraph on, so does the count. Code blocks count too, since
 * what looks like a fence may not be one (inside a list item or an HTML block).
 */
class ParagraphMarks {
  count = 0;
  private table = false;
  private previous = "";
  private inItems = false;

  add(line: string): void {
    const previous = this.previous;
    this.previous = line;
    const blank = line.trim() === "";
    const startsBlock = previous.trim() === "" || ATX_HEADING.test(previous);
    const bullet = BULLET_ITEM.exec(line);
    const ordered = ORDERED_ITEM.exec(line)?.[1];
    // Indented four or more, a bullet only starts an item inside a list: elsewhere it continues a paragraph.
    const item =
      (bullet !== null && ((bullet[1] as string).length <= 3 || this.inItems)) ||
      (ordered !== undefined && (startsBlock || this.inItems || Number(ordered) === 1));
    if (
      DELIMITER_ROW.test(line) &&
      line.includes("|") &&
      previous.includes("|") &&
      cellCount(line) === cellCount(previous)
    ) {
      this.table = true;
    }
    if (blank) this.table = false;
    if (blank || this.table || item || ATX_HEADING.test(line) || ATX_HEADING.test(previous)) this.count = 0;
    this.inItems = item || (this.inItems && !blank);
    // Placeholders (<<org_field_name>>) are not Markdown: their underscores are not emphasis.
    this.count +=
      line
        .replace(/\\./g, "")
        .replace(/<<[^<>]*>>/g, "")
        .match(MARK_RUNS)?.length ?? 0;
  }
}

/**
 * The first place a policy body nests too deeply, before it is parsed: quotes and lists (from
 * line prefixes), brackets within a paragraph (nested links and images, which the parser
 * resolves in quadratic time) and too many emphasis and link marks in one paragraph.
 */
export function markdownNesting(body: string, firstLine: number): BodyDiagnostic | undefined {
  const lines = body.split("\n");
  let brackets = 0;
  const marks = new ParagraphMarks();
  for (const [index, line] of lines.entries()) {
    const at = (column: number) => ({ line: firstLine + index, column, severity: "error" as const });
    marks.add(line);
    const column = tooDeepAt(line);
    if (column !== undefined) {
      return {
        ...at(column),
        rule: "markdown-depth",
        message: `quotes and lists are nested more than ${MAX_MARKDOWN_NESTING} levels deep here`,
        hint: "flatten the structure: a policy needs a few levels of lists at most",
      };
    }
    if (line.trim() === "") brackets = 0; // a blank line ends the paragraph, and any open bracket
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === "\\") i++;
      else if (c === "[") {
        if (++brackets > MAX_MARKDOWN_NESTING) {
          return {
            ...at(i + 1),
            rule: "markdown-depth",
            message: `more than ${MAX_MARKDOWN_NESTING} "[" are open at once in this paragraph`,
            hint: "close each link's [text] before the next one, or write \\[ for a literal bracket",
          };
        }
      } else if (c === "]" && brackets > 0) brackets--;
    }
    if (marks.count > MAX_PARAGRAPH_MARKS) {
      return {
        ...at(1),
        rule: "markdown-depth",
        message: `this paragraph has more than ${MAX_PARAGRAPH_MARKS} emphasis and link marks (* _ [ ]), which would take the Markdown parser minutes`,
        hint: "split the paragraph, or write \\* \\_ \\[ for literal marks",
      };
    }
  }
  return undefined;
}
