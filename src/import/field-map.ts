// `import --map fields.yaml`: a consultancy's own placeholder tokens, each named with the field it
// stands for — `"[Name of Registered Manager]": [registered_manager_first_name, registered_manager_last_name]`,
// `«OrgName»: name`. Every problem in the map is a diagnostic at its line and column, and nothing
// is imported until the map is right.
import { readFile } from "node:fs/promises";
import type { Root } from "mdast";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { didYouMean } from "../diagnostics/suggest.ts";
import { COMPUTED_NAMES, ORG_PREFIX } from "../template/placeholders.ts";
import type { Diagnostic } from "../types.ts";
import { positionIn, visitTexts } from "./legacy-placeholders.ts";
import type { Guess } from "./types.ts";

/** A token as written in the documents → the placeholders it becomes, and the map line that says so. */
export type FieldMap = Map<string, { placeholders: string; line: number }>;

export async function readFieldMap(
  path: string,
  fields: readonly string[],
): Promise<{ map?: FieldMap; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const problem = (at: { line: number; col: number }, message: string, hint: string) =>
    diagnostics.push({
      file: path,
      line: at.line,
      column: at.col,
      severity: "error",
      rule: "import-map",
      message,
      hint,
    });
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    problem(
      { line: 1, col: 1 },
      `cannot read the map ${path}: ${(error as Error).message}`,
      "name a YAML file of token: field lines",
    );
    return { diagnostics };
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: Node | null | undefined) => lines.linePos(node?.range?.[0] ?? 0);
  for (const error of document.errors) {
    problem(
      lines.linePos(error.pos[0]),
      `the map does not parse: ${error.message.split("\n")[0]}`,
      'quote tokens with brackets or braces: "[Name of Manager]": field',
    );
  }
  if (diagnostics.length > 0) return { diagnostics };
  if (!isMap(document.contents)) {
    problem(
      at(document.contents),
      "the map must be a list of token: field lines",
      '"[Name of Registered Manager]": registered_manager_first_name',
    );
    return { diagnostics };
  }
  const known = [...fields, ...COMPUTED_NAMES];
  const map: FieldMap = new Map();
  for (const pair of document.contents.items) {
    const key = pair.key as Node;
    const token = isScalar(key) ? String(key.value ?? "").trim() : "";
    if (token === "") {
      problem(at(key), "a map entry has no token", "write the token as the documents have it, in quotes");
      continue;
    }
    const value = pair.value as Node | null;
    const names = (isSeq(value) ? value.items : [value]) as (Node | null)[];
    const placeholders: string[] = [];
    for (const node of names) {
      const name = isScalar(node) && typeof node.value === "string" ? node.value.trim() : undefined;
      if (!name) {
        problem(
          at(isScalar(node) && node.value !== null ? node : key),
          `${token} is mapped to nothing a placeholder can be`,
          "give an organisation field's name, or a list of them",
        );
        continue;
      }
      const field = name.startsWith(ORG_PREFIX) ? name.slice(ORG_PREFIX.length) : name;
      if (fields.length > 0 && !known.includes(field)) {
        const suggestion = didYouMean(field, known);
        problem(
          at(node),
          `${token} is mapped to ${name}, which is not an organisation field`,
          suggestion ? `did you mean ${suggestion}?` : `use one of: ${known.join(", ")}`,
        );
        continue;
      }
      placeholders.push(
        (COMPUTED_NAMES as readonly string[]).includes(field) ? `<<${field}>>` : `<<${ORG_PREFIX}${field}>>`,
      );
    }
    if (placeholders.length > 0) map.set(token, { placeholders: placeholders.join(" "), line: at(key).line });
  }
  return diagnostics.length > 0 ? { diagnostics } : { map, diagnostics };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every mapped token in the text becomes its placeholders, with a guess line each. */
export function applyFieldMap(tree: Root, map: FieldMap, mapFile: string): Guess[] {
  if (map.size === 0) return [];
  // Longest first: "[Name of Registered Manager]" before "[Name]".
  const tokens = [...map.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(tokens.map(escapeRegExp).join("|"), "g");
  const guesses: Guess[] = [];
  visitTexts(tree, (text) => {
    text.value = text.value.replace(pattern, (token, index: number) => {
      const { placeholders, line } = map.get(token) as { placeholders: string; line: number };
      guesses.push({
        line: positionIn(text, index).line,
        kind: "placeholder",
        message: `${token} → ${placeholders} (${mapFile}:${line})`,
      });
      return placeholders;
    });
  });
  return guesses;
}
