import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Diagnostic, YamlPositions } from "../types.ts";
import { readSourceText } from "./read.ts";
import { parseYamlWithPositions } from "./yaml.ts";

/** A policy file split into front matter and body; the check stage validates the front matter. */
export interface PolicySource {
  file: string;
  frontMatter: unknown;
  positions: YamlPositions;
  body: string;
  bodyLine: number;
}

const FENCE = /^---[ \t]*$/;

export function splitPolicy(text: string, file: string): { source?: PolicySource; diagnostics: Diagnostic[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const problem = (message: string, hint: string) => ({
    diagnostics: [{ file, line: 1, column: 1, severity: "error" as const, rule: "front-matter", message, hint }],
  });
  if (!FENCE.test(lines[0] ?? "")) {
    return problem(
      "a policy starts with YAML front matter between two `---` lines",
      "begin the file with ---, then code:, title: and version:, then ---",
    );
  }
  const end = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
  if (end === -1)
    return problem("the front matter is never closed", "add a line with --- after the last front-matter key");
  const parsed = parseYamlWithPositions(lines.slice(1, end).join("\n"), file, 2);
  return {
    source: {
      file,
      frontMatter: parsed.data,
      positions: parsed.positions,
      body: lines.slice(end + 1).join("\n"),
      bodyLine: end + 2,
    },
    diagnostics: parsed.diagnostics,
  };
}

export async function loadPolicySources(dir: string): Promise<{ sources: PolicySource[]; diagnostics: Diagnostic[] }> {
  const names = (await readdir(dir))
    .filter((name) => name.endsWith(".md") && name.toLowerCase() !== "readme.md")
    .sort();
  const sources: PolicySource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const read = await readSourceText(file);
    if (read.diagnostics) {
      diagnostics.push(...read.diagnostics);
      continue;
    }
    const split = splitPolicy(read.text, file);
    diagnostics.push(...split.diagnostics);
    if (split.source) sources.push(split.source);
  }
  return { sources, diagnostics };
}

/** Where a library keeps its translations into a language: policies/cy/ for Welsh. */
export const translationDir = (policiesDir: string, language: string) => join(policiesDir, language);

/** The translations into one language; none when the library has no folder for it. */
export async function loadTranslationSources(policiesDir: string, language: string) {
  const dir = translationDir(policiesDir, language);
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return exists ? loadPolicySources(dir) : { sources: [], diagnostics: [] };
}

export function fileStem(file: string): string {
  return basename(file).replace(/\.md$/, "");
}
