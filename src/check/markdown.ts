import type { Node, Parent } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import type { Diagnostic } from "../types.ts";

const parser = unified().use(remarkParse).use(remarkGfm);

// Placeholders are masked with a same-length run of an inert character so that `<</if>>`
// does not read as HTML and positions stay exact.
const MASK = "\uE002";
const mask = (body: string) => body.replace(/<<[^<>\n]*?>>/g, (m) => MASK.repeat(m.length));

/** Markdown problems in a policy body; `firstLine` is the body's line in its file. */
export function checkMarkdown(body: string, firstLine: number): Omit<Diagnostic, "file">[] {
  const found: Omit<Diagnostic, "file">[] = [];
  const visit = (node: Node) => {
    const at = { line: (node.position?.start.line ?? 1) + firstLine - 1, column: node.position?.start.column ?? 1 };
    if (node.type === "heading" && (node as Node & { depth: number }).depth === 1) {
      found.push({
        ...at,
        severity: "warning",
        rule: "heading-level",
        message: "a level-1 heading in the body; the title comes from front matter",
        hint: "start sections at ## (e.g. ## 1. Purpose)",
      });
    }
    if (node.type === "html") {
      found.push({
        ...at,
        severity: "warning",
        rule: "raw-html",
        message: "raw HTML is not published (it is dropped from every output)",
        hint: "write it in Markdown",
      });
    }
    const url = (node as Node & { url?: string }).url;
    if (url?.includes(MASK)) {
      found.push({
        ...at,
        severity: "error",
        rule: "placeholder-in-url",
        message: "a placeholder inside a link or image address",
        hint: "organisation values are text only; write the link text with the placeholder instead",
      });
    }
    for (const child of (node as Parent).children ?? []) visit(child);
  };
  visit(parser.parse(mask(body)));
  return found;
}
