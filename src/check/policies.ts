import type { ValidateFunction } from "ajv";
import { didYouMean } from "../diagnostics/suggest.ts";
import { sha256 } from "../hash.ts";
import { fileStem, type PolicySource } from "../load/policies.ts";
import { positionOf } from "../load/yaml.ts";
import { COMPUTED_NAMES, ORG_PREFIX } from "../template/names.ts";
import {
  type CalendarDate,
  DEFAULT_THEME,
  type Diagnostic,
  type Library,
  type PlaceholderUse,
  type Policy,
  type PolicyStatus,
  type Reference,
  type Severity,
} from "../types.ts";
import { checkReferences } from "../xref/check.ts";
import { codePattern, type LooseCode, loosePattern } from "../xref/extract.ts";
import { checkHistory, DOTTED_VERSION } from "./history.ts";
import { compileSchema, schemaDiagnostics } from "./schema.ts";

export const POLICY_CODE = /^[A-Z]{2,}[0-9]+$/;

const frontMatterSchema = {
  type: "object",
  required: ["code", "title", "version"],
  additionalProperties: false,
  properties: {
    code: {
      type: "string",
      maxLength: 20,
      pattern: POLICY_CODE.source,
      description: "letters then digits, e.g. DCW13",
    },
    title: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "the policy's full title, e.g. Disciplinary and Grievance Policy",
    },
    version: { type: "string", minLength: 1, maxLength: 20, description: 'e.g. "4.1" in quotes' },
    review_months: { type: "integer", minimum: 1, maximum: 60, description: "review cycle in months (default 12)" },
    status: { enum: ["draft", "approved"], description: "draft policies go into no client pack" },
    history: {
      type: "array",
      minItems: 1,
      description: "the versions, newest first: version, date, changes, approved_by, role",
      items: {
        type: "object",
        required: ["version", "date", "changes"],
        additionalProperties: false,
        properties: {
          version: {
            type: "string",
            pattern: DOTTED_VERSION.source,
            description: 'a dotted number in quotes, e.g. "3.2"',
          },
          date: { type: "string", format: "date", description: "when this version was approved, YYYY-MM-DD" },
          changes: {
            type: "string",
            minLength: 1,
            maxLength: 2000,
            description: "what changed in this version, in a sentence",
          },
          approved_by: { type: "string", minLength: 1, maxLength: 200, description: "who approved this version" },
          role: {
            type: "string",
            minLength: 1,
            maxLength: 200,
            description: "the approver's role, e.g. Responsible Individual",
          },
        },
      },
    },
    category: { type: "string", maxLength: 100 },
    references_outside_pack: {
      enum: ["error", "warning"],
      description: "how citing a policy outside an organisation's pack is reported (default error)",
    },
  },
};

let validateFrontMatter: ValidateFunction | undefined;

function slugify(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * A section number opening a line: "1. ", "1) ", "3.1 ", "3.1.2. ". A bare number is not one:
 * "24 Hour Care Policy" and "2024 Review Policy" are titles.
 */
export const SECTION_NUMBER = /^\s*\d{1,2}(?:[.)]|(?:\.\d{1,2})+[.)]?)\s/;

/** Strips a heading's section number: "2.1 Scope" → "scope". */
const headingText = (text: string) =>
  text
    .replace(/^\s*\d+(?:\.\d+)*[.)]?\s+/, "")
    .trim()
    .toLowerCase();

/**
 * A title an import got wrong, which every document would print as its heading: a placeholder
 * (titles are the same for every organisation), or a section heading of the policy itself
 * ("1. Purpose", from a Word page saved as HTML).
 */
