import { positionOf } from "../load/yaml.ts";
import type { Diagnostic, Library, Org, Policy, Severity } from "../types.ts";
import { codeKey, type LooseCode, normaliseTitle } from "./extract.ts";

/** Whether a quoted title names this policy (extra words before it, such as "our", are allowed). */
const titleMatches = (quoted: string, policy: Policy) => {
  const q = normaliseTitle(quoted);
  const t = normaliseTitle(policy.title);
  return q === t || q.endsWith(` ${t}`);
};

/** The policy a quoted title names: the one it names exactly, else the longest title it ends with. */
function titled(quoted: string, policies: readonly Policy[]): Policy | undefined {
  // Exactly another policy's title: a quote that only ends like one ("Confidentiality and Data
  // Protection Policy" for "Data Protection Policy") is more likely this policy's title misquoted.
  const q = normaliseTitle(quoted);
  return policies.find((p) => normaliseTitle(p.title) === q);
}

/**
 * Library-wide rules: unknown codes, codes written loosely, a title quoted with another policy's
 * code, stale titles, self-citations, duplicates in Related Policies. `loose` is each policy's
 * loosely written codes, by its code.
 */
export function checkReferences(library: Library, loose: Record<string, LooseCode[]> = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byCode = new Map(library.policies.map((p) => [p.code, p]));
  // By codeKey: what "DCW031" or "dcw 31" stands for.
  const byKey = new Map(library.policies.map((p) => [codeKey(p.code), p]));
  for (const policy of library.policies) {
    diagnostics.push(...checkLooseCodes(policy, loose[policy.code] ?? [], byKey));
    const seenInRelated = new Set<string>();
    for (const ref of library.references[policy.code] ?? []) {
      const at = { file: policy.file, line: ref.line, column: ref.column };
      const target = byCode.get(ref.to);
      // "DCW031" is a loose DCW31: reported by checkLooseCodes, as a warning.
      if (!target && byKey.has(codeKey(ref.to))) continue;
      if (!target) {
        const byTitle = ref.quotedTitle
          ? library.policies.find((p) => titleMatches(ref.quotedTitle as string, p))
          : undefined;
        diagnostics.push({
          ...at,
          severity: "error",
          rule: "xref-unknown",
          message: `${ref.to} is not a policy in the library`,
          hint: byTitle
            ? `did you mean ${byTitle.code} (${byTitle.title})?`
            : "check the code, or add the policy to the library",
        });
        continue;
      }
      const other =
        ref.quotedTitle && !titleMatches(ref.quotedTitle, target)
          ? titled(ref.quotedTitle, library.policies)
          : undefined;
      if (other) {
        // The title names another policy: the code is the likelier mistake, and it sends readers to the wrong policy.
        diagnostics.push({
          ...at,
          severity: "error",
          rule: "xref-wrong-code",
          message: `${ref.to} is quoted as "${ref.quotedTitle}", which is the title of ${other.code}; ${ref.to} is "${target.title}"`,
          hint: `write ${other.code}, the code of "${other.title}"`,
        });
      } else if (ref.quotedTitle && !titleMatches(ref.quotedTitle, target)) {
        diagnostics.push({
          ...at,
          severity: "warning",
          rule: "xref-title",
          message: `${ref.to} is quoted as "${ref.quotedTitle}", but its title is "${target.title}"`,
          hint: `write "${target.title} (${target.code})"`,
        });
      }
      if (ref.to === policy.code) {
        diagnostics.push({
          ...at,
          severity: "warning",
          rule: "xref-self",
          message: `${policy.code} cites itself`,
          hint: "refer to 'this policy' instead",
        });
      }
      if (ref.related) {
        if (seenInRelated.has(ref.to)) {
          diagnostics.push({
            ...at,
            severity: "warning",
            rule: "xref-duplicate",
            message: `${ref.to} is listed twice in Related Policies`,
            hint: "remove one of the two",
          });
        }
        seenInRelated.add(ref.to);
      }
    }
  }
  return diagnostics;
}

/** A code of the library written loosely ("DCW 31", "dcw31", "ＤＣＷ３１"), or with a letter after it ("DCW31a"). */
function checkLooseCodes(
  policy: Policy,
  loose: readonly LooseCode[],
  byKey: ReadonlyMap<string, Policy>,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const { written, key, suffix, line, column } of loose) {
    const target = byKey.get(key);
    // A number no policy has ("DCW 99", "HR 2024") is left alone: it may well not be a code.
    if (!target || written === target.code) continue;
    diagnostics.push({
      file: policy.file,
      line,
      column,
      severity: "warning",
      rule: "xref-loose",
      message: suffix
        ? `"${written}" is not a code; the nearest is ${target.code} (${target.title})`
        : `"${written}" is ${target.code} (${target.title}) written loosely, so it is not linked`,
      hint: `write ${target.code}`,
    });
  }
  return diagnostics;
}

/**
 * A citation of a library policy that is not in this org's pack points staff at a procedure
 * they do not have: an error for the org, unless the citing policy or the CLI lowers it.
 */
export function checkReferencesInPack(
  org: Org,
  pack: readonly Policy[],
  library: Library,
  defaultSeverity: Severity,
): Diagnostic[] {
  const inPack = new Set(pack.map((p) => p.code));
  const inLibrary = new Set(library.policies.map((p) => p.code));
  const diagnostics: Diagnostic[] = [];
  for (const policy of pack) {
    const reported = new Set<string>();
    for (const ref of library.references[policy.code] ?? []) {
      if (inPack.has(ref.to) || !inLibrary.has(ref.to) || reported.has(ref.to)) continue;
      reported.add(ref.to);
      // A draft is in no pack: adding it to `policies` would not help.
      const draft = library.policies.find((p) => p.code === ref.to)?.status === "draft";
      diagnostics.push({
        file: org.file,
        ...positionOf(org.positions, "/policies", "key"),
        severity: policy.referencesOutsidePack ?? defaultSeverity,
        rule: "xref-outside-pack",
        message: `${policy.code} cites ${ref.to} at ${policy.file}:${ref.line}:${ref.column}, but ${ref.to} is ${draft ? "a draft, so it is in no pack" : "not in this pack"}`,
        hint: draft
          ? `approve ${ref.to} (status: approved) before citing it, or set references_outside_pack: warning in ${policy.code}'s front matter`
          : `add ${ref.to} to \`policies\`, or set references_outside_pack: warning in ${policy.code}'s front matter`,
      });
    }
  }
  return diagnostics;
}
