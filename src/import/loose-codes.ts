// Library codes a legacy source writes loosely ("DCW 31", "dcw31", "DCW031", "ＤＣＷ３１") become
// the canonical code, each with a guess line, so the policy's citations link once it is built.
// "DCW31a" is not a code: it is left as written, with a warning. `check` reports the same
// variants in the library (xref-loose); both find them with findLooseCodes.
import type { Root } from "mdast";
import type { Diagnostic } from "../types.ts";
import { codeKey, findLooseCodes, loosePattern } from "../xref/extract.ts";
import { positionIn, visitTexts } from "./legacy-placeholders.ts";
import type { Guess } from "./types.ts";

export function normaliseCodes(
  tree: Root,
  policies: readonly { code: string; title: string }[],
  file: string,
): { guesses: Guess[]; warnings: Diagnostic[] } {
  const guesses: Guess[] = [];
  const warnings: Diagnostic[] = [];
  if (policies.length === 0) return { guesses, warnings };
  const pattern = loosePattern(policies.map((p) => p.code));
  const byKey = new Map(policies.map((p) => [codeKey(p.code), p]));
  visitTexts(tree, (text) => {
    let value = "";
    let last = 0;
    for (const { index, written, key, suffix } of findLooseCodes(text.value, pattern)) {
      const target = byKey.get(key);
      // A number no policy has ("DCW 99", "HR 2024") may well not be a code: left alone.
      if (!target || written === target.code) continue;
      const at = positionIn(text, index);
      if (suffix) {
        warnings.push({
          file,
          ...at,
          severity: "warning",
          rule: "xref-loose",
          message: `"${written}" is not a code; the nearest is ${target.code} (${target.title}); it was left as written`,
          hint: `write ${target.code}`,
        });
        continue;
      }
      guesses.push({ line: at.line, kind: "citation", message: `"${written}" → ${target.code} (${target.title})` });
      value += text.value.slice(last, index) + target.code;
      last = index + written.length;
    }
    if (last > 0) text.value = value + text.value.slice(last);
  });
  return { guesses, warnings };
}
