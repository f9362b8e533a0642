import { positionsIn } from "../template/positions.ts";
import type { Diagnostic } from "../types.ts";

/**
 * Characters no output can carry: XML (so Word) forbids C0 controls other than tab, newline and
 * carriage return, U+FFFE, U+FFFF and lone surrogates; HTML makes C1 controls and the other
 * non-characters (U+FDD0–U+FDEF, U+1FFFE, …) parse errors; the Private Use Area holds the tool's
 * own placeholder tokens (template/expand.ts), so a value must never contain them.
 */
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0080-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF\uE000-\uF8FF]|[\uD83F\uD87F\uD8BF\uD8FF\uD93F\uD97F\uD9BF\uD9FF\uDA3F\uDA7F\uDABF\uDAFF\uDB3F\uDB7F\uDBBF\uDBFF][\uDFFE\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** One finding is enough per file: a pasted binary blob would otherwise print thousands. */
const REPORTED_PER_FILE = 3;

function describe(char: string): { what: string; hint: string } {
  const code = char.codePointAt(0) as number;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code >= 0x80 && code <= 0x9f) {
    return {
      what: `the control character ${hex}`,
      hint: "retype the character meant here (C1 controls are usually curly quotes or dashes from a Windows-1252 file read as Latin-1)",
    };
  }
  if (code < 0x20) {
    return {
      what: `the control character ${hex}`,
      hint: "delete it (it is invisible in most editors; it often comes from copying out of Word or a PDF)",
    };
  }
  if (code >= 0xd800 && code <= 0xdfff) {
    return { what: `a lone surrogate ${hex}`, hint: "delete it, or retype the character it was part of" };
  }
  if (code >= 0xe000 && code <= 0xf8ff) {
    return {
      what: `the private-use character ${hex}`,
      hint: "delete it; private-use characters show as boxes on other machines (often a symbol-font icon)",
    };
  }
  return { what: `the non-character ${hex}`, hint: "delete it" };
}

/** Characters no output can carry, at their line and column in `text` (which starts at `firstLine`). */
export function forbiddenCharacters(text: string, file: string, firstLine = 1): Diagnostic[] {
  const found: Diagnostic[] = [];
  const positionAt = positionsIn(text, firstLine);
  for (const match of text.matchAll(FORBIDDEN)) {
    const { what, hint } = describe(match[0]);
    found.push({
      file,
      ...positionAt(match.index),
      severity: "error",
      rule: "character",
      message: `${what} cannot appear in a Word, web or PDF document`,
      hint,
    });
    if (found.length === REPORTED_PER_FILE) break;
  }
  return found;
}

/** The same check for a value whose characters came from escapes (YAML "\u0000"), at the value's position. */
export function forbiddenInValue(value: string): { what: string; hint: string } | undefined {
  // matchAll, not exec: exec would move FORBIDDEN's lastIndex, and the next matchAll starts there.
  const match = value.matchAll(FORBIDDEN).next().value;
  return match ? describe(match[0]) : undefined;
}

// Windows-1252's characters for bytes 0x80–0x9F (Node 20's TextDecoder gives control characters there).
const CP1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";

/** Windows-1252 (and ISO-8859-1, which browsers read as it): latin1, then the 0x80–0x9F row. */
export const windows1252 = (bytes: Uint8Array) =>
  new TextDecoder("latin1")
    .decode(bytes)
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);

/** Windows-1252's character for each byte from 0x80: how a UTF-8 byte shows when read as Windows-1252. */
const CP1252 = windows1252(Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i));
const CP1252_BYTE = new Map([...CP1252].map((char, i) => [char, 0x80 + i]));
/** A UTF-8 lead byte's character (Â–ô) followed by continuation bytes' (0x80–0xBF) characters. */
const CONTINUATION = `[${[...CP1252.slice(0, 64)].join("").replace(/[\]\\^-]/g, "\\$&")}]`;
const MOJIBAKE = new RegExp(`[\\u00C2-\\u00F4]${CONTINUATION}{1,3}|\\uFFFD`, "g");

/**
 * Characters a policy plausibly meant: Latin letters and signs (é, £, ©), Welsh ŵ and ŷ, and
 * typographic punctuation (’ “ – …), € and ™. "CAFÉ’S" reads as "É’" = ɒ, which nobody meant.
 */
const MEANT = /^[\u00A0-\u017F\u2010-\u206F\u20AC\u2122]$/;

/** What a run of Windows-1252 characters was before: its bytes read as UTF-8, if that gives a character a policy would hold. */
function readAsUtf8(run: string): string | undefined {
  const bytes = [...run].map((char) => CP1252_BYTE.get(char) ?? char.charCodeAt(0));
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
    return MEANT.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Text damaged by a wrong encoding on its way here: U+FFFD, where a decoder gave up on a
 * character, and UTF-8 read as Windows-1252 ("â€™" for ’, "Ã©" for é, "Å·" for ŷ), reported with
 * the character it stood for. Only runs that are valid UTF-8 count, so "Â£" is caught but "Ân" is not.
 */
export function damagedText(text: string, file: string, firstLine = 1): Diagnostic[] {
  const found: Diagnostic[] = [];
  const positionAt = positionsIn(text, firstLine);
  for (const match of text.matchAll(MOJIBAKE)) {
    const run = match[0];
    const meant = run === "\uFFFD" ? undefined : readAsUtf8(run);
    if (run !== "\uFFFD" && meant === undefined) continue;
    found.push({
      file,
      ...positionAt(match.index),
      severity: "error",
      rule: "encoding",
      message: meant
        ? `"${run}" is "${meant}" read with the wrong encoding (UTF-8 taken for Windows-1252)`
        : "U+FFFD (�) stands where a character was lost when the text was decoded",
      hint: meant
        ? `write "${meant}"; if many characters look like this, import the source again as UTF-8`
        : "retype the character from the original document",
    });
    if (found.length === REPORTED_PER_FILE) break;
  }
  return found;
}
