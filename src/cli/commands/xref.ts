import { hasErrors } from "../../diagnostics/report.ts";
import { formatGraphDot, formatGraphTable, type ReferenceGraph, referenceGraph } from "../../xref/graph.ts";
import type { Command } from "../command.ts";

const PRINTERS = {
  table: formatGraphTable,
  json: (graph: ReferenceGraph) => JSON.stringify(graph, null, 2),
  dot: formatGraphDot,
};

export const xref: Command = {
  name: "xref",
  summary: "the library's cross-references: who cites whom, and what nobody cites",
  help: `policypack xref [--format table|json|dot] [options]

  --format FORMAT       table (default), json, or dot for Graphviz
                        (policypack xref --format dot | dot -Tsvg > xref.svg)`,
  options: { format: { type: "string" } },
  async run(context) {
    const format = context.choice("format", ["table", "json", "dot"] as const, "table");
    const result = await context.check();
    context.report(result.diagnostics);
    context.io.stdout.write(`${PRINTERS[format](referenceGraph(result.library))}\n`);
    return hasErrors(result.diagnostics) ? 1 : 0;
  },
};
