// `policypack import`: a legacy page or Word document → a policy source, with every guess listed.
// read (legacy-text.ts, docx.ts) → Markdown tree → normalise (heuristics.ts) → code (code.ts)
// → citations (loose-codes.ts) → text (write.ts)
import { readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { checkMarkdown } from "../check/markdown.ts";
import { SECTION_NUMBER } from "../check/policies.ts";
import { damagedText, forbiddenCharacters } from "../load/characters.ts";
import { loadOrgSchema } from "../load/orgs.ts";
import { splitPolicy } from "../load/policies.ts";
import { scanPlaceholders } from "../template/placeholders.ts";
import type { Diagnostic } from "../types.ts";
import { codeFromLibrary, libraryPolicies, librarySources } from "./code.ts";
import { officeToDocx, pdfText } from "./convert.ts";
import { decode, lostCharacters } from "./decode.ts";
import { readDocx } from "./docx.ts";
import { applyFieldMap, type FieldMap, readFieldMap } from "./field-map.ts";
import { CONVERTED, checkContent, EXTENSIONS, unsupported } from "./formats.ts";
import { normalise } from "./heuristics.ts";
import { legacyPlaceholders } from "./legacy-placeholders.ts";
import { readHtml, readMarkdown, readText } from "./legacy-text.ts";
import { ImportProblem, LIMITS, megabytes } from "./limits.ts";
import { normaliseCodes } from "./loose-codes.ts";
import { tidyPdfText } from "./pdf-text.ts";
import type { Guess, ImportedPolicy, SourceTree } from "./types.ts";
import type { Revisions } from "./word-xml.ts";
import { outputPath, policySource } from "./write.ts";

export interface ImportOptions {
  /** The code from --code; otherwise it is looked up in `policiesDir`. */
  code?: string;
  /** The title from --title; otherwise the document's, when it can be told beyond doubt. */
  title?: string;
  policiesDir: string;
  /** Where org.schema.json is: its fields are what legacy placeholders may become. */
  orgsDir?: string;
  out: string;
  /** Tracked changes in a Word document: accepted (the default) or refused. */
  revisions?: Revisions;
  /** Where soffice and pdftotext are looked for (PATH); the process's PATH when absent. */
  searchPath?: string;
  /** The tokens of --map and the placeholders they become. */
  fieldMap?: { file: string; map: FieldMap };
}

export interface ImportResult {
  source: string;
  guesses: Guess[];
  diagnostics: Diagnostic[];
  /** Where the policy goes and what it says; absent when it cannot be imported (no code). */
  output?: { path: string; code: string; title: string; text: string };
}

const unreadable = (file: string) => (error: NodeJS.ErrnoException) => {
  const why = error.code === "EACCES" || error.code === "EPERM" ? "permission denied" : error.message;
  throw new ImportProblem("import-format", `cannot read ${file}: ${why}`, "check the file's name and permissions");
};

/** The file read into a tree; a file that cannot be read is an ImportProblem saying why. */
async function read(file: string, options: ImportOptions): Promise<SourceTree> {
  const extension = extname(file).toLowerCase();
  if (!EXTENSIONS.includes(extension) && !CONVERTED.includes(extension)) throw unsupported(file);
  const info = await stat(file).catch(unreadable(file));
  // Checked before opening: a FIFO or a device would never finish reading.
  if (!info.isFile()) {
    const what = info.isDirectory() ? "a folder" : "not a regular file";
    throw new ImportProblem("import-format", `${file} is ${what}`, "name the policy file itself");
  }
  // Word and the formats converted to Word or text are read up to the Word limit.
  const docx = extension === ".docx" || CONVERTED.includes(extension);
  const limit = docx ? LIMITS.docxBytes : LIMITS.textBytes;
  if (info.size > limit) {
    throw new ImportProblem(
      "import-limit",
      `${file} is ${megabytes(info.size)}, more than the ${megabytes(limit)} import reads (a policy is tens of kilobytes)`,
      docx
        ? "remove or compress its pictures in Word (File › Compress Pictures), or split it into one document per policy"
        : "save only the policy's own text (not the whole site), or split it into one file per policy",
    );
  }
  const bytes = await readFile(file).catch(unreadable(file));
  checkContent(file, bytes);
  const searchPath = options.searchPath ?? process.env.PATH ?? "";
  if (extension === ".pdf") {
    const pdf = tidyPdfText(await pdfText(file, searchPath));
    const source = readText(pdf.text);
    return { ...source, notes: pdf.guesses, warnings: lostCharacters(file, pdf.text) };
  }
  if (CONVERTED.includes(extension)) {
    const converted = await readDocx(file, await officeToDocx(file, searchPath), options.revisions);
    const note = {
      line: 1,
      kind: "format",
      message: `converted from ${extension} to .docx by LibreOffice, then read as Word`,
    };
    return { ...converted, notes: [note, ...(converted.notes ?? [])] };
  }
  if (docx) return readDocx(file, bytes, options.revisions);
  const html = extension === ".html" || extension === ".htm";
  const { text, warnings } = decode(file, bytes, html);
  const source = html ? await readHtml(file, text) : extension === ".md" ? readMarkdown(file, text) : readText(text);
  return { ...source, warnings: [...warnings, ...lostCharacters(file, text)] };
}

/** The organisation fields a policy can print (not lists or maps); none when there is no schema to read. */
async function orgFields(orgsDir: string): Promise<string[]> {
  const schema = await loadOrgSchema(orgsDir);
  const properties = typeof schema === "object" ? (schema as { properties?: object }).properties : undefined;
  return Object.entries(properties ?? {})
    .filter(([, definition]) => !["object", "array"].includes((definition as { type?: unknown }).type as string))
    .map(([name]) => name);
}

/** The --map file read against the organisation schema's fields (every problem a diagnostic). */
export async function loadFieldMap(path: string, orgsDir: string) {
  return readFieldMap(path, await orgFields(orgsDir));
}

/** "old-safeguarding_policy.docx" → "Old Safeguarding Policy": the title of last resort. */
const titleFromFileName = (file: string) =>
  basename(file, extname(file))
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(" ");

/** The policy source a file becomes, or the diagnostic saying why it cannot be imported. */
export async function importPolicy(file: string, options: ImportOptions): Promise<ImportResult> {
  try {
    return await convert(file, await read(file, options), options);
  } catch (error) {
    let problem = error;
    // The readers bound nesting before converting; this catches a shape they do not measure.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      problem = new ImportProblem(
        "import-limit",
        `${file} nests too deeply to convert (formatting or links inside each other thousands of times)`,
        "remove the nesting (it is usually left over from repeated copying and pasting), then import it again",
      );
    }
    if (!(problem instanceof ImportProblem)) throw error;
    const { rule, message, hint, at } = problem;
    return { source: file, guesses: [], diagnostics: [{ file, ...at, severity: "error", rule, message, hint }] };
  }
}

