// The text `pdftotext -layout` gives, made into the plain text readText reads: the header and
// footer repeated on every page and page numbers go (reported), bullets in whatever glyph the PDF's
// font had (often a private-use character from Symbol or Wingdings, U+F0B7) become list items with
// their wrapped lines joined, and the page's left margin and column spacing go.
import type { Guess } from "./types.ts";

/** A bullet at the start of a line: the usual glyphs, or any private-use character (a symbol font's). */
const BULLET = /^([•▪●◦■□▫‣⁃➢➤►✓✔·\-–*]|[\uE000-\uF8FF])\s+/u;
/** "3", "Page 3", "Page 3 of 12", "3/12", "- 3 -". */
const PAGE_NUMBER = /^(?:page\s+)?\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$/i;

/** "2. Scope", "3.1 Visitors": short, capitalised, no full stop. */
const NUMBERED_HEADING = /^\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+\p{Lu}[^.;:]{0,80}$/u;

/** How a header or footer line compares across pages: digits (page numbers, dates) do not count. */
const key = (line: string) => line.trim().replace(/\s+/g, " ").replace(/\d+/g, "#").toLowerCase();

export function tidyPdfText(text: string): { text: string; guesses: Guess[] } {
  const pages = text
    .replace(/\r\n?/g, "\n")
    .split("\f")
    .map((page) => page.split("\n").map((line) => line.trimEnd()))
    .filter((lines) => lines.some((line) => line.trim() !== ""));
  // The first and last two lines of each page are where headers and footers are; a line that is
  // there on more than one page (and on at least half of them) is one.
  const edges = (lines: string[]) => {
    const filled = lines.map((line, i) => [line, i] as const).filter(([line]) => line.trim() !== "");
    return [...filled.slice(0, 2), ...filled.slice(-2)];
  };
  const seen = new Map<string, number>();
  for (const page of pages)
    for (const k of new Set(edges(page).map(([line]) => key(line)))) seen.set(k, (seen.get(k) ?? 0) + 1);
  const repeated = (line: string) => {
    const count = seen.get(key(line)) ?? 0;
    return pages.length > 1 && count > 1 && count >= pages.length / 2;
  };
  const removed = new Map<string, number>();
  const kept: string[] = [];
  for (const page of pages) {
    const drop = new Set(
      edges(page)
        .filter(([line]) => repeated(line) || PAGE_NUMBER.test(line.trim()))
        .map(([, i]) => i),
    );
    const body: string[] = [];
    page.forEach((line, i) => {
      if (!drop.has(i)) body.push(line);
      else removed.set(key(line), (removed.get(key(line)) ?? 0) + 1);
    });
    // The space above the footer is not a paragraph break: a paragraph may run on to the next page.
    const first = body.findIndex((line) => line.trim() !== "");
    const last = body.findLastIndex((line) => line.trim() !== "");
    for (const line of body.slice(first, last + 1)) kept.push(line);
  }

  // The page's left margin, then one list item per bullet, its wrapped lines joined to it.
  // reduce and loops, not Math.min(...lines) or push(...lines): a million short lines would overflow the stack.
  const margin = kept
    .filter((l) => l.trim() !== "")
    .reduce((least, l) => Math.min(least, l.length - l.trimStart().length), Number.POSITIVE_INFINITY);
  // A line that ends a sentence with room left for the next line's first word ended its paragraph.
  const width = kept.reduce((most, l) => Math.max(most, l.trim().length), 0);
  const endsParagraph = (previous: string, next: string) =>
    /[.!?:;”")]$/.test(previous) && previous.length + 1 + (next.split(/\s/)[0]?.length ?? 0) < width;
  let previousRaw = "";
  // Each output line as its pieces, joined at the end: appending to one long string line by line,
  // and asking whether it ends in "-", takes time in the square of its length.
  const out: string[][] = [];
  const open = () => out.length > 0 && (out.at(-1) as string[]).length > 0;
  const append = (piece: string) => (out.at(-1) as string[]).push(piece);
  let tail = "";
  let bullets = 0;
  let item: { indent: number } | undefined;
  for (const raw of kept) {
    const indent = raw.length - raw.trimStart().length - (Number.isFinite(margin) ? margin : 0);
    const line = raw.trim().replace(/\s{2,}/g, " ");
    if (line === "") {
      if (open()) out.push([]);
      item = undefined;
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      // A list is its own block: a blank line before it, after the lead-in ("Staff must:").
      if (!item && open()) out.push([]);
      out.push([`• ${line.slice(bullet[0].length)}`]);
      bullets++;
      item = { indent };
      continue;
    }
    if (item && indent > item.indent) {
      append(` ${line}`);
      continue;
    }
    // Text after a list, at the margin, is a new paragraph; so is a numbered heading ("2. Scope")
    // and the first line (the title), which PDFs seldom set apart with an empty line.
    const heading = NUMBERED_HEADING.test(line) || out.length === 0;
    if ((item || heading) && open()) out.push([]);
    // A paragraph's lines are the page's width, not the author's: joined ("self-" and "care" without a space).
    else if (!item && open() && endsParagraph(previousRaw, raw.trim())) out.push([]);
    else if (!item && open()) {
      previousRaw = raw.trim();
      append(tail.endsWith("-") ? line : ` ${line}`);
      tail = line;
      continue;
    }
    item = undefined;
    previousRaw = raw.trim();
    tail = line;
    out.push([line]);
    if (heading) out.push([]);
  }
  const tidied = out.map((pieces) => pieces.join("")).join("\n");

  const guesses: Guess[] = [];
  if (removed.size > 0) {
    const total = [...removed.values()].reduce((a, b) => a + b, 0);
    const kinds = [...removed.keys()].map((k) => `"${k}"`).join(", ");
    guesses.push({
      line: 1,
      kind: "chrome",
      message: `dropped ${total} page header, footer and page-number line${total === 1 ? "" : "s"} of the PDF (${kinds}; # is any number)`,
    });
  }
  if (bullets > 0) {
    guesses.push({
      line: 1,
      kind: "list",
      message: `${bullets} bulleted line${bullets === 1 ? "" : "s"} of the PDF read as list items`,
    });
  }
  return { text: `${tidied.trim()}\n`, guesses };
}
