/** Matches the library's codes: its own prefixes followed by digits (DCW13, HR4 …). */
export function codePattern(codes: readonly string[]): RegExp {
  const prefixes = [...new Set(codes.map((code) => code.replace(/\d+$/, "")))].sort((a, b) => b.length - a.length);
  return new RegExp(`\\b(?:${prefixes.join("|") || "(?!)"})\\d+\\b`, "g");
}

const CONNECTORS = new Set(["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with", "&"]);

/**
 * The title written before "(CODE)": the run of capitalised words (and the small words between
 * them) that ends at the bracket, e.g. "in line with the Disciplinary and Grievance Policy (" →
 * "Disciplinary and Grievance Policy".
 */
export function quotedTitleBefore(before: string): string | undefined {
  if (!/\(\s*$/.test(before)) return undefined;
  const tokens = before
    .replace(/\(\s*$/, "")
    .trim()
    .split(/\s+/);
  const taken: string[] = [];
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as string;
    if (/[.:;!?]$/.test(token) && !/^\(.*\)$/.test(token)) break; // the previous sentence
    const word = token.replace(/^[("'“‘]+|[)"'”’,]+$/g, "");
    if (/^\p{Lu}/u.test(word) || CONNECTORS.has(word.toLowerCase())) taken.unshift(token);
    else break;
  }
  // "See the X Policy": a capitalised verb starting the sentence is not part of the title.
  if (taken.length > 2 && ["the", "a", "an"].includes((taken[1] as string).toLowerCase())) taken.shift();
  while (taken.length > 0 && CONNECTORS.has((taken[0] as string).toLowerCase())) taken.shift();
  const title = taken.join(" ").replace(/,$/, "");
  return title || undefined;
}

/** Titles compare without case, punctuation or a trailing "Policy". */
export function normaliseTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/\s*\bpolicy$/, "");
}

// Codes written loosely: "DCW 31", "dcw31", "DCW-31", "DCW031", full-width "ＤＣＷ３１", "DCW31a".

/** A library prefix followed by a number, written some other way than the canonical DCW31. */
export interface LooseMatch {
  /** Where it starts in the text searched. */
  index: number;
  /** As written, e.g. "DCW 31". */
  written: string;
  /** The canonical code it spells, whether or not the library has it: "DCW31". */
  key: string;
  /** Letters after the number ("DCW31a"): then it is not a code at all. */
  suffix: boolean;
}

/** A LooseMatch in a policy file, at the line and column of its first character. */
export interface LooseCode {
  written: string;
  key: string;
  suffix: boolean;
  line: number;
  column: number;
}

/** "DCW031" → "DCW31": the form a library code and its loose variants share. */
export const codeKey = (code: string) => code.replace(/^([A-Z]+)0+(?=\d)/, "$1");

const FULL_WIDTH = 0xfee0; // "Ａ" - "A"
const SPACE = "[ \\u00A0\\u202F\\u3000]";
const HYPHEN = "[\\-\\u2010\\u2011\\u2013\\uFF0D]";

/**
 * Matches the library's prefixes in any case, in ASCII or full-width letters, then at most a
 * space and a hyphen, then digits (ASCII or full-width), then at most one letter. Not inside a
 * word or a number ("XDCW31", "DCW31ab" are not matched).
 */
export function loosePattern(codes: readonly string[]): RegExp {
  const prefixes = [...new Set(codes.map((code) => code.replace(/\d+$/, "")))]
    .filter((prefix) => /^[A-Z]+$/.test(prefix)) // never regex syntax from an unchecked front matter
    .sort((a, b) => b.length - a.length)
    .map((prefix) => [...prefix].map((c) => `[${c}${String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH)}]`).join(""));
  const separator = `${SPACE}?${HYPHEN}?${SPACE}?`;
  return new RegExp(
    `(?<![\\p{L}\\p{N}_])(${prefixes.join("|") || "(?!)"})${separator}([0-9\\uFF10-\\uFF19]+)(\\p{L}?)(?![\\p{L}\\p{N}_])`,
    "giu",
  );
}

/** A word that is an address, an email or a file name: "https://x/dcw31", "dcw31.pdf". */
const ADDRESS = /:\/\/|^www\.|@|\/|\.[a-z]{2,4}$/i;

/**
 * Loosely written codes in `text`. Canonical-looking ones ("DCW31", "DCW99") are left to
 * extractReferences, and so is a word that is an address or a file name.
 */
export function findLooseCodes(text: string, pattern: RegExp): LooseMatch[] {
  const found: LooseMatch[] = [];
  for (const match of text.matchAll(new RegExp(pattern.source, pattern.flags))) {
    const [written, prefix = "", digits = "", suffix = ""] = match;
    const key = prefix.normalize("NFKC").toUpperCase() + digits.normalize("NFKC").replace(/^0+(?=\d)/, "");
    if (written === key) continue;
    // The whole word around it (a bounded look, so a huge paragraph stays linear).
    const end = match.index + written.length;
    const before = /\S*$/.exec(text.slice(Math.max(0, match.index - 200), match.index))?.[0] ?? "";
    const after = /^\S*/.exec(text.slice(end, end + 200))?.[0] ?? "";
    if (ADDRESS.test((before + written + after).replace(/[)\].,;:!?'"’”]+$/, ""))) continue;
    found.push({ index: match.index, written, key, suffix: suffix !== "" });
  }
  return found;
}
