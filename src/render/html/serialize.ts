import type { Element, Nodes, Properties } from "hast";
import { find, html } from "property-information";

// A small HTML serialiser for the pages this tool builds. hast-util-to-html (rehype-stringify)
// leaves `<` and `>` unescaped in quoted attribute values and has no option to change that; here
// every text and attribute value is escaped, and nothing is ever spliced into serialised output.

const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);
const RAW_TEXT = new Set(["script", "style"]);

const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': "&quot;" };

const escapeText = (text: string) => text.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] as string);
const escapeAttribute = (text: string) => text.replace(/[&<>"]/g, (c) => ATTRIBUTE_ESCAPES[c] as string);

function attributes(properties: Properties | undefined): string {
  let out = "";
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "number" && Number.isNaN(value)) continue;
    const info = find(html, key);
    if (!/^[a-z][a-z0-9-:]*$/.test(info.attribute)) throw new Error(`Cannot serialise attribute ${info.attribute}`);
    if (value === true || ((info.boolean || info.overloadedBoolean) && value === "")) {
      out += ` ${info.attribute}`;
      continue;
    }
    const text = Array.isArray(value) ? value.join(info.commaSeparated ? ", " : " ") : String(value);
    out += ` ${info.attribute}="${escapeAttribute(text)}"`;
  }
  return out;
}

/** The text of a <style> or <script>: our own constants, which must not be able to close the element. */
function rawText(node: Element): string {
  const text = node.children.map((child) => (child.type === "text" ? child.value : "")).join("");
  if (/<\/?(script|style)|<!--/i.test(text)) throw new Error(`<${node.tagName}> text must not contain markup`);
  return text;
}

export function serialize(node: Nodes): string {
  switch (node.type) {
    case "root":
      return node.children.map(serialize).join("");
    case "doctype":
      return "<!DOCTYPE html>";
    case "text":
      return escapeText(node.value);
    case "element": {
      const open = `<${node.tagName}${attributes(node.properties)}>`;
      if (VOID.has(node.tagName)) return open;
      const inner = RAW_TEXT.has(node.tagName) ? rawText(node) : node.children.map(serialize).join("");
      return `${open}${inner}</${node.tagName}>`;
    }
    default:
      // Comments and raw HTML are never part of a page.
      throw new Error(`Cannot serialise a ${node.type} node`);
  }
}
