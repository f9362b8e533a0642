import {
  blockHash,
  invariants,
  pairSections,
  recordedBlocks,
  recordedPlaces,
  type Section,
  sectionsOf,
} from "../translate/blocks.ts";
import type { Diagnostic, Policy, Translation } from "../types.ts";
import { checkBody } from "./body.ts";
import type { TranslationCheck } from "./translations.ts";

// A translation compared with its English policy: both parsed, so loaded only when the result is
// not in the cache (see checkTranslations).

/** The translation's own body checks, then its comparison with the English. */
export function checkAgainst(
  english: Policy,
  translation: Policy,
  codes: RegExp,
  loose: RegExp,
  at: (pointer: string, severity: Diagnostic["severity"], rule: string) => Omit<Diagnostic, "message">,
  brokenFiles: ReadonlySet<string>,
): TranslationCheck {
  const { problems, emphasis } = checkBody(translation, codes, loose);
  // Either text too broken to read (too deep, unbalanced blocks) is not compared: its own
  // errors say why, and walking it could take minutes.
  if (problems.some((d) => d.severity === "error") || brokenFiles.has(english.file)) return { problems, emphasis };
  return {
    problems: [...problems, ...compare(english, translation, codes, at).map(({ file: _, ...d }) => d)],
    emphasis,
  };
}

/** Sections, placeholders and codes that differ from the English, and English sections changed since. */
function compare(
  english: Policy,
  translation: Policy,
  codes: RegExp,
  at: (pointer: string, severity: Diagnostic["severity"], rule: string) => Omit<Diagnostic, "message">,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const theirs = sectionsOf(english.body, english.bodyLine);
  const ours = sectionsOf(translation.body, translation.bodyLine);
  const where = (section: Section | undefined, severity: Diagnostic["severity"], rule: string) =>
    section
      ? { file: translation.file, line: section.line, column: section.column, severity, rule }
      : at("/translated_from", severity, rule);
  const recorded = translation.translation?.sections ?? {};
  const hasRecord = Object.keys(recorded).length > 0;
  const places = recordedPlaces(theirs, recorded);
  const before = recordedBlocks(theirs, recorded);
  const paired = pairSections(theirs, ours, recorded);
  const pairs = theirs.map((section, i) => ({ english: section, translated: paired[i], was: before[i] }));
  for (const { english: section, translated, was } of pairs) {
    // A section added to the English since the translation was made is stale, not missing.
    if (!translated && hasRecord && !was) continue;
    if (!translated) {
      diagnostics.push({
        ...where(undefined, "error", "translation-sections"),
        message: `the English section "${section.heading}" has no counterpart in this translation`,
        hint: "translate the section (policypack translate export lists it), or remove it from the English",
      });
      continue;
    }
    // An English section changed since the translation was made is stale (reported below): its
    // placeholders may have changed with it.
    if (hasRecord && section.blocks.some((b) => !was?.includes(b.hash))) continue;
    const want = invariants(section.blocks.map((b) => b.text).join("\n"), codes);
    const have = invariants(translated.blocks.map((b) => b.text).join("\n"), codes);
    const missing = difference(want, have);
    const extra = difference(have, want);
    if (missing.length > 0 || extra.length > 0) {
      diagnostics.push({
        ...where(translated, "error", "translation-placeholders"),
        message: `section "${translated.heading}" differs from the English "${section.heading}" in its placeholders or policy codes: ${[
          ...missing.map((t) => `${t} missing`),
          ...extra.map((t) => `${t} not in the English`),
        ].join(", ")}`,
        hint: "placeholders and codes are copied unchanged from the English, as many times as it has them",
      });
    } else if (translated.blocks.length !== section.blocks.length) {
      diagnostics.push({
        ...where(translated, "warning", "translation-blocks"),
        message: `section "${translated.heading}" has ${translated.blocks.length} paragraphs, list items and cells where the English has ${section.blocks.length}`,
        hint: "keep one translated block per English block, so that each can be paired with the English it translates",
      });
    }
  }
  const used = new Set(paired);
  // A section the English has dropped since is reported as stale below, not as an extra.
  const kept = new Set(places);
  const dropped = (i: number) => hasRecord && i < Object.keys(recorded).length && !kept.has(i);
  for (const section of ours.filter((s, i) => !used.has(s) && !dropped(i))) {
    diagnostics.push({
      ...where(section, "error", "translation-sections"),
      message: `section "${section.heading}" has no counterpart in the English ${english.code}`,
      hint: "remove it, or add the section to the English policy first",
    });
  }
  const counterpart = new Map(pairs.map((p) => [p.english, p.translated]));
  diagnostics.push(
    ...staleness(english, translation, theirs, before, places, (section) =>
      where(section && counterpart.get(section), "warning", "translation-stale"),
    ),
  );
  return diagnostics;
}

/** What is in `a` and not in `b`, counting repeats. */
function difference(a: string[], b: string[]): string[] {
  const left = [...b];
  return a.filter((item) => {
    const i = left.indexOf(item);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
}

const describe = (changed: number, removed: number) =>
  [
    changed > 0 ? `${changed} ${changed === 1 ? "block is" : "blocks are"} new or reworded` : "",
    removed > 0 ? `${removed} ${removed === 1 ? "block was" : "blocks were"} removed or reworded` : "",
  ]
    .filter(Boolean)
    .join(", ");

/** The English sections changed since the translation was made, each at its place in the translation. */
function staleness(
  english: Policy,
  translation: Policy,
  theirs: Section[],
  /** Each English section's block hashes when the translation was made (recordedBlocks). */
  before: (string[] | undefined)[],
  /** Each English section's place among the recorded ones (recordedPlaces). */
  places: number[],
  /** Where to report an English section: its counterpart in the translation, else the front matter. */
  at: (section?: Section) => Omit<Diagnostic, "message">,
): Diagnostic[] {
  const hint = "translate what changed (policypack translate export --lang cy writes just that), then translate import";
  const made = translation.translation as Translation;
  const headings = Object.keys(made.sections);
  if (headings.length === 0) {
    if (made.version === english.version) return [];
    return [
      {
        ...at(),
        message: `translated from version ${made.version} of ${english.code}; the English is now version ${english.version}`,
        hint,
      },
    ];
  }
  const diagnostics: Diagnostic[] = [];
  if (made.title && made.title !== blockHash(english.title)) {
    diagnostics.push({
      ...at(),
      message: `the English title changed since this translation was made: "${english.title}"`,
      hint,
    });
  }
  for (const [i, section] of theirs.entries()) {
    const was = before[i];
    const now = section.blocks.map((b) => b.hash);
    if (was === undefined) {
      diagnostics.push({
        ...at(),
        message: `the English section "${section.heading}" (section ${i + 1}) is new since this translation was made`,
        hint,
      });
      continue;
    }
    const changed = now.filter((hash) => !was.includes(hash)).length;
    const removed = was.filter((hash) => !now.includes(hash)).length;
    if (changed > 0 || removed > 0) {
      diagnostics.push({
        ...at(section),
        message: `the English section "${section.heading}" changed since this translation was made: ${describe(changed, removed)}`,
        hint,
      });
    }
  }
  for (const heading of headings.filter((_, k) => !places.includes(k))) {
    diagnostics.push({
      ...at(),
      message: `the English section "${heading}" was removed since this translation was made`,
      hint,
    });
  }
  return diagnostics;
}
