// The text of a .txt, .html or .md file, whatever encoding it was saved in: a byte-order mark
// (UTF-8, UTF-16) decides; an HTML page's <meta charset> is honoured; otherwise UTF-8, and a
// file that is not valid UTF-8 is read as Windows-1252 (what Word and Notepad wrote for years)
// with a warning saying so. Nothing is decoded to U+FFFD silently.
import { windows1252 } from "../load/characters.ts";
import { positionsIn } from "../template/positions.ts";
import type { Diagnostic } from "../types.ts";
import { ImportProblem } from "./limits.ts";

export interface Decoded {
  text: string;
  /** How the encoding was chosen, when it was not plain UTF-8. */
  warnings: Diagnostic[];
}

const starts = (bytes: Uint8Array, signature: number[]) => signature.every((byte, i) => bytes[i] === byte);

/** UTF-16 without a byte-order mark: every other byte of the first few kilobytes is zero. */
export function utf16WithoutBom(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  const sample = bytes.subarray(0, 4096 - (Math.min(bytes.length, 4096) % 2));
  if (sample.length < 4) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZero++;
    if (sample[i + 1] === 0) oddZero++;
  }
  const pairs = sample.length / 2;
  if (oddZero > pairs * 0.9 && evenZero === 0) return "utf-16le";
  if (evenZero > pairs * 0.9 && oddZero === 0) return "utf-16be";
  return undefined;
}

/** The charset an HTML page declares in its first 1,024 bytes, as browsers look for it. */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder("windows-1252").decode(bytes.subarray(0, 1024));
  return /<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase();
}

/** Line and column of the first byte that is not UTF-8, for the warning. */
function firstInvalidByte(bytes: Uint8Array): { line: number; column: number; byte: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i] as number;
    const length =
      byte < 0x80
        ? 1
        : byte >= 0xc2 && byte < 0xe0
          ? 2
          : byte >= 0xe0 && byte < 0xf0
            ? 3
            : byte >= 0xf0 && byte < 0xf5
              ? 4
              : 0;
    let valid = length > 0 && i + length <= bytes.length;
    for (let k = 1; valid && k < length; k++) valid = ((bytes[i + k] as number) & 0xc0) === 0x80;
    if (!valid) return { line, column: i - lineStart + 1, byte };
    if (byte === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += length;
  }
  return { line, column: 1, byte: 0 };
}

const NAMES: Record<string, string> = { "utf-16le": "UTF-16 (little-endian)", "utf-16be": "UTF-16 (big-endian)" };

export function decode(file: string, bytes: Uint8Array, html: boolean): Decoded {
  const warnings: Diagnostic[] = [];
  const warn = (message: string, hint: string, at = { line: 1, column: 1 }) =>
    warnings.push({ file, ...at, severity: "warning", rule: "import-encoding", message, hint });
  if (starts(bytes, [0xef, 0xbb, 0xbf])) return { text: strict("utf-8", bytes.subarray(3), file), warnings };
  if (starts(bytes, [0xff, 0xfe])) return { text: strict("utf-16le", bytes.subarray(2), file), warnings };
  if (starts(bytes, [0xfe, 0xff])) return { text: strict("utf-16be", bytes.subarray(2), file), warnings };
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) {
    warn(`${file} has no byte-order mark; read as ${NAMES[utf16]}, which its bytes show`, "check the imported text");
    return { text: strict(utf16, bytes, file), warnings };
  }
  const declared = html ? declaredCharset(bytes) : undefined;
  // A page that says UTF-16 without a byte-order mark is ASCII-compatible: browsers read it as UTF-8.
  if (declared && !/^(?:utf-?8|utf-?16(?:le|be)?|unicode)$/.test(declared)) {
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(declared);
    } catch {
      throw new ImportProblem(
        "import-format",
        `${file} declares the character set "${declared}", which is not one browsers know`,
        "correct its <meta charset>, or save the page as UTF-8 and import that",
      );
    }
    return { text: decoder.encoding === "windows-1252" ? windows1252(bytes) : decoder.decode(bytes), warnings };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), warnings };
  } catch {
    const { line, column, byte } = firstInvalidByte(bytes);
    const character = windows1252(new Uint8Array([byte]));
    warn(
      `${file} is not UTF-8${declared ? " (though its <meta charset> says so)" : ""}: read as Windows-1252, where byte 0x${byte.toString(16).toUpperCase()} here is "${character}"`,
      "check the imported text; if it came out wrong, save the source as UTF-8 and import it again",
      { line, column },
    );
    return { text: windows1252(bytes), warnings };
  }
}

/** Decodes in `encoding` or refuses the file: a byte-order mark promises valid text. */
function strict(encoding: string, bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new ImportProblem(
      "import-format",
      `${file} starts with a ${encoding.toUpperCase()} byte-order mark but is not valid ${encoding.toUpperCase()}`,
      "open it in a text editor and save it again as UTF-8",
    );
  }
}

/** U+FFFD in the source: a character already lost before import (one warning, at the first). */
export function lostCharacters(file: string, text: string): Diagnostic[] {
  const offset = text.indexOf("\uFFFD");
  if (offset === -1) return [];
  const count = text.split("\uFFFD").length - 1;
  return [
    {
      file,
      ...positionsIn(text, 1)(offset),
      severity: "warning",
      rule: "import-encoding",
      message: `${file} contains ${count === 1 ? "a replacement character" : `${count} replacement characters`} (U+FFFD, shown as �): the character${count === 1 ? " was" : "s were"} lost before import`,
      hint: "find the original character (often ’ “ ” – or £) and type it in the imported policy",
    },
  ];
}
