// Readers for legacy pages: plain text, Markdown and HTML, each into a Markdown tree with the
// source's line numbers. No heuristics here: they run on the tree (heuristics.ts).
import type { Element, Nodes as HastNodes, Root as HastRoot } from "hast";
import type { List, Node, Parent, Root } from "mdast";
import { toString as mdastText } from "mdast-util-to-string";
import rehypeParse from "rehype-parse";
import rehypeRemark from "rehype-remark";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { parse as parseYaml } from "yaml";
import { positionsIn } from "../template/positions.ts";
import { htmlTooDeepAt } from "./html-depth.ts";
import { ImportProblem, LIMITS } from "./limits.ts";
import type { Guess, SourceTree } from "./types.ts";

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
export function readMarkdown(file: string, text: string): SourceTree {
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
  const deepLine = markdownTooDeepAt(source, LIMITS.depth);
  if (deepLine !== undefined) throw tooDeep(file, { line: deepLine, column: 1 }, "quotes or lists");
  const busyLine = tooManyDelimitersAt(source, LIMITS.delimiters);
  if (busyLine !== undefined) {
    throw new ImportProblem(
      "import-limit",
      `${file} has a paragraph with more than ${LIMITS.delimiters} emphasis and link marks (* _ [ ]); no policy does, and the Markdown parser slows down without end on them`,
      "split the paragraph, or remove the stray marks",
      { line: busyLine, column: 1 },
    );
  }
  const tree = unified().use(remarkParse).use(remarkGfm).parse(source);
  const deep = deepestNode(tree, LIMITS.depth);
  if (deep) throw tooDeep(file, deep.position?.start ?? { line: 1, column: 1 }, "Markdown");
  return statedTitle ? { tree, statedTitle } : { tree };
}

// Page furniture that is never policy text: by element, and by the class or id that blog and CMS
// themes (WordPress above all) give their share buttons, post details, comments and site chrome.
const CHROME_ELEMENTS = new Set(["nav", "form", "aside", "script", "style", "noscript", "template", "iframe"]);
const CHROME_NAMES =
  /^(?:sharedaddy|share|sharing|share-buttons|social-share|jp-relatedposts|related-posts|entry-meta|entry-footer|post-meta|byline|posted-on|cat-links|tags-links|comments|comments-area|comment-respond|respond|nav-links|post-navigation|breadcrumbs?|widget|widget-area|sidebar|site-header|site-footer|site-branding|masthead|colophon|skip-link|screen-reader-text|wp-block-buttons|wp-block-social-links)$/i;

const namesOf = (element: Element) => [
  ...(Array.isArray(element.properties.className) ? element.properties.className.map(String) : []),
  ...(typeof element.properties.id === "string" ? [element.properties.id] : []),
];

/** Why an element is chrome ("comments-area", "nav"), or undefined when it may be policy text. */
function chromeName(element: Element): string | undefined {
  if (CHROME_ELEMENTS.has(element.tagName)) return element.tagName;
  if (element.properties.hidden !== undefined || element.properties.ariaHidden === "true") return "hidden";
  return namesOf(element).find((name) => CHROME_NAMES.test(name));
}

/** Drops chrome and HTML comments (the block editor's <!-- wp:paragraph -->); returns what went. */
function dropChromeElements(node: HastNodes, dropped: Map<string, number> = new Map()): Map<string, number> {
  if (!("children" in node)) return dropped;
  node.children = node.children.filter((child) => {
    if (child.type === "comment") return false;
    const name = child.type === "element" ? chromeName(child) : undefined;
    if (name) dropped.set(name, (dropped.get(name) ?? 0) + 1);
    return !name;
  }) as typeof node.children;
  for (const child of node.children) dropChromeElements(child, dropped);
  return dropped;
}

/** The element holding the article itself: a blog post's content, else the page's article or main part. */
function articleBody(root: HastNodes): { element: Element; what: string } | undefined {
  const find = (test: (element: Element) => boolean) => findElementBy(root, test);
  for (const name of ["entry-content", "post-content", "article-content"]) {
    const element = find((e) => namesOf(e).includes(name));
    if (element) return { element, what: `<${element.tagName} class="${name}">` };
  }
  const element =
    find((e) => e.tagName === "article") ?? find((e) => e.tagName === "main" || e.properties.role === "main");
  return element && { element, what: `<${element.tagName}>` };
}

