import type { Diagnostic } from "../types.ts";

type BodyDiagnostic = Omit<Diagnostic, "file">;

/**
 * Deeper than any policy needs (real ones nest three or four levels). The Markdown parser takes
 * minutes on a few hundred nested lists and overflows its stack on thousands of nested quotes,
 * so nesting is measured from the text before the parser ever sees it.
 */
export const MAX_MARKDOWN_NESTING = 32;

/**
 * Emphasis and link marks (* _ [ ]) in one paragraph or table row: the parser pairs them in time
 * that grows with the square of their number (20,000 took 5 s, 100,000 minutes). A real paragraph
 * has a few dozen.
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

/**
 * The first place a policy body nests too deeply, before it is parsed: quotes and lists (from
 * line prefixes), brackets within a paragraph (nested links and images, which the parser
 * resolves in quadratic time) and too many emphasis and link marks in one paragraph.
 */
export function markdownNesting(body: string, firstLine: number): BodyDiagnostic | undefined {
  const lines = body.split("\n");
  let brackets = 0;
  let marks = 0;
  for (const [index, line] of lines.entries()) {
    const at = (column: number) => ({ line: firstLine + index, column, severity: "error" as const });
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
    // A table's cells are parsed one by one: each row counts on its own.
    if (line.trim() === "" || line.trimStart().startsWith("|")) marks = 0;
    // Placeholders (<<org_field_name>>) are not Markdown: their underscores are not emphasis.
    const unescaped = line.replace(/\\./g, "").replace(/<<[^<>]*>>/g, "");
    marks += unescaped.length - unescaped.replace(/[*_[\]]/g, "").length;
    if (marks > MAX_PARAGRAPH_MARKS) {
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
