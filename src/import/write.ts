// The last stage: front matter + Markdown text, the file name, and the (atomic) write.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Node, Parent, Text } from "mdast";
import remarkGfm from "remark-gfm";
import remarkStringify from "remark-stringify";
import { unified } from "unified";
import { stringify as toYaml } from "yaml";
import type { Diagnostic } from "../types.ts";
import { writeFileAtomic } from "../write/atomic.ts";
import type { ImportedPolicy } from "./types.ts";

const stringifier = unified()
  .use(remarkGfm)
  .use(remarkStringify, { bullet: "-", emphasis: "*", strong: "*", rule: "-", listItemIndent: "one", fences: true });

// A placeholder is swapped for private-use characters while stringifying: the stringifier would
// otherwise escape its "<" (it could start HTML) and sometimes its "_".
const OPEN = "\uE000";
const CLOSE = "\uE001";

function protectPlaceholders(node: Node, saved: string[]): void {
  if (node.type === "text") {
    const text = node as Text;
    text.value = text.value.replace(/<<[^<>\n]*?>>/g, (placeholder) => `${OPEN}${saved.push(placeholder) - 1}${CLOSE}`);
  }
  for (const child of (node as Parent).children ?? []) protectPlaceholders(child, saved);
}

/** The policy source: YAML front matter, then the body as Markdown. */
export function policySource(policy: ImportedPolicy): string {
  const saved: string[] = [];
  const tree = structuredClone(policy.tree);
  protectPlaceholders(tree, saved);
  const body = stringifier
    .stringify(tree)
    .replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g"), (_match, i: string) => saved[Number(i)] as string);
  const front = toYaml({
    code: policy.code,
    title: policy.title,
    version: policy.version,
    review_months: policy.reviewMonths,
    status: policy.status,
  });
  return `---\n${front}---\n\n${body}`;
}

/** "Using Social Media Platforms Policy" → "using-social-media-platforms", as the library's file names. */
export function slugify(title: string): string {
  return title
    .replace(/\s+polic(y|ies)\s*$/i, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export const outputPath = (out: string, code: string, title: string) => join(out, `${code}-${slugify(title)}.md`);

/** Another file of `out` that already has this code (the library would then have the code twice). */
export async function otherFileWithCode(out: string, code: string, path: string): Promise<string | undefined> {
  if (!existsSync(out)) return undefined;
  const name = (await readdir(out)).find(
    (file) => file.startsWith(`${code}-`) && file.endsWith(".md") && join(out, file) !== path,
  );
  return name && join(out, name);
}

export const writePolicy = (path: string, text: string) => writeFileAtomic(path, text);

/**
 * Writes an imported policy, or returns the error saying why not: another file of `out` has its
 * code, or its file exists and `force` is off. Shared by the import command and the API.
 */
export async function savePolicy(
  source: string,
  output: { path: string; code: string; text: string },
  out: string,
  force: boolean,
): Promise<Diagnostic | undefined> {
  const refuse = (rule: string, message: string, hint: string): Diagnostic => ({
    file: source,
    line: 1,
    column: 1,
    severity: "error",
    rule,
    message,
    hint,
  });
  const other = await otherFileWithCode(out, output.code, output.path);
  if (other) return refuse("duplicate-code", `${output.code} is already used by ${other}`, "pass another --code");
  if (existsSync(output.path) && !force) {
    return refuse("file-exists", `${output.path} already exists; nothing written`, "pass --force to overwrite it");
  }
  await writePolicy(output.path, output.text);
  return undefined;
}
