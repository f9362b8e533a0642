// Which files import reads, and what a file really is: a .doc renamed .docx, a text file named
// .docx or a Word file named .txt gets a sentence saying so, not a parser's error.
import { basename, extname } from "node:path";
import { utf16WithoutBom } from "./decode.ts";
import { ImportProblem } from "./limits.ts";

export const EXTENSIONS = [".txt", ".html", ".htm", ".md", ".docx"];
/** Read through LibreOffice (.doc, .odt, .rtf) or pdftotext (.pdf): see convert.ts. */
export const CONVERTED = [".doc", ".odt", ".rtf", ".pdf"];

const NAMES: Record<string, string> = {
  ".pages": "a Pages document",
  ".wpd": "a WordPerfect document",
  ".xlsx": "an Excel workbook",
  ".pptx": "a PowerPoint presentation",
};

/** A file whose extension import does not read: what to do instead. */
export function unsupported(file: string): ImportProblem {
  const extension = extname(file).toLowerCase();
  const what = NAMES[extension];
  const message = `cannot import ${file}: import reads ${[...EXTENSIONS, ...CONVERTED].join(", ")} files${what ? `, and this is ${what}` : ""}`;
  return new ImportProblem(
    "import-format",
    message,
    `open it in the program that made it and save it as .docx (Word Document), or convert it with LibreOffice: soffice --headless --convert-to docx "${file}"`,
  );
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

/** What each extension must hold; what a file holds says what to rename it to. */
const EXPECTED: Record<string, Kind[]> = {
  ".docx": ["zip"],
  ".odt": ["zip"],
  ".doc": ["doc", "rtf"], // Word itself saves Rich Text under .doc
  ".rtf": ["rtf"],
  ".pdf": ["pdf"],
};

/** The extension this content should have had. */
function renameTo(kind: Kind, bytes: Uint8Array): string {
  if (kind === "zip") {
    const text = new TextDecoder("latin1").decode(bytes.subarray(0, 4096));
    if (text.includes("word/")) return ".docx";
    if (text.includes("mimetype") || text.includes("content.xml")) return ".odt";
    return "";
  }
  if (kind === "text") {
    const html = /^\s*(?:<!doctype html|<html|<\w)/i.test(new TextDecoder().decode(bytes.subarray(0, 1024)));
    return html ? ".html" : ".txt";
  }
  return kind === "binary" ? "" : `.${kind}`;
}

/** Refuses a file whose content does not match its extension (a .doc renamed .docx, a web page named .docx). */
export function checkContent(file: string, bytes: Uint8Array): void {
  const kind = sniff(bytes);
  const extension = extname(file).toLowerCase();
  const expected = EXPECTED[extension] ?? ["text"];
  if (expected.includes(kind)) {
    // An .odt must be an OpenDocument archive, not a Word one renamed.
    if (extension !== ".odt" || renameTo(kind, bytes) !== ".docx") return;
  }
  const should = renameTo(kind, bytes);
  const what =
    kind === "text"
      ? `a ${should === ".html" ? "web page" : "text file"}`
      : kind === "zip" && should === ".docx"
        ? "a Word .docx"
        : DESCRIBED[kind as Exclude<Kind, "text">];
  const hint =
    should && should !== extension
      ? `rename it to ${basename(file, extname(file))}${should} and import that`
      : "open it in Word or LibreOffice and save it as .docx, then import that";
  throw problem(`${file} is ${what}, not what its name says (${extension})`, hint);
}