async function convert(file: string, source: SourceTree, options: ImportOptions): Promise<ImportResult> {
  const { tree, statedTitle, warnings = [], notes = [] } = source;
  const fields = options.orgsDir ? await orgFields(options.orgsDir) : [];
  // The consultancy's own tokens first: what the map names is never guessed at.
  const mapped = options.fieldMap ? applyFieldMap(tree, options.fieldMap.map, options.fieldMap.file) : [];
  const legacy = legacyPlaceholders(tree, fields, file);
  const { title: found, version, reviewMonths, guesses } = normalise(tree, statedTitle, fields, options.title);
  guesses.push(...notes, ...mapped, ...legacy.guesses);
  warnings.push(...legacy.warnings);
  const title = found ?? titleFromFileName(file);
  const titleLine = guesses.find((g) => g.kind === "title")?.line ?? 1;
  // A title that is a placeholder line or a numbered section is a wrong guess: nothing is written.
  // Nothing is written: the guesses so far, and why not.
  const refuse = (rule: string, message: string, hint: string): ImportResult => ({
    source: file,
    guesses: guesses.sort((a, b) => a.line - b.line),
    diagnostics: [{ file, line: titleLine, column: 1, severity: "error", rule, message, hint }],
  });
  // No title at all: the file's name would be a guess nobody asked for.
  if (!found) {
    return refuse(
      "import-title",
      `no title found: the document starts with neither a title heading nor a title line, so nothing was written (its file name suggests "${title}")`,
      `import it again with --title "the policy's title"`,
    );
  }
  if (!options.title && (/<<|\{\{/.test(title) || SECTION_NUMBER.test(title))) {
    const what = /<<|\{\{/.test(title) ? "a line of placeholders" : "a numbered section";
    return refuse(
      "import-title",
      `no title found: the first line, "${title}", is ${what}, so nothing was written`,
      `import it again with --title "the policy's title"`,
    );
  }

  const library = await librarySources(options.policiesDir);
  let code = options.code;
  if (!code) {
    const cited = codeFromLibrary(title, library);
    if (cited) {
      code = cited.code;
      guesses.push({ line: titleLine, ...cited.guess });
    }
  }
  // Citations written "DCW 31" or "dcw31" become DCW31 (the policy's own code included).
  const citations = normaliseCodes(tree, [...libraryPolicies(library), ...(code ? [{ code, title }] : [])], file);
  guesses.push(...citations.guesses);
  warnings.push(...citations.warnings);
  guesses.push(...(version ? [] : [{ line: 1, kind: "version", message: '"1.0" (the source states none)' }]), {
    line: 1,
    kind: "status",
    message: "draft: review this import, then set status: approved",
  });
  guesses.sort((a, b) => a.line - b.line);
  if (!code) {
    return refuse(
      "missing-code",
      `no code for "${title}": no policy in ${options.policiesDir} cites it as "${title} (CODE)"`,
      "pass --code CODE (letters then digits, e.g. DCW40)",
    );
  }

  const policy: ImportedPolicy = { code, title, version: version ?? "1.0", reviewMonths, status: "draft", tree };
  const path = outputPath(options.out, code, title);
  const text = policySource(policy);
  const diagnostics = [...warnings, ...checkWritten(text, path)];
  return { source: file, guesses, diagnostics, output: { path, code, title, text } };
}

/** What `check` would say about the body on its own (leftover {{tokens}}, raw HTML…), at the output file's lines. */
function checkWritten(text: string, path: string): Diagnostic[] {
  const { source } = splitPolicy(text, path);
  if (!source) return [];
  const { problems } = scanPlaceholders(source.body, source.bodyLine);
  return [
    ...problems,
    ...checkMarkdown(source.body, source.bodyLine),
    // Text damaged before it reached us ("â€™" for ’) and characters no policy may hold: check's errors, said now.
    ...damagedText(source.body, path, source.bodyLine),
    ...forbiddenCharacters(source.body, path, source.bodyLine),
  ].map((d) => ({ ...d, file: path }));
}
