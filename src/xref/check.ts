import { positionOf } from "../load/yaml.ts";
import type { Diagnostic, Library, Org, Policy, Severity } from "../types.ts";
import { normaliseTitle } from "./extract.ts";

/** Whether a quoted title names this policy (extra words before it, such as "our", are allowed). */
const titleMatches = (quoted: string, policy: Policy) => {
  const q = normaliseTitle(quoted);
  const t = normaliseTitle(policy.title);
  return q === t || q.endsWith(` ${t}`);
};

/** Library-wide rules: unknown codes, stale titles, self-citations, duplicates in Related Policies. */
export function checkReferences(library: Library): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byCode = new Map(library.policies.map((p) => [p.code, p]));
  for (const policy of library.policies) {
    const seenInRelated = new Set<string>();
    for (const ref of library.references[policy.code] ?? []) {
      const at = { file: policy.file, line: ref.line, column: ref.column };
      const target = byCode.get(ref.to);
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
      if (ref.quotedTitle && !titleMatches(ref.quotedTitle, target)) {
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