function findElementBy(node: HastNodes, test: (element: Element) => boolean): Element | undefined {
  if (node.type === "element" && test(node)) return node;
  if (!("children" in node)) return undefined;
  for (const child of node.children) {
    const found = findElementBy(child, test);
    if (found) return found;
  }
  return undefined;
}

const findElement = (node: HastNodes, tagName: string) => findElementBy(node, (e) => e.tagName === tagName);

const textOf = (node: HastNodes): string =>
  node.type === "text" ? node.value : "children" in node ? node.children.map(textOf).join("") : "";

const tooDeep = (file: string, at: { line: number; column: number }, what: string) =>
  new ImportProblem(
    "import-limit",
    `${file} nests ${what} more than ${LIMITS.depth} deep; no policy does, and deeper nesting cannot be converted`,
    "remove the nesting (it is usually left over from repeated copying and pasting), then import it again",
    { line: at.line, column: at.column },
  );

/**
 * The first line whose quote and list markers and indentation (two columns a level) nest deeper
 * than `limit`: measured before parsing, since the parser slows down and overflows on such input.
 */
function markdownTooDeepAt(text: string, limit: number): number | undefined {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const prefix = /^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*/.exec(lines[i] as string)?.[0] ?? "";
    const markers = prefix.match(/>|[-*+]|\d{1,9}[.)]/g)?.length ?? 0;
    const columns = prefix.replace(/\t/g, "    ").replace(/[^ ]/g, "").length;
    if (markers + Math.floor(columns / 2) > limit) return i + 1;
  }
  return undefined;
}

/** The first line of a block (lines between blank lines) with more than `limit` of `* _ [ ]`. */
function tooManyDelimitersAt(text: string, limit: number): number | undefined {
  let count = 0;
  let start = 1;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") {
      count = 0;
      start = i + 2;
      continue;
    }
    count += line.length - line.replace(/[*_[\]]/g, "").length;
    if (count > limit) return start;
  }
  return undefined;
}

/** The first node nested deeper than `limit`, found without recursion. */
function deepestNode(tree: Root, limit: number): Root["children"][number] | undefined {
  const pending: [Node, number][] = [[tree, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (depth > limit) return node as Root["children"][number];
    for (const child of (node as Parent).children ?? []) pending.push([child, depth + 1]);
  }
  return undefined;
}

/** HTML (a saved web page, or mammoth's output): navigation and forms dropped, `<title>` kept aside. */
export async function readHtml(file: string, html: string): Promise<SourceTree> {
  const deepAt = htmlTooDeepAt(html, LIMITS.depth);
  if (deepAt !== undefined) throw tooDeep(file, positionsIn(html, 1)(deepAt), "HTML elements");
  const hast = unified().use(rehypeParse).parse(html) as HastRoot;
  const titleElement = findElement(hast, "title");
  // "Policy title – Site name": the site name is chrome.
  const statedTitle = titleElement
    ? textOf(titleElement)
        .split(/\s+[|–—-]\s+/)[0]
        ?.trim()
    : undefined;
  const notes: Guess[] = [];
  // A blog post's own title is the heading its theme marks as such, not the browser tab's text.
  const entryTitle = findElementBy(hast, (e) => /^h[1-3]$/.test(e.tagName) && namesOf(e).includes("entry-title"));
  const body = articleBody(hast);
  const page: HastRoot = body ? { type: "root", children: [body.element] } : hast;
  if (body) {
    notes.push({
      line: body.element.position?.start.line ?? 1,
      kind: "chrome",
      message: `kept the article, ${body.what}, and dropped the rest of the page (site header, menus, sidebars, footer)`,
    });
  }
  const dropped = dropChromeElements(page);
  if (dropped.size > 0) {
    const list = [...dropped].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name)).join(", ");
    notes.push({ line: 1, kind: "chrome", message: `dropped page furniture inside it: ${list}` });
  }
  const tree = (await unified().use(rehypeRemark).run(page)) as Root;
  // Spacer paragraphs (<p>&nbsp;</p>) carry nothing.
  tree.children = tree.children.filter((node) => !(node.type === "paragraph" && mdastText(node).trim() === ""));
  const title = (entryTitle && textOf(entryTitle).trim()) || statedTitle;
  return { tree, ...(title ? { statedTitle: title } : {}), ...(notes.length > 0 ? { notes } : {}) };
}
