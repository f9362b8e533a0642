import type { PolicyDocument } from "../../types.ts";

// XML 1.0 cannot carry C0 controls other than tab, newline and carriage return, U+FFFE, U+FFFF or
// a lone surrogate, not even as a character reference: one of them anywhere makes the part
// ill-formed and Word refuses the whole file. The check stage rejects them in organisation files;
// the renderer still never writes one, whatever it is given.

// With the `u` flag a lone surrogate is a code point of its own, outside every allowed range.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `text` without the characters XML 1.0 forbids. */
export const xmlText = (text: string): string => text.replace(NOT_XML, "");

/** Whether `text` has a character XML 1.0 forbids. */
export const hasNonXml = (text: string): boolean => text.search(NOT_XML) >= 0;

/** A copy of `value` with every string in it (however deep in arrays and plain objects) made XML-safe. */
function clean<T>(value: T): T {
  if (typeof value === "string") return xmlText(value) as T;
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    // A loop rather than a callback made per call, which V8 would optimise again for every document.
    const entries: [string, unknown][] = [];
    for (const [key, entry] of Object.entries(value)) entries.push([key, clean(entry)]);
    return Object.fromEntries(entries) as T; // "__proto__" stays a key, as YAML gave it
  }
  return value;
}

/**
 * The document with every string a Word part can show made XML-safe: the organisation's values,
 * the policy's front matter and every node of its tree (text, urls, alt text, footnote labels).
 */
export function xmlSafeDocument(doc: PolicyDocument): PolicyDocument {
  return { ...doc, org: { ...doc.org, data: clean(doc.org.data) }, policy: clean(doc.policy), tree: clean(doc.tree) };
}
