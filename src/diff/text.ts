import type { Nodes, RootContent } from "mdast";
import { documentControl } from "../render/layout.ts";
import type { PolicyDocument } from "../types.ts";

// A policy document as the lines a reviewer reads: one line per heading, paragraph, list item or
// table row, so that a diff points at the sentence that changed and not at Markdown reflowing.

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

/** The words of inline content; a hard break counts as a space, an image as its alt text. */
function inline(node: Nodes): string {
  switch (node.type) {
    case "text":
    case "inlineCode":
      return node.value;
    case "break":
      return " ";
    case "image":
      return node.alt ?? "";
    case "html":
      return ""; // raw HTML is not published
    default:
      return "children" in node ? node.children.map((child) => inline(child as Nodes)).join("") : "";
  }
}

function blockLines(node: RootContent, indent: string): string[] {
  switch (node.type) {
    case "heading":
      return [`${indent}${"#".repeat(node.depth)} ${collapse(inline(node))}`];
    case "paragraph":
      return [`${indent}${collapse(inline(node))}`];
    case "list":
      return node.children.flatMap((item, i) => {
        const marker = node.ordered ? `${(node.start ?? 1) + i}.` : "-";
        const box = item.checked === true ? "[x] " : item.checked === false ? "[ ] " : "";
        const [first, ...rest] = item.children;
        // The item's first paragraph shares its marker's line; anything after it is nested.
        const head = first?.type === "paragraph" ? collapse(inline(first)) : "";
        const nested = (first?.type === "paragraph" ? rest : item.children).flatMap((child) =>
          blockLines(child, `${indent}  `),
        );
        return [`${indent}${marker} ${box}${head}`.trimEnd(), ...nested];
      });
    case "table":
      return node.children.map(
        (row) => `${indent}| ${row.children.map((cell) => collapse(inline(cell))).join(" | ")} |`,
      );
    case "blockquote":
      return node.children.flatMap((child) => blockLines(child, `${indent}> `));
    case "code":
      return node.value.split("\n").map((line) => `${indent}${line}`);
    case "thematicBreak":
      return [`${indent}---`];
    case "html":
    case "definition":
      return [];
    default:
      return "children" in node
        ? (node.children as RootContent[]).flatMap((child) => blockLines(child, indent))
        : [`${indent}${collapse(inline(node))}`];
  }
}

/**
 * The normalised text of one filled-in policy: the title, the organisation and the document-control
 * values first (so a version bump or a new review date shows), then the body.
 */
export function documentLines(doc: PolicyDocument): string[] {
  const { policy, org } = doc;
  return [
    `# ${policy.title}`,
    ...(policy.category ? [`Category: ${policy.category}`] : []),
    `Organisation: ${org.data.name} (${org.data.registration_no})`,
    ...documentControl(doc).map(([label, value]) => `${label}: ${value}`),
    ...doc.tree.children.flatMap((node) => blockLines(node, "")).filter((line) => line.trim() !== ""),
  ];
}
