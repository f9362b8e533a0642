// The cross-reference context of a pack: plain data, light to load (see documents.ts for its use).
import type { LegislationItem, Library, Policy, Theme } from "../types.ts";
import { codePattern } from "../xref/extract.ts";

/** The cross-reference context of one pack: which codes link, and who cites whom. */
export interface PackContext {
  pattern: RegExp;
  pack: ReadonlyMap<string, Policy>;
  citedBy: ReadonlyMap<string, Policy[]>;
  /** The library's legislation register, for review dates. */
  legislation: readonly LegislationItem[];
  theme: Theme;
}

export function packContext(pack: readonly Policy[], library: Library): PackContext {
  const citedBy = new Map<string, Policy[]>(pack.map((p) => [p.code, []]));
  for (const citing of pack) {
    const cited = new Set((library.references[citing.code] ?? []).map((ref) => ref.to));
    for (const code of cited) if (code !== citing.code) citedBy.get(code)?.push(citing);
  }
  return {
    pattern: codePattern(library.policies.map((p) => p.code)),
    pack: new Map(pack.map((p) => [p.code, p])),
    citedBy,
    legislation: library.legislation,
    theme: library.theme,
  };
}

/**
 * The context as a worker thread gets it for one policy: cited and citing policies by code,
 * title and slug only (what links show), and only this policy's citing ones, so that a task does
 * not copy every policy's text, nor who cites every other policy (two thirds of a task, before).
 * `briefs` keeps one brief copy of each policy, which a task then copies once however often it
 * names it.
 */
export function sendableContext(context: PackContext, code: string, briefs: Map<Policy, Policy>): PackContext {
  const brief = (p: Policy): Policy => {
    let copy = briefs.get(p);
    if (!copy) {
      copy = { ...p, body: "", history: [] };
      briefs.set(p, copy);
    }
    return copy;
  };
  return {
    ...context,
    pack: new Map([...context.pack].map(([cited, p]) => [cited, brief(p)])),
    citedBy: new Map([[code, (context.citedBy.get(code) ?? []).map(brief)]]),
  };
}
