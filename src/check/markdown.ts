import type { Definition, Node, Parent } from "mdast";
import { isPublishableLink, urlScheme } from "../links.ts";
import { MASK, parseSource } from "../template/source-tree.ts";
import type { Diagnostic } from "../types.ts";

type BodyDiagnostic = Omit<Diagnostic, "file">;

/** A tree deeper than this (inline nesting such as emphasis in emphasis) is reported, not walked. */
export const MAX_TREE_DEPTH = 64;

/** `//host/x.png` (and `\\host`, which browsers read the same way) is fetched from another server. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop these from URLs.
const isProtocolRelative = (url: string) => /^[\\/]{2}/.test(url.replace(/[\u0000-\u0020\u007f-\u009f]/g, ""));

function linkProblem(url: string): Pick<BodyDiagnostic, "rule" | "message" | "hint"> | undefined {
  if (isPublishableLink(url)) return undefined;
  const scheme = urlScheme(url);
  const what = scheme
    ? `a ${scheme}: address`
    : `${url.length > 80 ? `${url.slice(0, 80)}…` : url}, a path from the root or another server's without https:`;
  return {
    rule: "link-scheme",
    message: `a link to ${what}; links may only go to http:, https:, mailto: or tel: addresses or paths relative to the policy`,
    hint: scheme
      ? "link to a web page (https://…), or remove the link"
      : "write the full address (https://…) or a relative path, or remove the link",
  };
}

function imageProblem(url: string): Pick<BodyDiagnostic, "rule" | "message" | "hint"> | undefined {
  const scheme = urlScheme(url);
  if (scheme === "http" || scheme === "https" || (scheme === undefined && isProtocolRelative(url))) {
    return {
      rule: "remote-image",
      message: `the image ${url.length > 80 ? `${url.slice(0, 80)}…` : url} is on another server; a document never makes the reader's browser fetch anything`,
      hint: "put the image in the library and reference it relatively, or remove it",
    };
  }
  if (scheme === undefined) return undefined;
  return {
    rule: "link-scheme",
    message: `an image with a ${scheme}: address; images are files of the library, referenced relatively`,
    hint: "put the image in the library and reference it relatively, or remove it",
  };
}

/** Markdown problems in a policy body; `firstLine` is the body's line in its file. */
export function checkMarkdown(body: string, firstLine: number): BodyDiagnostic[] {
  const found: BodyDiagnostic[] = [];
  const at = (node: Node) => ({
    line: (node.position?.start.line ?? 1) + firstLine - 1,
    column: node.position?.start.column ?? 1,
  });
  const definitions: Definition[] = [];
  const imageLabels = new Set<string>();
  // An explicit stack, not recursion: the depth is checked here, so nothing deeper reaches a renderer.
  const stack: { node: Node; depth: number }[] = [{ node: parseSource(body).tree, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, depth } = item;
    if (depth > MAX_TREE_DEPTH) {
      return [
        {
          ...at(node),
          severity: "error",
          rule: "markdown-depth",
          message: `the Markdown is nested more than ${MAX_TREE_DEPTH} levels deep here`,
          hint: "simplify the emphasis, links and lists around this point",
        },
      ];
    }
    if (node.type === "heading" && (node as Node & { depth: number }).depth === 1) {
      found.push({
        ...at(node),
        severity: "warning",
        rule: "heading-level",
        message: "a level-1 heading in the body; the title comes from front matter",
        hint: "start sections at ## (e.g. ## 1. Purpose)",
      });
    }
    if (node.type === "html") {
      found.push({
        ...at(node),
        severity: "warning",
        rule: "raw-html",
        message: "raw HTML is not published (it is dropped from every output)",
        hint: "write it in Markdown",
      });
    }
    const url = (node as Node & { url?: string }).url;
    if (url?.includes(MASK)) {
      found.push({
        ...at(node),
        severity: "error",
        rule: "placeholder-in-url",
        message: "a placeholder inside a link or image address",
        hint: "organisation values are text only; write the link text with the placeholder instead",
      });
    } else if (url !== undefined) {
      // A definition's use decides whether it is a link or an image: see below.
      if (node.type === "definition") definitions.push(node as Definition);
      const problem = node.type === "image" ? imageProblem(url) : linkProblem(url);
      if (problem) found.push({ ...at(node), severity: "error", ...problem });
    }
    if (node.type === "imageReference") imageLabels.add((node as Node & { identifier: string }).identifier);
    const children = (node as Parent).children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] as Node, depth: depth + 1 });
  }
  for (const definition of definitions) {
    if (!imageLabels.has(definition.identifier)) continue;
    const problem = imageProblem(definition.url);
    if (problem?.rule === "remote-image") found.push({ ...at(definition), severity: "error", ...problem });
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}
