import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Diagnostic, Position, YamlPositions } from "../types.ts";

export interface ParsedYaml {
  data: unknown;
  positions: YamlPositions;
  diagnostics: Diagnostic[];
}

/** RFC 6901 escaping, so positions are keyed exactly like ajv's instancePath. */
export function pointerPart(key: unknown): string {
  return String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * Parses YAML and records the position of every key and value, so later checks can
 * point at a line without holding on to the YAML document. `firstLine` shifts positions
 * for YAML that starts part-way into a file (front matter).
 */
export function parseYamlWithPositions(text: string, file: string, firstLine = 1): ParsedYaml {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: dates stay strings, so an impossible date is a schema error, not a silent roll-over.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + firstLine - 1, column: col };
  };
  const diagnostics: Diagnostic[] = [...doc.errors, ...doc.warnings].map((e) => {
    const duplicate = e.code === "DUPLICATE_KEY";
    return {
      file,
      ...at(e.pos[0]),
      severity: e.name === "YAMLWarning" ? "warning" : "error",
      rule: duplicate ? "yaml-duplicate-key" : "yaml-syntax",
      message: duplicate ? "this key appears twice in the same mapping" : e.message,
      hint: duplicate ? "keep one of the two entries" : undefined,
    };
  });
  const positions: YamlPositions = { keys: {}, values: {} };
  const walk = (node: Node | null | undefined, pointer: string) => {
    if (!node) return;
    if (node.range) positions.values[pointer] = at(node.range[0]);
    const items = isMap(node) || isSeq(node) ? node.items : [];
    items.forEach((item, index) => {
      if (isPair(item)) {
        const key = isScalar(item.key) ? item.key.value : String(item.key);
        const child = `${pointer}/${pointerPart(key)}`;
        if (isScalar(item.key) && item.key.range) positions.keys[child] = at(item.key.range[0]);
        walk(item.value as Node, child);
      } else {
        walk(item as Node, `${pointer}/${index}`);
      }
    });
  };
  walk(doc.contents as Node, "");
  positions.values[""] ??= { line: firstLine, column: 1 };
  const hasErrors = diagnostics.some((d) => d.severity === "error");
  return { data: hasErrors ? undefined : doc.toJS(), positions, diagnostics };
}

/** The position of a JSON pointer, or of its nearest ancestor that has one. */
export function positionOf(positions: YamlPositions, pointer: string, prefer: "key" | "value" = "value"): Position {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
    const found =
      prefer === "key" ? (positions.keys[p] ?? positions.values[p]) : (positions.values[p] ?? positions.keys[p]);
    if (found) return found;
    if (p === "") return { line: 1, column: 1 };
  }
}
