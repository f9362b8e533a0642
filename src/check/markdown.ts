import type { Node, Parent } from "mdast";
import { MASK, parseSource } from "../template/source-tree.ts";
import type { Diagnostic } from "../types.ts";

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
  visit(parseSource(body).tree);
  return found;
}
