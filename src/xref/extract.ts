import type { Heading, Node, Parent } from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import { parseSource, positionsIn } from "../template/source-tree.ts";
import type { Reference } from "../types.ts";

/** Matches the library's codes: its own prefixes followed by digits (DCW13, HR4 …). */
export function codePattern(codes: readonly string[]): RegExp {
  const prefixes = [...new Set(codes.map((code) => code.replace(/\d+$/, "")))].sort((a, b) => b.length - a.length);
  return new RegExp(`\\b(?:${prefixes.join("|") || "(?!)"})\\d+\\b`, "g");
}

const CONNECTORS = new Set(["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with", "&"]);

/**
 * The title written before "(CODE)": the run of capitalised words (and the small words between
 * them) that ends at the bracket, e.g. "in line with the Disciplinary and Grievance Policy (" →
 * "Disciplinary and Grievance Policy".
 */
export function quotedTitleBefore(before: string): string | undefined {
  if (!/\(\s*$/.test(before)) return undefined;
  const tokens = before
    .replace(/\(\s*$/, "")
    .trim()
    .split(/\s+/);
  const taken: string[] = [];
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as string;
    if (/[.:;!?]$/.test(token) && !/^\(.*\)$/.test(token)) break; // the previous sentence
    const word = token.replace(/^[("'“‘]+|[)"'”’,]+$/g, "");
    if (/^\p{Lu}/u.test(word) || CONNECTORS.has(word.toLowerCase())) taken.unshift(token);
    else break;
  }
  // "See the X Policy": a capitalised verb starting the sentence is not part of the title.
  if (taken.length > 2 && ["the", "a", "an"].includes((taken[1] as string).toLowerCase())) taken.shift();
  while (taken.length > 0 && CONNECTORS.has((taken[0] as string).toLowerCase())) taken.shift();
  const title = taken.join(" ").replace(/,$/, "");
  return title || undefined;
}

/** Titles compare without case, punctuation or a trailing "Policy". */
export function normaliseTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/\s*\bpolicy$/, "");
}

/** Every code cited in a policy body, with its position in the file. */
export function extractReferences(body: string, firstLine: number, pattern: RegExp): Reference[] {
  const { tree, masked } = parseSource(body);
  const references: Reference[] = [];
  const positionAt = positionsIn(masked, firstLine);

  let relatedDepth: number | undefined;
  const visit = (node: Node) => {
    if (node.type === "heading") {
      const depth = (node as Heading).depth;
      if (relatedDepth !== undefined && depth <= relatedDepth) relatedDepth = undefined;
      if (/related polic/i.test(nodeText(node))) relatedDepth = depth;
    }
    if (node.type === "text" && node.position?.start.offset !== undefined && node.position.end.offset !== undefined) {
      // Read the source itself, not the node's value, so offsets are exact even after escapes.
      const start = node.position.start.offset;
      const source = masked.slice(start, node.position.end.offset);
      for (const match of source.matchAll(new RegExp(pattern.source, "g"))) {
        const quotedTitle = quotedTitleBefore(source.slice(0, match.index));
        references.push({
          to: match[0],
          ...positionAt(start + match.index),
          ...(quotedTitle ? { quotedTitle } : {}),
          related: relatedDepth !== undefined,
        });
      }
      return;
    }
    // Code and link addresses are not citations.
    if (node.type === "inlineCode" || node.type === "code" || node.type === "html") return;
    for (const child of (node as Parent).children ?? []) visit(child);
  };
  visit(tree);
  return references;
}
