import jsToXliff12 from "xliff/jsToXliff12";
import xliff12ToJs from "xliff/xliff12ToJs";
import { stringify } from "yaml";
import { recordedSections } from "../check/translations.ts";
import { labelsFor } from "../labels/index.ts";
import type { Diagnostic, Language, Library, Policy } from "../types.ts";
import { codePattern } from "../xref/extract.ts";
import { blockHash, pairSections, recordedBlocks, type Section, sectionsOf } from "./blocks.ts";

// The translator's round trip: XLIFF 1.2 (what Trados, memoQ, Phrase and Weblate read), one unit
// per block, with placeholders, policy codes and Markdown marks as protected inline codes (<x/>)
// that a translation tool shows as tags and will not let a translator retype.

/** A unit's id: the policy, the block's place (section.block, or "title") and the English block's hash. */
const unitId = (code: string, place: string, hash: string) => `${code}/${place}/${hash}`;

/** What a translator must leave as it is: placeholders, codes, Markdown marks, links' targets, escapes. */
function protectedPattern(codes: RegExp): RegExp {
  return new RegExp(
    [
      "<<[^<>\\n]*?>>",
      codes.source,
      "\\]\\([^)\\s]*\\)", // a link's target: "](https://…)"
      "\\[",
      "`[^`\\n]*`",
      "<https?:[^>\\s]*>",
      "https?://[^\\s)\\]]+",
      "\\*\\*|__|\\*|~~",
      "\\\\.",
    ].join("|"),
    "g",
  );
}

type Inline = string | { Standalone: { id: string; ctype?: string; "equiv-text"?: string } };

