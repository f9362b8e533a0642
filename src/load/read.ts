import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { Diagnostic } from "../types.ts";
import { forbiddenCharacters } from "./characters.ts";

/**
 * Far bigger than any real policy (tens of kilobytes) or organisation file; keeps every later
 * stage's work bounded (the Markdown parser needs about a second per megabyte).
 */
export const MAX_TEXT_BYTES = 1024 * 1024;
/** An organisation file may be larger, so that an over-long value is reported by the schema, at its line. */
export const MAX_ORG_BYTES = 4 * 1024 * 1024;

export type Read<T> = { ok: T } | { diagnostic: Diagnostic };

/**
 * Reads a regular file of at most `maxBytes`, or says why not. The file is opened non-blocking and
 * checked with fstat before any read, so a FIFO or a device is never read from (it would block or
 * never end).
 */
export async function readRegularFile(
  path: string,
  maxBytes: number,
  at: Omit<Diagnostic, "message" | "hint">,
): Promise<Read<Buffer>> {
  const fail = (message: string, hint: string): Read<Buffer> => ({ diagnostic: { ...at, message, hint } });
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail(`${path} does not exist`, "check the path and the file name");
    if (code === "EACCES") return fail(`${path} cannot be read (permission denied)`, "make the file readable");
    return fail(`${path} cannot be opened (${code ?? (error as Error).message})`, "replace it with a regular file");
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) return fail(`${path} is a folder, not a file`, "rename or remove the folder");
    if (!stat.isFile()) return fail(`${path} is not a regular file`, "replace it with a regular file");
    if (stat.size > maxBytes) {
      return fail(
        `${path} is ${megabytes(stat.size)}, more than the ${megabytes(maxBytes)} allowed`,
        "make the file smaller",
      );
    }
    // Room for the file as it is now, plus a byte to see that it grew between the stat and the
    // read; more, up to maxBytes + 1, only when it did (not a megabyte for every few kilobytes).
    let buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return fail(`${path} is larger than ${megabytes(maxBytes)}`, "make the file smaller");
    }
    return { ok: buffer.subarray(0, length) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(`${path} cannot be read (${code ?? (error as Error).message})`, "replace it with a regular file");
  } finally {
    await handle.close();
  }
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text (a UTF-8 byte-order mark is dropped), or a diagnostic at the first byte that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, file: string): Read<string> {
  const at = { file, severity: "error" as const, rule: "encoding" };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      diagnostic: {
        ...at,
        line: 1,
        column: 1,
        message: "the file is UTF-16 text; policypack reads UTF-8 only",
        hint: "save it as UTF-8 (in most editors: Save As… → Encoding: UTF-8)",
      },
    };
  }
  try {
    return { ok: utf8.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
    return {
      diagnostic: {
        ...at,
        line,
        column,
        message: `byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, "0")} is not UTF-8 text (the file looks like Windows-1252 or Latin-1)`,
        hint: "save it as UTF-8 (in most editors: Save As… → Encoding: UTF-8)",
      },
    };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      utf8.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

/** A regular UTF-8 text file of bounded size, or the one diagnostic that says what is wrong with it. */
export async function readTextFile(file: string, maxBytes = MAX_TEXT_BYTES): Promise<Read<string>> {
  const read = await readRegularFile(file, maxBytes, { file, line: 1, column: 1, severity: "error", rule: "file" });
  return "ok" in read ? decodeUtf8(read.ok, file) : read;
}

/** A source file read as readTextFile reads it, holding no character that no output can carry. */
export async function readSourceText(
  file: string,
  maxBytes = MAX_TEXT_BYTES,
): Promise<{ text: string; diagnostics?: never } | { text?: never; diagnostics: Diagnostic[] }> {
  const read = await readTextFile(file, maxBytes);
  if ("diagnostic" in read) return { diagnostics: [read.diagnostic] };
  const characters = forbiddenCharacters(read.ok, file);
  return characters.length > 0 ? { diagnostics: characters } : { text: read.ok };
}
