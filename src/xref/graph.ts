import type { Library } from "../types.ts";

export interface GraphNode {
  code: string;
  title: string;
  cites: string[];
  citedBy: string[];
}

export interface ReferenceGraph {
  policies: GraphNode[];
  /** Library policies that no other policy cites. */
  uncited: string[];
}

/** Who cites whom across the library (self-citations and unknown codes left out). */
export function referenceGraph(library: Library): ReferenceGraph {
  const codes = new Set(library.policies.map((p) => p.code));
  const policies = library.policies.map((policy) => ({
    code: policy.code,
    title: policy.title,
    cites: [...new Set((library.references[policy.code] ?? []).map((r) => r.to))]
      .sort()
      .filter((code) => code !== policy.code && codes.has(code)),
    citedBy: [] as string[],
  }));
  for (const node of policies) {
    for (const code of node.cites) policies.find((p) => p.code === code)?.citedBy.push(node.code);
  }
  return { policies, uncited: policies.filter((p) => p.citedBy.length === 0).map((p) => p.code) };
}

export function formatGraphTable(graph: ReferenceGraph): string {
  const rows = [
    ["CODE", "TITLE", "CITES", "CITED BY"],
    ...graph.policies.map((p) => [p.code, p.title, p.cites.join(" ") || "-", p.citedBy.join(" ") || "-"]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd(),
  );
  lines.push("", `Not cited by any policy: ${graph.uncited.join(", ") || "none"}`);
  return lines.join("\n");
}

/** Graphviz: `policypack xref --format dot | dot -Tsvg > xref.svg`. */
export function formatGraphDot(graph: ReferenceGraph): string {
  const quote = (text: string) => JSON.stringify(text);
  const lines = ["digraph policies {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"];
  for (const p of graph.policies) lines.push(`  ${quote(p.code)} [label=${quote(`${p.code}\n${p.title}`)}];`);
  for (const p of graph.policies) for (const code of p.cites) lines.push(`  ${quote(p.code)} -> ${quote(code)};`);
  lines.push("}");
  return lines.join("\n");
}
