import type { Image, Parent, Root, RootContent, Text } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { type Expansion, LITERAL_TOKEN, type Literal } from "../template/expand.ts";
import type { Logo } from "../types.ts";

const parser = unified().use(remarkParse).use(remarkGfm);

interface LiteralContext {
  literals: Literal[];
  logo?: Logo;
  orgName: string;
}

function literalText(context: LiteralContext, index: number): string {
  const literal = context.literals[index];
  return literal?.kind === "text" ? literal.text : context.orgName;
}

/** Splits a text node at literal tokens; the logo token becomes an image node. */
function restoreText(node: Text, context: LiteralContext): RootContent[] {
  const out: RootContent[] = [];
  let buffer = "";
  let last = 0;
  for (const match of node.value.matchAll(LITERAL_TOKEN)) {
    buffer += node.value.slice(last, match.index);
    last = match.index + match[0].length;
    const index = Number(match[1]);
    if (context.literals[index]?.kind === "logo" && context.logo) {
      if (buffer) out.push({ type: "text", value: buffer });
      buffer = "";
      const image: Image = { type: "image", url: context.logo.dataUri, alt: `${context.orgName} logo` };
      out.push(image);
    } else {
      // Its own node, marked: a value is text only, never a cross-reference (see xref/link.ts).
      if (buffer) out.push({ type: "text", value: buffer });
      buffer = "";
      out.push({ type: "text", value: literalText(context, index), data: { literal: true } });
    }
  }
  buffer += node.value.slice(last);
  if (buffer) out.push({ type: "text", value: buffer });
  return out;
}

function restore(node: Parent | RootContent, context: LiteralContext): void {
  const replaceIn = (value: string) =>
    value.replace(LITERAL_TOKEN, (_m, index: string) => literalText(context, Number(index)));
  for (const key of ["value", "alt", "title", "url"] as const) {
    const record = node as unknown as Record<string, unknown>;
    if (node.type !== "text" && typeof record[key] === "string") record[key] = replaceIn(record[key] as string);
  }
  if (!("children" in node)) return;
  const children: RootContent[] = [];
  for (const child of node.children as RootContent[]) {
    if (child.type === "text") children.push(...restoreText(child, context));
    else {
      restore(child, context);
      children.push(child);
    }
  }
  (node as Parent).children = children;
}

// Parsing is most of the cost of a document, and most organisations expand a policy to the same
// tokenised Markdown: keep recent trees and copy them.
const parsed = new Map<string, Root>();
const PARSED_LIMIT = 256;

function parse(markdown: string): Root {
  let tree = parsed.get(markdown);
  if (!tree) {
    tree = parser.runSync(parser.parse(markdown)) as Root;
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(markdown, tree);
  }
  return copyTree(tree);
}

/**
 * A deep copy of a Markdown tree, which is plain objects and arrays: a seventh of the time of
 * structuredClone (0.6 against 4.4 ms a policy), for every document of every build. Anything
 * else in it is copied by structuredClone.
 */
function copyTree<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyTree) as T;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyTree((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** The Markdown tree of an expanded policy, with every org value back as literal text. */
export function policyTree(expansion: Expansion, orgName: string, logo?: Logo): Root {
  const tree = parse(expansion.markdown);
  restore(tree, { literals: expansion.literals, orgName, ...(logo ? { logo } : {}) });
  return tree;
}
