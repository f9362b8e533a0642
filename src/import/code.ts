// The code of an imported policy, from how the rest of the library cites its title.
import { relative } from "node:path";
import { loadPolicySources } from "../load/policies.ts";
import { extractReferences } from "../xref/cited.ts";
import { codePattern, normaliseTitle } from "../xref/extract.ts";
import type { Guess } from "./types.ts";

/** Whether a quoted title names `title` (extra words before it, such as "our", are allowed), as xref does. */
function sameTitle(quoted: string, title: string): boolean {
  const q = normaliseTitle(quoted);
  const t = normaliseTitle(title);
  return q === t || q.endsWith(` ${t}`);
}

type Sources = Awaited<ReturnType<typeof loadPolicySources>>["sources"];

/** The library's policy sources, none when there is no library to look in. */
export async function librarySources(policiesDir: string): Promise<Sources> {
  try {
    return (await loadPolicySources(policiesDir)).sources;
  } catch {
    return [];
  }
}

/** The code and title of each library policy whose front matter has both. */
export function libraryPolicies(sources: Sources): { code: string; title: string }[] {
  return sources.flatMap((source) => {
    const fm = source.frontMatter as { code?: unknown; title?: unknown } | undefined;
    return typeof fm?.code === "string" && typeof fm.title === "string" ? [{ code: fm.code, title: fm.title }] : [];
  });
}

/**
 * The code other policies of the library write after this title ("… the Using Social Media
 * Platforms Policy (DCW38)"), the most cited one if they disagree; else the code of a policy in
 * the library with this very title. Undefined when neither exists (or there is no library).
 */
export function codeFromLibrary(
  title: string,
  sources: Sources,
): { code: string; guess: Omit<Guess, "line"> } | undefined {
  const front = sources.map((source) => source.frontMatter as { code?: unknown; title?: unknown } | undefined);
  const codes = front.map((fm) => fm?.code).filter((code): code is string => typeof code === "string");
  const pattern = codePattern(codes);
  const cited = new Map<string, string[]>();
  for (const source of sources) {
    for (const ref of extractReferences(source.body, source.bodyLine, pattern)) {
      if (!ref.quotedTitle || !sameTitle(ref.quotedTitle, title)) continue;
      cited.set(ref.to, [...(cited.get(ref.to) ?? []), `${relative(".", source.file)}:${ref.line}`]);
    }
  }
  const ranked = [...cited].sort((a, b) => b[1].length - a[1].length);
  const [best, others] = [ranked[0], ranked.slice(1)];
  if (best) {
    const [code, places] = best;
    const disagree = others.length ? `; also cited as ${others.map(([c, p]) => `${c} (${p.length}×)`).join(", ")}` : "";
    const message = `${code}: the library cites this title with it ${places.length}× (first at ${places[0]})${disagree}`;
    return { code, guess: { kind: "code", message } };
  }
  const index = front.findIndex(
    (fm) => typeof fm?.code === "string" && typeof fm.title === "string" && sameTitle(fm.title, title),
  );
  if (index === -1) return undefined;
  const code = front[index]?.code as string;
  const file = relative(".", (sources[index] as (typeof sources)[number]).file);
  return { code, guess: { kind: "code", message: `${code}: the library's ${file} has this title` } };
}