const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The protected spans of a text. Tags separated only by white space become one ("<<first>>
 * <<last>>"), and a line break beside a tag goes with it: XLIFF tools and parsers drop white
 * space between tags and at the ends of a unit, which would glue the Markdown back wrongly.
 */
function protectedSpans(text: string, pattern: RegExp): [number, number][] {
  const spans: [number, number][] = [];
  for (const match of text.matchAll(pattern)) {
    let start = match.index ?? 0;
    let end = start + match[0].length;
    const before = /\s*\n\s*$/.exec(text.slice(0, start));
    if (before) start -= before[0].length;
    const after = /^\s*\n\s*/.exec(text.slice(end));
    if (after) end += after[0].length;
    const last = spans.at(-1);
    if (last && /^\s*$/.test(text.slice(last[1], start))) last[1] = end;
    else spans.push([start, end]);
  }
  return spans;
}

/** A block's text as XLIFF inline content: text, and each protected span as <x id="n"/>. */
function toInline(text: string, pattern: RegExp): { inline: Inline[]; tokens: Map<string, string> } {
  const inline: Inline[] = [];
  const tokens = new Map<string, string>();
  let last = 0;
  for (const [start, end] of protectedSpans(text, pattern)) {
    if (start > last) inline.push(text.slice(last, start));
    const id = String(tokens.size + 1);
    const token = text.slice(start, end);
    tokens.set(id, token);
    // equiv-text is what the tool shows for the tag. The xliff package escapes only quotes in
    // attributes, so the rest is escaped here.
    const ctype = token.trim().startsWith("<<") ? "x-placeholder" : "x-markup";
    inline.push({ Standalone: { id, ctype, "equiv-text": xmlText(token.trim()) } });
    last = end;
  }
  if (last < text.length) inline.push(text.slice(last));
  return { inline, tokens };
}

/** A translated block's inline content back to Markdown, or what is wrong with its tags. */
function fromInline(target: unknown, tokens: Map<string, string>): { text?: string; problem?: string } {
  const parts = typeof target === "string" ? [target] : Array.isArray(target) ? (target as Inline[]) : [];
  let text = "";
  const seen: string[] = [];
  for (const part of parts) {
    if (typeof part === "string") {
      if (/<<|>>/.test(part)) return { problem: `a placeholder was typed as text ("${part.trim()}")` };
      text += part;
      continue;
    }
    const id = part?.Standalone?.id;
    const token = id === undefined ? undefined : tokens.get(id);
    if (token === undefined) return { problem: `it has a tag (id ${id ?? "?"}) that its English text does not have` };
    if (seen.includes(id as string)) return { problem: `the tag ${token} (id ${id}) is there twice` };
    seen.push(id as string);
    text += token;
  }
  const lost = [...tokens].filter(([id]) => !seen.includes(id)).map(([, token]) => token);
  if (lost.length > 0) return { problem: `the tags ${lost.join(", ")} are missing` };
  return { text };
}

/** Whether a block has words to translate, not just placeholders, codes and marks. */
const hasWords = (text: string, pattern: RegExp) => /\p{L}/u.test(text.replace(pattern, ""));

/**
 * The translated text of each English block as the translation has it now, when it can tell:
 * by the English block's hash recorded at the translated block's place (what it was made from),
 * else, without recorded hashes, by place in a section with as many blocks.
 */
function translatedBlocks(english: Policy, translation: Policy | undefined) {
  const sections = sectionsOf(english.body);
  const recordedSections = translation?.translation?.sections ?? {};
  const hasRecord = Object.keys(recordedSections).length > 0;
  const paired = translation ? pairSections(sections, sectionsOf(translation.body), recordedSections) : [];
  const before = recordedBlocks(sections, recordedSections);
  const textOf = (s: number, b: number): string | undefined => {
    const ours = paired[s];
    const section = sections[s] as Section;
    if (!ours || !translation?.translation) return undefined;
    if (hasRecord) {
      const recorded = before[s];
      if (!recorded) return undefined;
      const at = recorded.length === ours.blocks.length ? recorded.indexOf(section.blocks[b]?.hash ?? "") : -1;
      return at === -1 ? undefined : ours.blocks[at]?.text;
    }
    return ours.blocks.length === section.blocks.length ? ours.blocks[b]?.text : undefined;
  };
  /** The old translation at the same place, for a translator to revise: offered, never kept unasked. */
  const previousOf = (s: number, b: number) => {
    const ours = paired[s];
    return ours && ours.blocks.length === sections[s]?.blocks.length ? ours.blocks[b]?.text : undefined;
  };
  /** Whether the English block is new or changed since the translation was made. */
  const isStale = (s: number, b: number) => !before[s]?.includes(sections[s]?.blocks[b]?.hash ?? "");
  return { sections, textOf, previousOf, isStale };
}

export interface ExportResult {
  xliff: string;
  /** Units written, by policy code. */
  units: Record<string, number>;
}

/**
 * The XLIFF a translator needs: for each policy, the units new or changed since its translation
 * (every unit with `all`), each with the current translation, if any, as its target to revise.
 */
export async function exportXliff(library: Library, language: Language, all = false): Promise<ExportResult> {
  const codes = codePattern(library.policies.map((p) => p.code));
  const pattern = protectedPattern(codes);
  const resources: Record<string, Record<string, { source: Inline[]; target?: Inline[]; note: string }>> = {};
  const units: Record<string, number> = {};
  for (const english of library.policies) {
    const translation = library.translations[language]?.[english.code];
    const { sections, textOf, previousOf, isStale } = translatedBlocks(english, translation);
    const file: (typeof resources)[string] = {};
    const add = (place: string, text: string, hash: string, note: string, old?: string) => {
      const { inline, tokens } = toInline(text, pattern);
      const unit: (typeof file)[string] = { source: inline, note };
      if (old !== undefined) {
        const { inline: target, tokens: oldTokens } = toInline(old, pattern);
        // The old translation is offered only when its tags are the English block's, in ids too.
        if ([...oldTokens].every(([id, token]) => tokens.get(id) === token)) unit.target = target;
      }
      file[unitId(english.code, place, hash)] = unit;
    };
    const title = blockHash(english.title);
    if (all || translation?.translation?.title !== title) {
      add("title", english.title, title, "the policy's title", translation?.title);
    }
    for (const [s, section] of sections.entries()) {
      for (const [b, block] of section.blocks.entries()) {
        if (!hasWords(block.text, pattern)) continue;
        if (!all && !isStale(s, b)) continue;
        const old = textOf(s, b) ?? previousOf(s, b);
        add(
          `${s + 1}.${b + 1}`,
          block.text,
          block.hash,
          `section: ${section.heading || "(before the first heading)"}`,
          old,
        );
      }
    }
    if (Object.keys(file).length > 0) {
      resources[english.code] = file;
      units[english.code] = Object.keys(file).length;
    }
  }
  const xliff = await jsToXliff12(
    { sourceLanguage: "en-GB", targetLanguage: labelsFor(language).wordLanguage, resources },
    { indent: "" },
  );
  return { xliff, units };
}

export interface ImportedFile {
  path: string;
  text: string;
  code: string;
  units: number;
}

/**
 * The translation files an XLIFF gives back, written whole from the English structure and the
 * translated blocks (a unit's target, else the translation's block as it was); nothing when any
 * unit's tags were damaged, or any block would be left without a translation.
 */
export async function importXliff(
  xml: string,
  file: string,
  library: Library,
  language: Language,
  translationPath: (english: Policy) => string,
): Promise<{ files: ImportedFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const problem = (message: string, hint: string): Diagnostic => ({
    file,
    line: 1,
    column: 1,
    severity: "error",
    rule: "translate-import",
    message,
    hint,
  });
  let parsed: { resources?: Record<string, Record<string, { source?: unknown; target?: unknown }>> };
  try {
    parsed = (await xliff12ToJs(xml)) as typeof parsed;
  } catch (error) {
    return {
      files: [],
      diagnostics: [
        problem(
          `not an XLIFF 1.2 file: ${(error as Error).message.split("\n")[0]}`,
          "give the file the translation tool exported (XLIFF 1.2)",
        ),
      ],
    };
  }
  const codes = codePattern(library.policies.map((p) => p.code));
  const pattern = protectedPattern(codes);
  const files: ImportedFile[] = [];
  for (const [code, units] of Object.entries(parsed.resources ?? {})) {
    const english = library.policies.find((p) => p.code === code);
    if (!english) {
      diagnostics.push(problem(`the file holds units of ${code}, which is not in the library`, "export again"));
      continue;
    }
    const translation = library.translations[language]?.[code];
    const { sections, textOf } = translatedBlocks(english, translation);
    const texts = new Map<string, string>();
    let title = translation?.title;
    for (const [id, unit] of Object.entries(units)) {
      const [, place, hash] = id.split("/");
      const where = place === "title" ? undefined : place?.split(".").map(Number);
      const block = where && sections[(where[0] ?? 0) - 1]?.blocks[(where[1] ?? 0) - 1];
      const english_ = place === "title" ? english.title : block?.text;
      const current = place === "title" ? blockHash(english.title) : block?.hash;
      if (english_ === undefined || current !== hash) {
        diagnostics.push(
          problem(
            `unit ${id}: its English text changed (or moved) since the file was exported`,
            `export again (policypack translate export --lang ${language}) and translate the new file`,
          ),
        );
        continue;
      }
      if (unit.target === undefined || (typeof unit.target === "string" && unit.target.trim() === "")) continue;
      const { tokens } = toInline(english_, pattern);
      const back = fromInline(unit.target, tokens);
      if (back.problem) {
        diagnostics.push(
          problem(
            `unit ${id} is refused: ${back.problem}`,
            "restore the tags from the source in the translation tool (they stand for placeholders, policy codes and formatting), then export the file again",
          ),
        );
        continue;
      }
      if (place === "title") title = (back.text as string).trim();
      else texts.set(place as string, back.text as string);
    }
    if (diagnostics.length > 0) continue;
    // The body: the English with each block's text replaced by its translation, last block first.
    let body = english.body;
    const missing: string[] = [];
    const blocks = sections.flatMap((section, s) => section.blocks.map((block, b) => ({ block, s, b })));
    for (const { block, s, b } of blocks.reverse()) {
      const place = `${s + 1}.${b + 1}`;
      const text = texts.get(place) ?? textOf(s, b) ?? (hasWords(block.text, pattern) ? undefined : block.text);
      if (text === undefined) {
        missing.push(place);
        continue;
      }
      body = body.slice(0, block.start) + text + body.slice(block.end);
    }
    if (missing.length > 0 || !title) {
      diagnostics.push(
        problem(
          `${code} would be left with English text: ${[...(title ? [] : ["title"]), ...missing.reverse()].join(", ")} ${missing.length + (title ? 0 : 1) === 1 ? "has" : "have"} no translation`,
          "translate every unit of the file, then import it again (or export with --all: every unit, with the current translation to revise)",
        ),
      );
      continue;
    }
    // A translation's own words for the version history are kept as they were.
    const history = translation?.history
      .map((entry, i) => ({ entry, english: english.history[i] }))
      .filter(({ entry, english: e }) => e && (entry.changes !== e.changes || entry.role !== e.role))
      .map(({ entry, english: e }) => ({
        version: entry.version,
        ...(entry.changes !== e?.changes ? { changes: entry.changes } : {}),
        ...(entry.role !== e?.role && entry.role ? { role: entry.role } : {}),
      }));
    const frontMatter = {
      code,
      title,
      ...(translation?.category ? { category: translation.category } : {}),
      ...(history && history.length > 0 ? { history } : {}),
      translation_status: translation?.translation?.status ?? "draft",
      translated_from: {
        version: english.version,
        title: blockHash(english.title),
        sections: recordedSections(sections),
      },
    };
    files.push({
      path: translationPath(english),
      text: `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n${body.startsWith("\n") ? "" : "\n"}${body}`,
      code,
      units: Object.keys(units).length,
    });
  }
  return { files: diagnostics.length > 0 ? [] : files, diagnostics };
}
