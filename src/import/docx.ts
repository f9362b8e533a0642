// Word documents: the archive is checked (size, entries, DOCTYPE, nesting) before mammoth turns
// it into HTML; then the HTML reader makes the Markdown tree.
import { zipSync } from "fflate";
import mammoth from "mammoth";
import type { Diagnostic } from "../types.ts";
import { lostCharacters } from "./decode.ts";
import { readHtml } from "./legacy-text.ts";
import { ImportProblem, LIMITS, megabytes } from "./limits.ts";
import { type Guess, type SourceTree, WORD_IMAGE } from "./types.ts";
import {
  BODY_ELEMENTS,
  MADE_STYLES,
  mergeFields,
  type Revisions,
  rejectRevisions,
  STYLE_ELEMENTS,
  unbalancedIn,
  wordHeadings,
} from "./word-xml.ts";
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
  // The styles word-xml.ts gives bold paragraphs it reads as headings.
  ...MADE_STYLES.map((id, i) => `p.${id} => h${i + 1}:fresh`),
];

/**
 * A placeholder whose pieces Word put in different runs ("{{org_field_" plain, "name}}" bold):
 * the formatting inside it moves to its end, so the token reads whole.
 */
const INLINE_TAG = "</?(?:strong|em|u|s|sup|sub)>";
const SPLIT_TOKEN = new RegExp(
  `(\\{\\{|\\{|&lt;&lt;|«|\\[)((?:[\\w\\s.,'’&;()/-]|${INLINE_TAG}){1,200}?)(\\}\\}|\\}|&gt;&gt;|»|\\])`,
  "g",
);
const CLOSES: Record<string, string> = { "{{": "}}", "{": "}", "&lt;&lt;": "&gt;&gt;", "«": "»", "[": "]" };
export function mergeSplitTokens(html: string): string {
  return html.replace(SPLIT_TOKEN, (whole, open: string, inside: string, close: string) => {
    const tags = inside.match(new RegExp(INLINE_TAG, "g"));
    if (!tags || CLOSES[open] !== close) return whole;
    return `${open}${inside.replace(new RegExp(INLINE_TAG, "g"), "")}${close}${tags.join("")}`;
  });
}

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

export async function readDocx(file: string, bytes: Buffer, revisions: Revisions = "accept"): Promise<SourceTree> {
  const entries = zipEntries(file, bytes);
  const names = new Set(entries.map((entry) => entry.name));
  // Every entry is kept (the limits bound them): the rewritten archive is what mammoth reads.
  const all = unzip(file, bytes, entries, () => true);
  const parts = new Map([...all].filter(([name]) => /\.(xml|rels)$/i.test(name)));
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
  const prepared = prepare(file, parts, main, revisions);
  all.set(main, new TextEncoder().encode(prepared.xml));
  let html: string;
  try {
    const buffer = Buffer.from(zipSync(Object.fromEntries(all)));
    ({ value: html } = await mammoth.convertToHtml({ buffer }, { styleMap: STYLE_MAP, convertImage }));
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
  const lines = mergeSplitTokens(html).replace(/(<\/(?:p|h[1-6]|li|tr)>)/g, "$1\n");
  const read = await readHtml(file, lines);
  return {
    ...read,
    notes: [...(read.notes ?? []), ...prepared.guesses],
    warnings: [...lostCharacters(file, lines), ...reviewMarks(file, parts, main, revisions)],
  };
}

/** The main part as import reads it: tracked changes resolved, headings as people write them, mail-merge fields as «Name». */
function prepare(
  file: string,
  parts: Map<string, Uint8Array>,
  main: string,
  revisions: Revisions,
): { xml: string; guesses: Guess[] } {
  const text = (name: string) => new TextDecoder().decode(parts.get(name) ?? new Uint8Array());
  let xml = text(main);
  for (const [name, elements] of [
    [main, BODY_ELEMENTS],
    ["word/styles.xml", STYLE_ELEMENTS],
    ["word/numbering.xml", STYLE_ELEMENTS],
  ] as const) {
    const unbalanced = unbalancedIn(name === main ? xml : text(name), elements);
    if (unbalanced) {
      throw new ImportProblem(
        "import-format",
        `${file} is not a readable Word document: its part ${name} is not well formed (${unbalanced})`,
        "open it in Word or LibreOffice and save it again as .docx",
      );
    }
  }
  if (revisions === "reject") xml = rejectRevisions(xml);
  const headings = wordHeadings(xml, text("word/styles.xml"), text("word/numbering.xml"));
  const fields = mergeFields(headings.body);
  const guesses = [...headings.guesses];
  if (fields.names.length > 0) {
    guesses.push({
      line: 1,
      kind: "placeholder",
      message: `${fields.names.length} mail-merge field${fields.names.length === 1 ? "" : "s"} (MERGEFIELD ${[...new Set(fields.names)].join(", ")}) read as «name», whatever ${fields.names.length === 1 ? "it" : "they"} last printed`,
    });
  }
  return { xml: fields.body, guesses };
}

/**
 * Tracked changes and comments, which mammoth resolves without a word (insertions kept, deletions
 * and comments left out): said, so nobody approves an import believing it is the reviewed text.
 */
function reviewMarks(file: string, parts: Map<string, Uint8Array>, main: string, revisions: Revisions): Diagnostic[] {
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
      `${file} has tracked changes (${insertions} insertion${insertions === 1 ? "" : "s"}, ${deletions} deletion${deletions === 1 ? "" : "s"}): ${revisions === "accept" ? "imported as if all were accepted" : "all refused: the text is as it was before them"}`,
      revisions === "accept"
        ? "import it with --revisions reject for the text before them, or accept or reject them one by one in Word"
        : "import it with --revisions accept (the default) for the text with them, or decide them one by one in Word",
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
