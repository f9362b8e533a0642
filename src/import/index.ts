// `policypack import`: a legacy page or Word document → a policy source, with every guess listed.
// read (legacy-text.ts, docx.ts) → Markdown tree → normalise (heuristics.ts) → code (code.ts) → text (write.ts)
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { checkMarkdown } from "../check/markdown.ts";
import { splitPolicy } from "../load/policies.ts";
import { scanPlaceholders } from "../template/placeholders.ts";
import type { Diagnostic } from "../types.ts";
import { codeFromLibrary } from "./code.ts";
import { readDocx } from "./docx.ts";
import { normalise } from "./heuristics.ts";
import { readHtml, readMarkdown, readText } from "./legacy-text.ts";
import type { Guess, ImportedPolicy, SourceTree } from "./types.ts";
import { outputPath, policySource } from "./write.ts";

export const EXTENSIONS = [".txt", ".html", ".htm", ".md", ".docx"];

export interface ImportOptions {
  /** The code from --code; otherwise it is looked up in `policiesDir`. */
  code?: string;
  policiesDir: string;
  out: string;
}

export interface ImportResult {
  source: string;
  guesses: Guess[];
  diagnostics: Diagnostic[];
  /** Where the policy goes and what it says; absent when it cannot be imported (no code). */
  output?: { path: string; code: string; title: string; text: string };
}

async function read(file: string): Promise<SourceTree> {
  const extension = extname(file).toLowerCase();
  if (extension === ".docx") return readDocx(await readFile(file));
  const text = await readFile(file, "utf8");
  if (extension === ".html" || extension === ".htm") return readHtml(text);
  if (extension === ".md") return readMarkdown(text);
  return readText(text);
}

/** "old-safeguarding_policy.docx" → "Old Safeguarding Policy": the title of last resort. */
const titleFromFileName = (file: string) =>
  basename(file, extname(file))
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(" ");

export async function importPolicy(file: string, options: ImportOptions): Promise<ImportResult> {
  const { tree, statedTitle } = await read(file);
  const { title: found, reviewMonths, guesses } = normalise(tree, statedTitle);
  const title = found ?? titleFromFileName(file);
  if (!found) guesses.push({ line: 1, kind: "title", message: `"${title}" (from the file name: no title found)` });
  const titleLine = guesses.find((g) => g.kind === "title")?.line ?? 1;

  let code = options.code;
  if (!code) {
    const cited = await codeFromLibrary(title, options.policiesDir);
    if (cited) {
      code = cited.code;
      guesses.push({ line: titleLine, ...cited.guess });
    }
  }
  guesses.push(
    { line: 1, kind: "version", message: '"1.0" (the source states none)' },
    { line: 1, kind: "status", message: "draft: review this import, then set status: approved" },
  );
  guesses.sort((a, b) => a.line - b.line);
  if (!code) {
    return {
      source: file,
      guesses,
      diagnostics: [
        {
          file,
          line: titleLine,
          column: 1,
          severity: "error",
          rule: "missing-code",
          message: `no code for "${title}": no policy in ${options.policiesDir} cites it as "${title} (CODE)"`,
          hint: "pass --code CODE (letters then digits, e.g. DCW40)",
        },
      ],
    };
  }

  const policy: ImportedPolicy = { code, title, version: "1.0", reviewMonths, status: "draft", tree };
  const path = outputPath(options.out, code, title);
  const text = policySource(policy);
  return { source: file, guesses, diagnostics: checkWritten(text, path), output: { path, code, title, text } };
}

/** What `check` would say about the body on its own (leftover {{tokens}}, raw HTML…), at the output file's lines. */
function checkWritten(text: string, path: string): Diagnostic[] {
  const { source } = splitPolicy(text, path);
  if (!source) return [];
  const { problems } = scanPlaceholders(source.body, source.bodyLine);
  return [...problems, ...checkMarkdown(source.body, source.bodyLine)].map((d) => ({ ...d, file: path }));
}
