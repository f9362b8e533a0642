// Readers for legacy pages: plain text, Markdown and HTML, each into a Markdown tree with the
// source's line numbers. No heuristics here: they run on the tree (heuristics.ts).
import type { Element, Nodes as HastNodes, Root as HastRoot } from "hast";
import type { List, Paragraph, Root } from "mdast";
import rehypeParse from "rehype-parse";
import rehypeRemark from "rehype-remark";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { parse as parseYaml } from "yaml";
import type { SourceTree } from "./types.ts";

const at = (line: number, column = 1) => ({ line, column });

/**
 * Plain text (a web page saved as text): blocks are separated by blank lines, each block is a
 * paragraph (its lines kept as soft breaks), and a block whose every line starts with a bullet
 * character is a list.
 */
export function readText(text: string): SourceTree {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const tree: Root = { type: "root", children: [] };
  let start = 0;
  const flush = (end: number) => {
    const block = lines.slice(start, end);
    if (block.length === 0) return;
    const position = { start: at(start + 1), end: at(end, (block.at(-1) as string).length + 1) };
    if (block.every((line) => /^\s*[•\-*–]\s+/.test(line))) {
      const list: List = { type: "list", ordered: false, spread: false, position, children: [] };
      block.forEach((line, i) => {
        const item = line.replace(/^\s*[•\-*–]\s+/, "").trim();
        const where = { start: at(start + i + 1), end: at(start + i + 1, line.length + 1) };
        list.children.push({
          type: "listItem",
          spread: false,
          position: where,
          children: [{ type: "paragraph", position: where, children: [{ type: "text", value: item }] }],
        });
      });
      tree.children.push(list);
    } else {
      const value = block.map((line) => line.trim()).join("\n");
      tree.children.push({ type: "paragraph", position, children: [{ type: "text", value, position }] });
    }
  };
  lines.forEach((line, i) => {
    if (line.trim() !== "") return;
    flush(i);
    start = i + 1;
  });
  flush(lines.length);
  return { tree };
}

/**
 * Markdown: `<<x>>` is read as `{{x}}` (the heuristics turn both into `<<x>>`), so `<</if>>` is
 * never parsed as HTML; front matter is dropped, keeping its title.
 */
export function readMarkdown(text: string): SourceTree {
  let source = text.replace(/^\uFEFF/, "");
  let statedTitle: string | undefined;
  const front = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(source);
  if (front) {
    const data = (() => {
      try {
        return parseYaml(front[1] as string) as unknown;
      } catch {
        return undefined;
      }
    })();
    const title = (data as { title?: unknown } | undefined)?.title;
    if (typeof title === "string") statedTitle = title;
    // Blank lines instead of the front matter keep every line number the source's.
    source = "\n".repeat(front[0].split("\n").length - 1) + source.slice(front[0].length);
  }
  source = source.replace(/<<([^<>\n]*?)>>/g, "{{$1}}");
  const tree = unified().use(remarkParse).use(remarkGfm).parse(source);
  return statedTitle ? { tree, statedTitle } : { tree };
}

// Page furniture that is never policy text.
const CHROME_ELEMENTS = new Set(["nav", "form", "aside", "script", "style", "noscript", "template", "iframe"]);

function dropChromeElements(node: HastNodes): void {
  if (!("children" in node)) return;
  node.children = node.children.filter(
    (child) => !(child.type === "element" && CHROME_ELEMENTS.has(child.tagName)),
  ) as typeof node.children;
  for (const child of node.children) dropChromeElements(child);
}

function findElement(node: HastNodes, tagName: string): Element | undefined {
  if (node.type === "element" && node.tagName === tagName) return node;
  if (!("children" in node)) return undefined;
  for (const child of node.children) {
    const found = findElement(child, tagName);
    if (found) return found;
  }
  return undefined;
}

const textOf = (node: HastNodes): string =>
  node.type === "text" ? node.value : "children" in node ? node.children.map(textOf).join("") : "";

/** HTML (a saved web page, or mammoth's output): navigation and forms dropped, `<title>` kept aside. */
export async function readHtml(html: string): Promise<SourceTree> {
  const hast = unified().use(rehypeParse).parse(html) as HastRoot;
  const titleElement = findElement(hast, "title");
  // "Policy title – Site name": the site name is chrome.
  const statedTitle = titleElement
    ? textOf(titleElement)
        .split(/\s+[|–—-]\s+/)[0]
        ?.trim()
    : undefined;
  dropChromeElements(hast);
  const tree = (await unified().use(rehypeRemark).run(hast)) as Root;
  // Spacer paragraphs (<p>&nbsp;</p>) carry nothing.
  tree.children = tree.children.filter(
    (node) => !(node.type === "paragraph" && (node as Paragraph).children.length === 0),
  );
  return statedTitle ? { tree, statedTitle } : { tree };
}
