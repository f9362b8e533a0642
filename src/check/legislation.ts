import { parseIsoDate } from "../dates/calendar.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import type { LegislationSource } from "../load/legislation.ts";
import { positionOf } from "../load/yaml.ts";
import type { CalendarDate, Diagnostic, LegislationItem } from "../types.ts";
import { compileSchema, schemaDiagnostics } from "./schema.ts";

/** What one entry of `policies/legislation.yaml` holds. */
const REGISTER_SCHEMA = {
  type: "array",
  description: "the laws, regulations and codes the library's policies follow, one entry each",
  items: {
    type: "object",
    additionalProperties: false,
    required: ["id", "title", "in_force", "link", "policies"],
    properties: {
      id: {
        type: "string",
        pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description: "a short unique name in lower-case letters, digits and hyphens, e.g. data-protection-act-2018",
      },
      title: { type: "string", minLength: 1, description: "the title as published, e.g. Data Protection Act 2018" },
      title_cy: {
        type: "string",
        minLength: 1,
        description: "its Welsh title, where one is published (Senedd legislation, Social Care Wales codes)",
      },
      in_force: { type: "string", format: "date", description: "the date it came or comes into force, YYYY-MM-DD" },
      link: { type: "string", format: "uri", pattern: "^https://", description: "where to read it (https://…)" },
      policies: {
        type: "array",
        minItems: 1,
        uniqueItems: true,
        items: { type: "string", pattern: "^[A-Z]{2,}[0-9]+$" },
        description: "the codes of the policies a change to it affects, e.g. [DCW34]",
      },
      note: { type: "string", description: "anything a reviewer should know, e.g. how the date was confirmed" },
    },
  },
};

let validate: ReturnType<typeof compileSchema> | undefined;

interface RawItem {
  id: string;
  title: string;
  title_cy?: string;
  in_force: string;
  link: string;
  policies: string[];
}

/** Validates the register against the library's codes; returns its entries only when it has no errors. */
export function checkLegislation(
  source: LegislationSource,
  codes: readonly string[],
): { items: LegislationItem[]; diagnostics: Diagnostic[] } {
  validate ??= compileSchema(REGISTER_SCHEMA);
  // An empty file is an empty register.
  if (source.data === null) return { items: [], diagnostics: [] };
  const diagnostics = schemaDiagnostics(validate, source.data, source.positions, source.file);
  if (diagnostics.length > 0) return { items: [], diagnostics };
  const raw = source.data as RawItem[];
  const at = (pointer: string) => ({
    file: source.file,
    ...positionOf(source.positions, pointer),
    severity: "error" as const,
  });
  const seen = new Map<string, number>();
  raw.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) {
      diagnostics.push({
        ...at(`/${i}/id`),
        rule: "legislation",
        message: `id \`${item.id}\` is already used by the entry at line ${positionOf(source.positions, `/${first}/id`).line}`,
        hint: "give each law, regulation or code its own id",
      });
    } else seen.set(item.id, i);
    item.policies.forEach((code, j) => {
      if (codes.includes(code)) return;
      const suggestion = didYouMean(code, codes);
      diagnostics.push({
        ...at(`/${i}/policies/${j}`),
        rule: "unknown-policy",
        message: `policy ${code} is not in the library`,
        hint: suggestion ? `did you mean ${suggestion}?` : `the library has ${codes.join(", ")}`,
      });
    });
  });
  if (diagnostics.length > 0) return { items: [], diagnostics };
  const items = raw.map((item) => ({
    id: item.id,
    title: item.title,
    ...(item.title_cy ? { titleCy: item.title_cy } : {}),
    inForce: parseIsoDate(item.in_force) as CalendarDate,
    link: item.link,
    policies: item.policies,
  }));
  return { items, diagnostics };
}
