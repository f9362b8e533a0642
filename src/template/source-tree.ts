import type { Node, Parent, Root } from "mdast";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";

const parser = unified().use(remarkParse).use(remarkGfm);

/** What a placeholder is masked with: a private-use character Markdown reads as a letter. */
export const MASK = "\uE002";

/**
 * The Markdown tree of a policy body as written, before any values are filled in. Placeholders
 * are masked with a same-length run of MASK, so `<</if>>` does not read as HTML and every
 * position (line, column, offset) is the source's.
 */
export function parseSource(body: string): { tree: Root; masked: string } {
  // Several checks read the same source tree; they only read it, so one parse serves them all.
  const cached = parsed.get(body);
  if (cached) return cached;
  const masked = body.replace(/<<[^<>\n]*?>>/g, (m) => MASK.repeat(m.length));
  const result = { tree: parser.parse(masked), masked };
  if (parsed.size >= 512) parsed.clear();
  parsed.set(body, result);
  return result;
}

const parsed = new Map<string, { tree: Root; masked: string }>();

/**
 * Whether a policy body has emphasis, so that its pack needs the italic fonts: org values are
 * never Markdown, so the source tells. (An explicit stack: a deep tree is walked all the same.)
 */
export function hasEmphasis(body: string): boolean {
  const stack: Node[] = [parseSource(body).tree];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === "emphasis") return true;
    stack.push(...((node as Parent).children ?? []));
  }
  return false;
}
