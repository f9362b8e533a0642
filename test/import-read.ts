// What the import tests share: whether a converter is installed here, and an imported policy read back.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { Heading, Root } from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";

/** Whether a program is on the PATH (soffice, pdftotext): tests that need one skip, saying why, without it. */
export function installed(program: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The written policy: front matter text, and its body as a Markdown tree. */
export async function writtenPolicy(path: string): Promise<{ front: string; body: string; tree: Root }> {
  const text = await readFile(path, "utf8");
  const [, front = "", body = ""] = /^---\n([\s\S]*?)\n---\n\n?([\s\S]*)$/.exec(text) ?? [];
  return { front, body, tree: unified().use(remarkParse).use(remarkGfm).parse(body) };
}

/** Each heading of a tree as [depth, text]. */
export const headingsOf = (tree: Root) =>
  tree.children.filter((n): n is Heading => n.type === "heading").map((h) => [h.depth, nodeText(h)]);
