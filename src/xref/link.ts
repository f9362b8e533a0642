import type { Link, List, Parent, Root, RootContent, Text } from "mdast";
import { labelsFor } from "../labels/index.ts";
import type { CrossReferenceLinkData, Policy } from "../types.ts";

export interface LinkOptions {
  /** Matches the library's codes (see codePattern). */
  pattern: RegExp;
  /** The policies of this pack, by code: only these become links. */
  pack: ReadonlyMap<string, Policy>;
  /** The policy being rendered. */
  self: Policy;
  /** Policies of the pack that cite `self`, in code order. */
  citedBy: readonly Policy[];
}

function xrefLink(target: Policy, children: Link["children"]): Link {
  const data: CrossReferenceLinkData = { xref: { code: target.code, slug: target.slug } };
  return { type: "link", url: `${target.slug}.html`, title: target.title, children, data };
}

function linkText(node: Text, options: LinkOptions): RootContent[] {
  const out: RootContent[] = [];
  let last = 0;
  for (const match of node.value.matchAll(new RegExp(options.pattern.source, "g"))) {
    const target = options.pack.get(match[0]);
    if (!target || target === options.self) continue;
    if (match.index > last) out.push({ type: "text", value: node.value.slice(last, match.index) });
    out.push(xrefLink(target, [{ type: "text", value: match[0] }]));
    last = match.index + match[0].length;
  }
  if (last === 0) return [node];
  if (last < node.value.length) out.push({ type: "text", value: node.value.slice(last) });
  return out;
}

function linkChildren(parent: Parent, options: LinkOptions): void {
  // A loop rather than a callback made per call: V8 optimises such a closure again for every node.
  const children: RootContent[] = [];
  for (const child of parent.children) {
    // An organisation's value (say a name with "DCW31" in it) is text, not a citation.
    if (child.type === "text" && !child.data?.literal) children.push(...linkText(child, options));
    else {
      // Text already inside a link keeps its link; code is not prose.
      if (child.type !== "link" && child.type !== "linkReference" && "children" in child) linkChildren(child, options);
      children.push(child);
    }
  }
  parent.children = children as Parent["children"];
}

/**
 * A unified transformer: every cited code of a policy in the same pack becomes a link to it,
 * and the policy ends with the list of policies in the pack that cite it. Runs once on the
 * Markdown tree, so every renderer gets the same links.
 */
export function linkCrossReferences(options: LinkOptions) {
  return (tree: Root): void => {
    linkChildren(tree, options);
    const labels = labelsFor(options.self.language);
    tree.children.push({ type: "heading", depth: 2, children: [{ type: "text", value: labels.referencedBy }] });
    if (options.citedBy.length === 0) {
      tree.children.push({ type: "paragraph", children: [{ type: "text", value: labels.citedByNone }] });
      return;
    }
    const list: List = {
      type: "list",
      ordered: false,
      spread: false,
      children: options.citedBy.map((policy) => ({
        type: "listItem",
        spread: false,
        children: [
          {
            type: "paragraph",
            children: [xrefLink(policy, [{ type: "text", value: `${policy.title} (${policy.code})` }])],
          },
        ],
      })),
    };
    tree.children.push(list);
  };
}
