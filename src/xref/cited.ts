import type { Heading, Node, Parent } from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import { positionsIn } from "../template/positions.ts";
import { parseSource } from "../template/source-tree.ts";
import type { Reference } from "../types.ts";
import { findLooseCodes, type LooseCode, quotedTitleBefore } from "./extract.ts";

// The codes a policy body cites, found in its Markdown tree (extract.ts has what needs no tree).

/**
 * Calls `visit` with the source of every text node of a policy body a citation can stand in
 * (not code, not HTML), its offset in the body and whether it is under "Related Policies".
 * Reads the source itself, not the node's value, so offsets are exact even after escapes.
 */
function eachText(body: string, visit: (source: string, start: number, related: boolean) => void): void {
  const { tree, masked } = parseSource(body);
  let relatedDepth: number | undefined;
  const walk = (node: Node) => {
    if (node.type === "heading") {
      const depth = (node as Heading).depth;
      if (relatedDepth !== undefined && depth <= relatedDepth) relatedDepth = undefined;
      if (/related polic/i.test(nodeText(node))) relatedDepth = depth;
    }
    if (node.type === "text" && node.position?.start.offset !== undefined && node.position.end.offset !== undefined) {
      const start = node.position.start.offset;
      visit(masked.slice(start, node.position.end.offset), start, relatedDepth !== undefined);
      return;
    }
    // Code and link addresses are not citations.
    if (node.type === "inlineCode" || node.type === "code" || node.type === "html") return;
    const children: Node[] = (node as Parent).children ?? [];
    for (let i = 0; i < children.length; i++) {
      if ((children[i] as Node).position) {
        walk(children[i] as Node);
        continue;
      }
      // A web address GFM finds only after parsing ("https\://…", as import writes it) splits its
      // text into nodes without a position: read the source between the positioned neighbours.
      let j = i;
      while (j < children.length && !(children[j] as Node).position) j++;
      const from = i > 0 ? children[i - 1]?.position?.end.offset : node.position?.start.offset;
      const to = j < children.length ? children[j]?.position?.start.offset : node.position?.end.offset;
      if (from !== undefined && to !== undefined) visit(masked.slice(from, to), from, relatedDepth !== undefined);
      i = j - 1;
    }
  };
  walk(tree);
}

/** Every code cited in a policy body, with its position in the file. */
export function extractReferences(body: string, firstLine: number, pattern: RegExp): Reference[] {
  const references: Reference[] = [];
  const positionAt = positionsIn(parseSource(body).masked, firstLine);
  eachText(body, (source, start, related) => {
    for (const match of source.matchAll(new RegExp(pattern.source, "g"))) {
      const quotedTitle = quotedTitleBefore(source.slice(0, match.index));
      references.push({
        to: match[0],
        ...positionAt(start + match.index),
        ...(quotedTitle ? { quotedTitle } : {}),
        related,
      });
    }
  });
  return references;
}

/** Every loosely written code in a policy body, at its position in the file. */
export function extractLooseCodes(body: string, firstLine: number, pattern: RegExp): LooseCode[] {
  const codes: LooseCode[] = [];
  const positionAt = positionsIn(parseSource(body).masked, firstLine);
  eachText(body, (source, start) => {
    for (const { index, ...loose } of findLooseCodes(source, pattern))
      codes.push({ ...loose, ...positionAt(start + index) });
  });
  return codes;
}
