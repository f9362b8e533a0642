// Word documents: mammoth turns the .docx into HTML, then the HTML reader makes the Markdown tree.
import mammoth from "mammoth";
import { readHtml } from "./legacy-text.ts";
import type { SourceTree } from "./types.ts";

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

export async function readDocx(buffer: Buffer): Promise<SourceTree> {
  const { value } = await mammoth.convertToHtml({ buffer }, { styleMap: STYLE_MAP });
  // mammoth writes one line; a line per block makes "line" in the guess report the paragraph number.
  return readHtml(value.replace(/(<\/(?:p|h[1-6]|li|tr)>)/g, "$1\n"));
}
