import { createRequire } from "node:module";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { Node } from "yaml";
import { CACHE_DIR, FileCache } from "../cache.ts";
import { sha256 } from "../hash.ts";
import { positionsIn } from "../template/positions.ts";
import { toolFingerprint } from "../tool-fingerprint.ts";
import type { Diagnostic, Position, YamlPositions } from "../types.ts";
import { forbiddenInValue } from "./characters.ts";

// The parser (CommonJS) is required only for YAML whose result is not cached.
const require = createRequire(import.meta.url);

/** Deeper than any organisation or front matter needs; deeper input is reported, never recursed into. */
export const MAX_YAML_DEPTH = 32;
/** Alias expansions allowed while building the data: a few hundred "billion laughs" aliases would need gigabytes. */
export const MAX_YAML_ALIASES = 100;

export interface ParsedYaml {
  data: unknown;
  positions: YamlPositions;
  diagnostics: Diagnostic[];
}

/** RFC 6901 escaping, so positions are keyed exactly like ajv's instancePath. */
export function pointerPart(key: unknown): string {
  return String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Parsed YAML kept: every front matter and organisation of a few libraries. */
const parsedYaml = new FileCache(join(CACHE_DIR, "yaml"), 4000);

/**
 * Parses YAML and records the position of every key and value, so later checks can
 * point at a line without holding on to the YAML document. `firstLine` shifts positions
 * for YAML that starts part-way into a file (front matter).
 *
 * Loading the parser and parsing a library's YAML is a third of a check's time, so the result
 * is kept, keyed by the text, where it is and the tool, in V8's serialisation: unlike JSON, it
 * gives back exactly what the parser made (undefined, NaN, Infinity, a value shared by aliases).
 */
export function parseYamlWithPositions(text: string, file: string, firstLine = 1, cache = parsedYaml): ParsedYaml {
  const key = sha256(toolFingerprint(), file, String(firstLine), text);
  const saved = cache.read(key);
  if (saved !== undefined) {
    try {
      const value = deserialize(saved) as ParsedYaml;
      if (typeof value?.positions === "object" && Array.isArray(value.diagnostics)) return value;
    } catch {
      // A damaged file: parsed again below, and replaced.
    }
  }
  const parsed = parseYaml(text, file, firstLine);
  try {
    cache.write(key, serialize(parsed));
  } catch {
    // A value V8 cannot serialise: parsed every time.
  }
  return parsed;
}

function parseYaml(text: string, file: string, firstLine: number): ParsedYaml {
  const { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } =
    require("yaml") as typeof import("yaml");
  const lineCounter = new LineCounter();
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + firstLine - 1, column: col };
  };
  const tooDeep = (offset: number): ParsedYaml => ({
    data: undefined,
    positions: { keys: {}, values: { "": { line: firstLine, column: 1 } } },
    diagnostics: [
      {
        file,
        ...positionsIn(text, firstLine)(offset),
        severity: "error",
        rule: "yaml-depth",
        message: `the YAML is nested more than ${MAX_YAML_DEPTH} levels deep`,
        hint: "flatten it: no key needs more than a few levels",
      },
    ],
  });
  // The yaml parser recurses into flow collections ([ and {), slowly and then out of stack: count first.
  const deepFlow = flowDepthExceeded(text);
  if (deepFlow !== undefined) return tooDeep(deepFlow);
  let doc: ReturnType<typeof parseDocument>;
  try {
    // YAML 1.2 core schema: dates stay strings, so an impossible date is a schema error, not a silent roll-over.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return tooDeep(0);
  }
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
  const problem = (offset: number, rule: string, message: string, hint: string) =>
    diagnostics.push({ file, ...at(offset), severity: "error", rule, message, hint });
  let firstAlias: number | undefined;
  let nestedTooDeep = false;
  const walk = (node: Node | null | undefined, pointer: string, depth: number) => {
    if (!node || nestedTooDeep) return;
    if (depth > MAX_YAML_DEPTH) {
      nestedTooDeep = true;
      problem(
        node.range?.[0] ?? 0,
        "yaml-depth",
        `the YAML is nested more than ${MAX_YAML_DEPTH} levels deep`,
        "flatten it: no key needs more than a few levels",
      );
      return;
    }
    if (node.range) positions.values[pointer] = at(node.range[0]);
    if (isAlias(node)) firstAlias ??= node.range?.[0];
    if (isScalar(node) && typeof node.value === "string") {
      const bad = forbiddenInValue(node.value);
      if (bad) problem(node.range?.[0] ?? 0, "character", `this value holds ${bad.what}`, bad.hint);
    }
    const items = isMap(node) || isSeq(node) ? node.items : [];
    items.forEach((item, index) => {
      if (isPair(item)) {
        const key = isScalar(item.key) ? item.key.value : String(item.key);
        const child = `${pointer}/${pointerPart(key)}`;
        if (isScalar(item.key) && item.key.range) positions.keys[child] = at(item.key.range[0]);
        walk(item.value as Node, child, depth + 1);
      } else {
        walk(item as Node, `${pointer}/${index}`, depth + 1);
      }
    });
  };
  walk(doc.contents as Node, "", 0);
  positions.values[""] ??= { line: firstLine, column: 1 };
  let data: unknown;
  if (!diagnostics.some((d) => d.severity === "error")) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
      // yaml throws for an alias bomb ("Excessive alias count …"), or for an alias it cannot resolve.
      const message = (error as Error).message;
      if (/excessive alias/i.test(message)) {
        problem(
          firstAlias ?? 0,
          "yaml-alias",
          `the YAML's aliases (*name) expand to more than ${MAX_YAML_ALIASES} copies`,
          "write the values out instead of using anchors (&name) and aliases (*name)",
        );
      } else {
        problem(firstAlias ?? 0, "yaml-syntax", message, "write the values out instead of using anchors and aliases");
      }
    }
  }
  return { data, positions, diagnostics };
}

/** Offset of the first "[" or "{" nested more than MAX_YAML_DEPTH deep, counting brackets anywhere (a cheap over-estimate). */
function flowDepthExceeded(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_YAML_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
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
