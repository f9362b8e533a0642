import { isDeepStrictEqual } from "node:util";
import { Document, isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import type { ReviewRecord } from "../types.ts";

/** Why a record could not be appended without touching the rest of the file. */
export class AppendError extends Error {}

/** The record as block YAML list item lines, each indented by `indent`. */
function entryText(record: ReviewRecord, indent: string, eol: string): string {
  const item = new Document([record]).toString({ lineWidth: 0 });
  return item
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => `${indent}${line}${eol}`)
    .join("");
}

/** Offset just past the line break that ends the line holding `offset` (or the end of the text). */
function endOfLine(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

/**
 * The organisation file's text with `record` added at the end of its `reviews:` list. The text is
 * spliced rather than re-serialised, so every other byte — comments, quoting, blank lines, key
 * order — stays as the editor wrote it.
 */
export function appendReviewRecord(text: string, record: ReviewRecord): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0 || !isMap(doc.contents)) throw new AppendError("the file is not a YAML mapping");
  const pair = doc.contents.items.find((item) => isScalar(item.key) && item.key.value === "reviews");
  // A file with Windows line ends keeps them.
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  let next: string;
  if (!pair) {
    const gap = text === "" || text.endsWith("\n") ? "" : eol;
    next = `${text}${gap}reviews:${eol}${entryText(record, "  ", eol)}`;
  } else {
    const key = pair.key as Node;
    const value = pair.value as Node | null;
    const keyEnd = (key.range as [number, number, number])[1];
    if (isSeq(value) && !value.flow && value.items.length > 0) {
      const [start, end] = value.range as [number, number, number];
      const indent = " ".repeat(start - (text.lastIndexOf("\n", start - 1) + 1));
      const at = endOfLine(text, end);
      const gap = at === text.length && !text.endsWith("\n") ? eol : "";
      next = `${text.slice(0, at)}${gap}${entryText(record, indent, eol)}${text.slice(at)}`;
    } else if (
      value === null ||
      (isScalar(value) && value.value === null) ||
      (isSeq(value) && value.items.length === 0)
    ) {
      // `reviews:` or `reviews: []`: the value's line becomes the start of a block list.
      const at = endOfLine(text, value?.range?.[1] ?? keyEnd);
      next = `${text.slice(0, keyEnd)}:${eol}${entryText(record, "  ", eol)}${text.slice(at)}`;
    } else {
      throw new AppendError("`reviews:` is not a list written one `- date: …` entry per line");
    }
  }
  // The splice must have changed nothing but the list's new last entry.
  const before = doc.toJS() as Record<string, unknown>;
  const after = parseDocument(next).toJS() as Record<string, unknown>;
  const expected = { ...before, reviews: [...((before.reviews as unknown[] | null) ?? []), record] };
  if (!isDeepStrictEqual(after, expected)) throw new AppendError("the new entry would not read back as written");
  return next;
}
