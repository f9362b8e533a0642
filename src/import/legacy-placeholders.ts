// Placeholder styles older templates use, besides {{org_field_x}}: `{org_field_x}`,
// `{{ORG_FIELD_X}}`, `[ORGANISATION]`, `[Name of Registered Manager]`, Word mail-merge fields
// (`«OrgName»`). A token that names one organisation field beyond doubt becomes <<org_field_…>>
// (a guess line says so); every other one is left as written and reported as a warning.
import type { Root, Text } from "mdast";
import { COMPUTED_NAMES, ORG_PREFIX } from "../template/placeholders.ts";
import type { Diagnostic } from "../types.ts";
import type { Guess } from "./types.ts";

/** Other words for a field, as templates write them (after lower-casing and underscores). */
const ALIASES: Record<string, string[]> = {
  name: ["organisation", "organization", "org", "company", "provider", "service_provider", "business"],
  registration_no: ["registration", "registration_number", "reg_no", "reg_number", "ciw_registration"],
  registered_manager: ["manager", "registered_manager_name", "manager_name"],
};
/** A field printed as two: the registered manager's name. */
const PAIRS: Record<string, string[]> = {
  registered_manager: ["registered_manager_first_name", "registered_manager_last_name"],
};

/** "Name of Registered Manager", «OrgName», "INSERT Organisation Name" → "registered_manager", "org_name", "organisation_name". */
function normaliseToken(token: string): string {
  return token
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .replace(/^\s*(?:insert|enter|add|type)\s+(?:the\s+|your\s+)?/, "")
    .replace(/^\s*(?:full\s+)?name\s+of\s+(?:the\s+|your\s+)?/, "")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/**
 * The fields a token names beyond doubt ("Organisation Name" → name, "Name of Registered
 * Manager" → its first and last name), or undefined. A bare "NAME" could be anyone's: undefined.
 */
export function fieldsFor(token: string, fields: readonly string[]): string[] | undefined {
  const key = normaliseToken(token);
  if (key === "name") return undefined;
  const known = (names: string[]) => (names.every((name) => fields.includes(name)) ? names : undefined);
  if (fields.includes(key)) return [key];
  if (fields.includes(`${key}_name`)) return [`${key}_name`];
  const bare = key.replace(/_name$/, "");
  for (const [field, aliases] of Object.entries(ALIASES)) {
    if (bare === field || aliases.includes(key) || aliases.includes(bare)) return known(PAIRS[field] ?? [field]);
  }
  return undefined;
}

/** `{org_field_x}`, `«Merge Field»`, `[Bracketed]`: the three legacy styles. */
const TOKEN = /(?<![{\w])\{\s*(org_field_\w+)\s*\}(?!\})|«\s*([^«»\n]{1,60}?)\s*»|\[\s*([^[\]\n]{2,60}?)\s*\]/gi;

/**
 * `[ORGANISATION]` must be in capitals (not "[sic]", "[1]"); `[Name of …]` and `[Insert …]` may be
 * any case; `[Office Phone Number]`, two to six capitalised words, is a template's blank too.
 */
const looksLikePlaceholder = (bracketed: string) =>
  /^(?:insert|enter|add|type|full name|name)\b/i.test(bracketed) ||
  (bracketed === bracketed.toUpperCase() && /[A-Z]{3}/.test(bracketed)) ||
  /^\p{Lu}[\p{L}'’]*(?:\s+(?:of|the|and|for|\p{Lu}[\p{L}'’]*)){1,5}$/u.test(bracketed);

/** The source position of `index` in a text node's value. */
export function positionIn(text: Text, index: number): { line: number; column: number } {
  const start = text.position?.start ?? { line: 1, column: 1 };
  const before = text.value.slice(0, index);
  const newlines = before.split("\n").length - 1;
  return newlines === 0
    ? { line: start.line, column: start.column + index }
    : { line: start.line + newlines, column: index - before.lastIndexOf("\n") };
}

export function visitTexts(node: Root | Root["children"][number], visit: (text: Text) => void): void {
  if (node.type === "text") visit(node);
  if ("children" in node) for (const child of node.children) visitTexts(child as Root["children"][number], visit);
}

export function legacyPlaceholders(
  tree: Root,
  fields: readonly string[],
  file: string,
): { guesses: Guess[]; warnings: Diagnostic[] } {
  const guesses: Guess[] = [];
  const warnings: Diagnostic[] = [];
  visitTexts(tree, (text) => {
    text.value = text.value.replace(TOKEN, (token, braced?: string, merge?: string, bracketed?: string, ...rest) => {
      const at = positionIn(text, rest[0] as number);
      const names = braced
        ? [braced.toLowerCase().slice(ORG_PREFIX.length)]
        : fieldsFor(merge ?? bracketed ?? "", fields);
      if (names) {
        const placeholder = names.map((name) => `<<${ORG_PREFIX}${name}>>`).join(" ");
        guesses.push({ line: at.line, kind: "placeholder", message: `${token} → ${placeholder}` });
        return placeholder;
      }
      // "[sic]", "[1]" are not placeholders; "[INSERT …]" is check's own legacy-token error.
      if (bracketed !== undefined && (!looksLikePlaceholder(bracketed) || /^insert\b/i.test(bracketed))) return token;
      warnings.push({
        file,
        ...at,
        severity: "warning",
        rule: "legacy-placeholder",
        message: `${token} looks like a placeholder from an old template; it was left as written`,
        hint: `replace it with <<${ORG_PREFIX}X>> for the organisation field X it stands for${fields.length ? ` (${fields.join(", ")})` : ""}, or with plain text; or name it in a --map file ("${token}": X) and import again`,
      });
      return token;
    });
  });
  return { guesses, warnings };
}

/**
 * `{{ORG_FIELD_NAME}}`, `{{Current_Year}}`: the name in lower case, when that is a computed name
 * or any org_field_ name (a misspelt one too: in lower case, check's did-you-mean can name the field).
 */
export function lowerCaseName(name: string, _fields: readonly string[] = []): string {
  const lower = name.toLowerCase();
  if (lower === name) return name;
  const known = lower.startsWith(ORG_PREFIX) || (COMPUTED_NAMES as readonly string[]).includes(lower);
  return known ? lower : name;
}
