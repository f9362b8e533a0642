// Which files import reads, and what a file really is: a .doc renamed .docx, a text file named
// .docx or a Word file named .txt gets a sentence saying so, not a parser's error.
import { basename, extname } from "node:path";
import { utf16WithoutBom } from "./decode.ts";
import { ImportProblem } from "./limits.ts";

export const EXTENSIONS = [".txt", ".html", ".htm", ".md", ".docx"];

/** How to turn a format import does not read into one it does. */
function conversion(file: string, format: string): string {
  const name = basename(file, extname(file));
  if (format === "pdf")
    return `extract its text with poppler-utils: pdftotext -layout "${file}" "${name}.txt", then import ${name}.txt`;
  return `open it in Word and save it as .docx, or convert it with LibreOffice: soffice --headless --convert-to docx "${file}"`;
}

const NAMES: Record<string, string> = {
  ".doc": "a Word 97–2003 document",
  ".odt": "an OpenDocument text",
  ".rtf": "a Rich Text document",
  ".pdf": "a PDF",
  ".pages": "a Pages document",
  ".wpd": "a WordPerfect document",
};

/** A file whose extension import does not read: what to do instead. */
export function unsupported(file: string): ImportProblem {
  const extension = extname(file).toLowerCase();
  const what = NAMES[extension];
  const message = `cannot import ${file}: import reads ${EXTENSIONS.join(", ")} files${what ? `, and this is ${what}` : ""}`;
  return new ImportProblem("import-format", message, conversion(file, extension === ".pdf" ? "pdf" : "document"));
}

type Kind = "zip" | "doc" | "pdf" | "rtf" | "binary" | "text";

const starts = (bytes: Uint8Array, signature: number[]) => signature.every((byte, i) => bytes[i] === byte);

/** What the first bytes say the file is. */
export function sniff(bytes: Uint8Array): Kind {
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04]) || starts(bytes, [0x50, 0x4b, 0x05, 0x06])) return "zip";
  if (starts(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return "doc";
  if (starts(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "pdf"; // %PDF-
  if (starts(bytes, [0x7b, 0x5c, 0x72, 0x74, 0x66])) return "rtf"; // {\rtf
  const utf16 = starts(bytes, [0xff, 0xfe]) || starts(bytes, [0xfe, 0xff]) || utf16WithoutBom(bytes);
  if (!utf16 && bytes.subarray(0, 8192).includes(0)) return "binary";
  return "text";
}

const DESCRIBED: Record<Exclude<Kind, "text">, string> = {
  zip: "a zip archive (a Word .docx, or another Office file)",
  doc: "a Word 97–2003 document (.doc) or another old Office file",
  pdf: "a PDF",
  rtf: "a Rich Text (.rtf) document",
  binary: "not a text file (it contains NUL bytes)",
};

const problem = (message: string, hint: string) => new ImportProblem("import-format", message, hint);

/** Refuses a file whose content does not match its extension. */
export function checkContent(file: string, bytes: Uint8Array): void {
  const kind = sniff(bytes);
  if (extname(file).toLowerCase() !== ".docx") {
    if (kind === "text") return;
    if (kind === "zip")
      throw problem(
        `${file} is ${DESCRIBED.zip}, not text`,
        "if it is a Word document, rename it to .docx and import that",
      );
    if (kind === "binary")
      throw problem(`${file} is ${DESCRIBED.binary}`, "save it as plain text (UTF-8), HTML or .docx and import that");
    throw problem(`${file} is ${DESCRIBED[kind]}, not text`, renameThenConvert(file, kind));
  }
  if (kind === "zip") return;
  if (kind === "text") {
    const html = /^\s*(?:<!doctype html|<html|<\w)/i.test(new TextDecoder().decode(bytes.subarray(0, 1024)));
    const rename = html ? ".html (it is a web page)" : ".txt";
    throw problem(`${file} is a text file, not a Word document`, `rename it to ${rename} and import that`);
  }
  if (kind === "binary") throw problem(`${file} is not a Word document`, "open it in Word and save it again as .docx");
  throw problem(`${file} is ${DESCRIBED[kind]}, not a Word .docx`, renameThenConvert(file, kind));
}

function renameThenConvert(file: string, kind: "doc" | "pdf" | "rtf"): string {
  const renamed = `${basename(file, extname(file))}.${kind}`;
  return `rename it to ${renamed}, then ${conversion(renamed, kind)}`;
}
