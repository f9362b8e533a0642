import type { ValidateFunction } from "ajv";
import { sha256 } from "../hash.ts";
import { fileStem, type PolicySource } from "../load/policies.ts";
import { positionOf } from "../load/yaml.ts";
import {
  blockHash,
  invariants,
  pairSections,
  recordedBlocks,
  recordedPlaces,
  type Section,
  sectionsOf,
} from "../translate/blocks.ts";
import type { Diagnostic, Language, Library, Policy, PolicyStatus, Translation } from "../types.ts";
import { codePattern, loosePattern } from "../xref/extract.ts";
import { checkBody, POLICY_CODE } from "./policies.ts";
import { compileSchema, schemaDiagnostics } from "./schema.ts";

const frontMatterSchema = {
  type: "object",
  required: ["code", "title", "translated_from"],
  additionalProperties: false,
  properties: {
    code: { type: "string", pattern: POLICY_CODE.source, description: "the code of the English policy it translates" },
    title: { type: "string", minLength: 1, maxLength: 200, description: "the policy's title in this language" },
    category: { type: "string", maxLength: 100, description: "the category in this language" },
    translation_status: {
      enum: ["draft", "approved"],
      description: "draft (the default) until a speaker of the language has approved the translation",
    },
    history: {
      type: "array",
      description: "the English version history's entries in this language: version, changes, role",
      items: {
        type: "object",
        required: ["version"],
        additionalProperties: false,
        properties: {
          version: { type: "string", description: "a version of the English history" },
          changes: { type: "string", minLength: 1, maxLength: 2000, description: "what changed, in this language" },
          role: { type: "string", minLength: 1, maxLength: 200, description: "the approver's role, in this language" },
        },
      },
    },
    translated_from: {
      type: "object",
      required: ["version"],
      additionalProperties: false,
      description: "the English text it was made from; `policypack translate import` keeps it up to date",
      properties: {
        version: { type: "string", minLength: 1, maxLength: 20, description: 'the English version, e.g. "1.0"' },
        title: { type: "string", pattern: "^[0-9a-f]{8}$", description: "hash of the English title" },
        sections: {
          type: "object",
          description: "hashes of the English blocks, by section heading: how check names what changed since",
          additionalProperties: { type: "string", pattern: "^([0-9a-f]{8}( [0-9a-f]{8})*)?$" },
        },
      },
    },
  },
};

let validateFrontMatter: ValidateFunction | undefined;

/** What checking one translation against its English found, without the file (the same wherever it is). */
export type TranslationCheck = Omit<Diagnostic, "file">[];

/**
 * Translation checks by a hash of both texts and the front matter: parsing both is most of the
 * time a check of a Welsh library takes, so it is kept between runs like the policies' own.
 */
export interface TranslationCheckCache {
  get(key: string): TranslationCheck | undefined;
  set(key: string, found: TranslationCheck): void;
}

interface FrontMatter {
  code: string;
  title: string;
  history?: { version: string; changes?: string; role?: string }[];
  category?: string;
  translation_status?: PolicyStatus;
  translated_from: { version: string; title?: string; sections?: Record<string, string> };
}

/** The hashes a translation records of its English policy, as front matter writes them. */
export const recordedSections = (english: Section[]): Record<string, string> =>
  Object.fromEntries(english.map((s) => [s.heading, s.blocks.map((b) => b.hash).join(" ")]));

/**
 * The translations in one language (policies/cy/ for Welsh): each pairs with an English policy by
 * code, has the same sections, the same placeholders and codes in each, and says which English
 * sections changed since it was made.
 */
