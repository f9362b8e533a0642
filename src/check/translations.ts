import type { ValidateFunction } from "ajv";
import { sha256 } from "../hash.ts";
import { fileStem, type PolicySource } from "../load/policies.ts";
import { positionOf } from "../load/yaml.ts";
import type { Section } from "../translate/blocks.ts";
import type { Diagnostic, Language, Library, Policy, PolicyStatus } from "../types.ts";
import { codePattern, loosePattern } from "../xref/extract.ts";
import { POLICY_CODE } from "./policies.ts";
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
export interface TranslationCheck {
  problems: Omit<Diagnostic, "file">[];
  /** Whether its text has emphasis (see Policy.emphasis). */
  emphasis: boolean;
}

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
export async function checkTranslations(
  sources: PolicySource[],
  language: Language,
  library: Library,
  /** English policy files with errors: their translations are not compared with them. */
  brokenFiles: ReadonlySet<string>,
  cache: TranslationCheckCache = new Map(),
): Promise<{ translations: Record<string, Policy>; diagnostics: Diagnostic[] }> {
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
      found = (await import("./compare.ts")).checkAgainst(english, translation, codes, loose, at, brokenFiles);
      cache.set(key, found);
    }
    diagnostics.push(...found.problems.map((d) => ({ ...d, file: source.file })));
    translation.emphasis = found.emphasis;
    translations[fm.code] = translation;
  }
  return { translations, diagnostics };
}
