// Word documents: the archive is checked (size, entries, DOCTYPE, nesting) before mammoth turns
// it into HTML; then the HTML reader makes the Markdown tree.
import mammoth from "mammoth";
import type { Diagnostic } from "../types.ts";
import { lostCharacters } from "./decode.ts";
import { readHtml } from "./legacy-text.ts";
import { ImportProblem, LIMITS, megabytes } from "./limits.ts";
import { type SourceTree, WORD_IMAGE } from "./types.ts";
import { unzip, zipEntries } from "./zip.ts";

/**
 * Word's Title style is the policy title (h1); Heading 1–3 are the policy's sections (## – ####),
 * since a policy has no level-1 heading in its body.
 */
const STYLE_MAP = [
  "p[style-name='Title'] => h1:fresh",
  "p[style-name='Heading 1'] => h2:fresh",
  "p[style-name='Heading 2'] => h3:fresh",
  "p[style-name='Heading 3'] => h4:fresh",
];

/** Pictures are never read (a policy body has none): each becomes a marker the image rule drops and reports. */
const convertImage = mammoth.images.imgElement(async () => ({ src: WORD_IMAGE }));

/** Other Office and OpenDocument files are zip archives too: say which one this is. */
function otherZip(names: Set<string>): string {
  if (names.has("mimetype") || names.has("content.xml")) return "an OpenDocument file (.odt, .ods…)";
  if ([...names].some((name) => name.startsWith("xl/"))) return "an Excel workbook";
  if ([...names].some((name) => name.startsWith("ppt/"))) return "a PowerPoint presentation";
  return "a zip archive without word/document.xml";
}

/** The main document part, as _rels/.rels names it (word/document.xml in every Word file). */
function mainPart(rels: Uint8Array | undefined): string {
  const text = rels ? new TextDecoder().decode(rels) : "";
  const target = /<Relationship\b[^>]*Type="[^"]*\/officeDocument"[^>]*Target="\/?([^"]+)"/.exec(text)?.[1];
  return target ?? "word/document.xml";
}

/** How deeply the elements of an XML part nest, past `limit` answered as soon as it is reached. */
export function xmlDepthExceeds(xml: string, limit: number): boolean {
  let depth = 0;
  for (const match of xml.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (match[1]) depth--;
    else if (!match[2] && ++depth > limit) return true;
  }
  return false;
}

export async function readDocx(file: string, bytes: Buffer): Promise<SourceTree> {
  const entries = zipEntries(file, bytes);
  const names = new Set(entries.map((entry) => entry.name));
  const parts = unzip(file, bytes, entries, (name) => /\.(xml|rels)$/i.test(name));
  const main = mainPart(parts.get("_rels/.rels"));
  if (!names.has(main)) {
    throw new ImportProblem(
      "import-format",
      `${file} is not a Word document: it is ${otherZip(names)}`,
      "open it in Word or LibreOffice and save it as .docx (Word Document)",
    );
  }
  const xmlBytes = [...parts.values()].reduce((sum, data) => sum + data.length, 0);
  if (xmlBytes > LIMITS.xmlBytes) {
    throw new ImportProblem(
      "import-limit",
      `${file} has ${megabytes(xmlBytes)} of text and formatting (its XML parts), more than the ${megabytes(LIMITS.xmlBytes)} import reads (a long policy has about 1 MB)`,
      "split it into one document per policy, or copy its text into a new document to shed old formatting",
    );
  }
  for (const [name, data] of parts) {
    // NULs dropped: a part saved as UTF-16 must not hide its DOCTYPE from the test below.
    const xml = new TextDecoder().decode(data).replaceAll("\0", "");
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
      throw new ImportProblem(
        "import-unsafe",
        `${file} is refused: its part ${name} declares a DOCTYPE${/<!ENTITY/i.test(xml) ? " with entities" : ""}, which Word never writes (entities can read other files or expand without end)`,
        "if the document is genuine, open it in Word and save it again as .docx; otherwise treat it as hostile",
      );
    }
    if (xmlDepthExceeds(xml, LIMITS.depth)) {
      throw new ImportProblem(
        "import-limit",
        `${file}: its part ${name} nests elements more than ${LIMITS.depth} deep (tables inside tables?)`,
        "open it in Word, flatten the nested tables or lists, and save it again",
      );
    }
  }
  let html: string;
  try {
    ({ value: html } = await mammoth.convertToHtml({ buffer: bytes }, { styleMap: STYLE_MAP, convertImage }));
  } catch (error) {
    throw new ImportProblem(
      "import-format",
      `${file} is not a readable Word document: ${(error as Error).message}`,
      "open it in Word or LibreOffice and save it again as .docx",
    );
  }
  if (html.length > LIMITS.textBytes) {
    throw new ImportProblem(
      "import-limit",
      `${file} holds ${megabytes(html.length)} of text, more than the ${megabytes(LIMITS.textBytes)} a policy may (a policy is tens of kilobytes)`,
      "split it into one document per policy",
    );
  }
  // mammoth writes one line; a line per block makes "line" in the guess report the paragraph number.
  const lines = html.replace(/(<\/(?:p|h[1-6]|li|tr)>)/g, "$1\n");
  const read = await readHtml(file, lines);
  return { ...read, warnings: [...lostCharacters(file, lines), ...reviewMarks(file, parts, main)] };
}

/**
 * Tracked changes and comments, which mammoth resolves without a word (insertions kept, deletions
 * and comments left out): said, so nobody approves an import believing it is the reviewed text.
 */
function reviewMarks(file: string, parts: Map<string, Uint8Array>, main: string): Diagnostic[] {
  const text = (name: string) => new TextDecoder().decode(parts.get(name) ?? new Uint8Array());
  const count = (xml: string, element: string) => xml.match(new RegExp(`<w:${element}[\\s>]`, "g"))?.length ?? 0;
  const body = text(main);
  const insertions = count(body, "ins");
  const deletions = count(body, "del");
  const comments = count(text("word/comments.xml"), "comment");
  const found: Diagnostic[] = [];
  const warn = (message: string, hint: string) =>
    found.push({ file, line: 1, column: 1, severity: "warning", rule: "import-revisions", message, hint });
  if (insertions + deletions > 0) {
    warn(
      `${file} has tracked changes (${insertions} insertion${insertions === 1 ? "" : "s"}, ${deletions} deletion${deletions === 1 ? "" : "s"}): imported as if all were accepted`,
      "accept or reject them in Word and import it again, if the policy should not say what they propose",
    );
  }
  if (comments > 0) {
    warn(
      `${file} has ${comments} comment${comments === 1 ? "" : "s"}, which ${comments === 1 ? "is" : "are"} not carried into the policy`,
      "read them in Word before approving the import",
    );
  }
  return found;
}