export function checkTranslations(
  sources: PolicySource[],
  language: Language,
  library: Library,
  /** English policy files with errors: their translations are not compared with them. */
  brokenFiles: ReadonlySet<string>,
  cache: TranslationCheckCache = new Map(),
): { translations: Record<string, Policy>; diagnostics: Diagnostic[] } {
  validateFrontMatter ??= compileSchema(frontMatterSchema);
  const diagnostics: Diagnostic[] = [];
  const translations: Record<string, Policy> = {};
  const codes = codePattern(library.policies.map((p) => p.code));
  const loose = loosePattern(library.policies.map((p) => p.code));
  for (const source of sources) {
    if (source.frontMatter === undefined) continue; // YAML errors already reported
    const invalid = schemaDiagnostics(validateFrontMatter, source.frontMatter ?? {}, source.positions, source.file);
    if (invalid.length > 0) {
      diagnostics.push(...invalid);
      continue;
    }
    const fm = source.frontMatter as FrontMatter;
    const at = (pointer: string, severity: Diagnostic["severity"], rule: string) => ({
      file: source.file,
      ...positionOf(source.positions, pointer),
      severity,
      rule,
    });
    const english = library.policies.find((p) => p.code === fm.code);
    if (!english) {
      diagnostics.push({
        ...at("/code", "error", "translation-source"),
        message: `${fm.code} is not a policy of the library, so this translates nothing`,
        hint: "write the code of the English policy it translates",
      });
      continue;
    }
    if (translations[fm.code]) {
      diagnostics.push({
        ...at("/code", "error", "duplicate-code"),
        message: `${fm.code} already has a translation: ${translations[fm.code]?.file}`,
        hint: "keep one translation per policy and language",
      });
      continue;
    }
    if (fileStem(source.file) !== english.slug) {
      diagnostics.push({
        ...at("/code", "warning", "policy-file-name"),
        message: `a translation is named after its English policy: ${english.slug}.md`,
        hint: `rename the file to ${english.slug}.md`,
      });
    }
    const status = fm.translation_status ?? "draft";
    const translation: Policy = {
      ...english,
      file: source.file,
      title: fm.title,
      slug: `${english.slug}.${language}`,
      body: source.body,
      bodyLine: source.bodyLine,
      language,
      translation: {
        version: fm.translated_from.version,
        status,
        ...(fm.translated_from.title ? { title: fm.translated_from.title } : {}),
        sections: Object.fromEntries(
          Object.entries(fm.translated_from.sections ?? {}).map(([heading, hashes]) => [
            heading,
            hashes ? hashes.split(" ") : [],
          ]),
        ),
      },
    };
    // The version history in this language: its entries' words replaced, dates and names kept.
    for (const [i, entry] of (fm.history ?? []).entries()) {
      if (english.history.some((e) => e.version === entry.version)) continue;
      diagnostics.push({
        ...at(`/history/${i}/version`, "error", "translation-history"),
        message: `version ${entry.version} is not in the version history of the English ${english.code}`,
        hint: `translate the English entries: ${english.history.map((e) => e.version).join(", ") || "it has none"}`,
      });
    }
    translation.history = english.history.map((entry) => {
      const words = fm.history?.find((e) => e.version === entry.version);
      return { ...entry, ...(words?.changes && { changes: words.changes }), ...(words?.role && { role: words.role }) };
    });
    if (fm.category) translation.category = fm.category;
    else delete translation.category;
    const key = sha256(
      english.body,
      String(english.bodyLine),
      source.body,
      String(source.bodyLine),
      JSON.stringify([fm, english.title, english.version, english.history, brokenFiles.has(english.file)]),
      JSON.stringify(source.positions),
      codes.source,
    );
    let found = cache.get(key);
    if (!found) {
      found = checkAgainst(english, translation, codes, loose, at, brokenFiles);
      cache.set(key, found);
    }
    diagnostics.push(...found.map((d) => ({ ...d, file: source.file })));
    translations[fm.code] = translation;
  }
  return { translations, diagnostics };
}

/** The translation's own body checks, then its comparison with the English. */
function checkAgainst(
  english: Policy,
  translation: Policy,
  codes: RegExp,
  loose: RegExp,
  at: (pointer: string, severity: Diagnostic["severity"], rule: string) => Omit<Diagnostic, "message">,
  brokenFiles: ReadonlySet<string>,
): TranslationCheck {
  const { problems } = checkBody(translation, codes, loose);
  // Either text too broken to read (too deep, unbalanced blocks) is not compared: its own
  // errors say why, and walking it could take minutes.
  if (problems.some((d) => d.severity === "error") || brokenFiles.has(english.file)) return problems;
  return [...problems, ...compare(english, translation, codes, at).map(({ file: _, ...d }) => d)];
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