function titleProblems(source: PolicySource, title: string): Diagnostic[] {
  const at = {
    file: source.file,
    ...positionOf(source.positions, "/title"),
    severity: "error" as const,
    rule: "title",
  };
  const hint = "write the policy's own title, e.g. Safeguarding Adults from Abuse and Improper Treatment Policy";
  if (/<<|\{\{|«/.test(title)) {
    return [
      { ...at, message: `the title "${title}" holds a placeholder; a title is the same for every organisation`, hint },
    ];
  }
  const headings = [...source.body.matchAll(/^ {0,3}#{2,6}[ \t]+(.+?)[ \t#]*$/gm)].map((m) =>
    headingText(m[1] as string),
  );
  if (SECTION_NUMBER.test(title)) {
    return [{ ...at, message: `the title "${title}" is a section heading of the policy, not its title`, hint }];
  }
  // A Word original may repeat its title as a heading: worth a look, not a blocked pack.
  if (headings.includes(headingText(title))) {
    return [
      { ...at, severity: "warning", message: `the title "${title}" is also a section heading of the policy`, hint },
    ];
  }
  return [];
}

/** Front matter → Policy, or diagnostics. */
function toPolicy(source: PolicySource, buildDate: CalendarDate): { policy?: Policy; diagnostics: Diagnostic[] } {
  validateFrontMatter ??= compileSchema(frontMatterSchema);
  if (source.frontMatter === undefined) return { diagnostics: [] }; // YAML errors already reported
  const diagnostics = schemaDiagnostics(validateFrontMatter, source.frontMatter ?? {}, source.positions, source.file);
  if (diagnostics.length > 0) return { diagnostics };
  const fm = source.frontMatter as Record<string, unknown>;
  const code = fm.code as string;
  const status = (fm.status as PolicyStatus | undefined) ?? "approved";
  const { history, diagnostics: historyProblems } = checkHistory(source, status, buildDate);
  diagnostics.push(...historyProblems);
  if (status === "draft") {
    diagnostics.push({
      file: source.file,
      ...positionOf(source.positions, "/status"),
      severity: "warning",
      rule: "draft",
      message: `${code} is a draft: it is left out of every client pack`,
      hint: "build --drafts previews it; set status: approved (with a history entry) once it is approved",
    });
  }
  diagnostics.push(...titleProblems(source, fm.title as string));
  const stem = fileStem(source.file);
  let slug = stem;
  if (!stem.startsWith(`${code}-`)) {
    slug = `${code}-${slugify(fm.title as string)}`;
    diagnostics.push({
      file: source.file,
      ...positionOf(source.positions, "/code"),
      severity: "warning",
      rule: "policy-file-name",
      message: `the file name does not start with its code ${code}; output files are named ${slug}`,
      hint: `rename the file to ${slug}.md`,
    });
  }
  return {
    policy: {
      file: source.file,
      code,
      title: fm.title as string,
      version: fm.version as string,
      reviewMonths: (fm.review_months as number | undefined) ?? 12,
      status,
      ...(typeof fm.category === "string" ? { category: fm.category } : {}),
      history,
      ...(fm.references_outside_pack ? { referencesOutsidePack: fm.references_outside_pack as Severity } : {}),
      slug,
      body: source.body,
      bodyLine: source.bodyLine,
      language: "en",
    },
    diagnostics,
  };
}

/** What a policy body's own checks found: kept between runs (see BodyCheckCache), since parsing is most of a check's time. */
export interface BodyCheck {
  uses: PlaceholderUse[];
  problems: Omit<Diagnostic, "file">[];
  references: Reference[];
  /** Library codes written loosely ("DCW 31"), whether or not the library has that number. */
  loose: LooseCode[];
  /** Whether the body has emphasis (its pack then needs the italic web fonts). */
  emphasis: boolean;
}

/** Body checks by a hash of what they depend on; filled in by checkLibrary. */
export interface BodyCheckCache {
  get(key: string): BodyCheck | undefined;
  set(key: string, body: BodyCheck): void;
}

/**
 * The library: each policy's front matter, unique codes, every placeholder known
 * (`org_field_<schema key>` or a computed name) and well-formed, and its cross-references.
 */
export async function checkLibrary(
  sources: PolicySource[],
  orgFields: readonly string[],
  buildDate: CalendarDate,
  cache: BodyCheckCache = new Map(),
): Promise<{ library: Library; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const library: Library = {
    policies: [],
    translations: {},
    theme: DEFAULT_THEME,
    legislation: [],
    placeholders: {},
    references: {},
  };
  const known = [...orgFields.map((f) => ORG_PREFIX + f), ...COMPUTED_NAMES];
  const byCode = new Map<string, Policy>();

  for (const source of sources) {
    const { policy, diagnostics: found } = toPolicy(source, buildDate);
    diagnostics.push(...found);
    if (!policy) continue;
    const first = byCode.get(policy.code);
    if (first) {
      diagnostics.push({
        file: policy.file,
        ...positionOf(source.positions, "/code"),
        severity: "error",
        rule: "duplicate-code",
        message: `code ${policy.code} is already used by ${first.file}`,
        hint: "give one of the two policies a free code",
      });
      continue;
    }
    byCode.set(policy.code, policy);
    library.policies.push(policy);
  }
  library.policies.sort((a, b) => a.code.localeCompare(b.code, "en", { numeric: true }));

  const pattern = codePattern(library.policies.map((p) => p.code));
  // Both patterns depend only on the library's prefixes: which numbers exist is checked later.
  const loose = loosePattern(library.policies.map((p) => p.code));
  const looseCodes: Record<string, LooseCode[]> = {};
  for (const policy of library.policies) {
    const key = sha256(policy.body, String(policy.bodyLine), pattern.source, loose.source);
    let body = cache.get(key);
    if (!body) {
      body = (await import("./body.ts")).checkBody(policy, pattern, loose);
      cache.set(key, body);
    }
    diagnostics.push(...body.problems.map((d) => ({ ...d, file: policy.file })));
    for (const use of body.uses) {
      if (known.includes(use.name)) continue;
      const suggestion = didYouMean(use.name, known);
      diagnostics.push({
        file: policy.file,
        line: use.line,
        column: use.column,
        severity: "error",
        rule: "unknown-placeholder",
        message: `unknown placeholder <<${use.name}>>`,
        hint: suggestion
          ? `did you mean <<${suggestion}>>?`
          : use.name.startsWith(ORG_PREFIX)
            ? `declare \`${use.name.slice(ORG_PREFIX.length)}\` in the organisation schema first`
            : `organisation fields start with ${ORG_PREFIX}; computed names are ${COMPUTED_NAMES.join(", ")}`,
      });
    }
    // Unknown names are reported once, here, not again as missing org fields.
    library.placeholders[policy.code] = body.uses.filter((use) => known.includes(use.name));
    library.references[policy.code] = body.references;
    policy.emphasis = body.emphasis;
    looseCodes[policy.code] = body.loose;
  }
  diagnostics.push(...checkReferences(library, looseCodes));
  return { library, diagnostics };
}
