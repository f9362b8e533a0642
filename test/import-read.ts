// What the import tests share: the corpus, whether a converter is installed here, and an imported
// policy read back.
import { execFileSync } from "node:child_process";
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Heading, Root } from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { REPO, runCli, workspace } from "./helpers.ts";

/** The import corpus: realistic inputs, and the policies they must import to (expected/). */
export const CORPUS = join(REPO, "test", "fixtures", "import");

/** Imports one corpus file into a fresh copy of the example library, finding converters on this PATH. */
export async function importCorpus(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "" },
) {
  const dir = await workspace();
  await copyFile(join(CORPUS, name), join(dir, name));
  return { dir, run: await runCli(["import", name, ...args], dir, env) };
}

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
