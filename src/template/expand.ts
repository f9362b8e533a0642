import Handlebars from "handlebars";
import { toHandlebars } from "./placeholders.ts";

/** What a placeholder stands for once the Markdown is parsed: literal text, or the org's logo. */
export type Literal = { kind: "text"; text: string } | { kind: "logo" };

export type TemplateValue = string | number | boolean | undefined;

export interface Expansion {
  /** Markdown with every value replaced by an inert token (see `literalToken`). */
  markdown: string;
  /** What each token stands for, by token index (a sparse array). */
  literals: Literal[];
}

/**
 * Values never enter the Markdown: each becomes a private-use-character token that Markdown
 * treats as a plain word, and the parsed tree gets the literal text back (restoreLiterals).
 * So `A & B <Care> *Ltd*` can never become markup in any output.
 */
export const LITERAL_TOKEN = /\uE000(\d+)\uE001/g;
const literalToken = (index: number) => `\uE000${index}\uE001`;

export type CompiledTemplate = (values: Record<string, TemplateValue>, logoField?: string) => Expansion;

export function compileTemplate(body: string): CompiledTemplate {
  const render = Handlebars.compile(toHandlebars(body), {
    strict: true,
    noEscape: true,
    knownHelpersOnly: true,
    knownHelpers: { if: true, unless: true },
  });
  return (values, logoField) => {
    const literals: Literal[] = [];
    const context: Record<string, string | boolean> = {};
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || value === "") continue;
      // Booleans stay booleans so <<#if>> sees false as false.
      if (typeof value === "boolean") {
        context[name] = value;
        continue;
      }
      const index = tokenIndex(name);
      literals[index] = name === logoField ? { kind: "logo" } : { kind: "text", text: String(value) };
      context[name] = literalToken(index);
    }
    return { markdown: render(context), literals };
  };
}

// A name gets the same token in every expansion, so two organisations with the same fields
// expand a policy to the same Markdown, and its parsed tree can be reused (see policyTree).
const tokenIndexes = new Map<string, number>();
function tokenIndex(name: string): number {
  let index = tokenIndexes.get(name);
  if (index === undefined) {
    index = tokenIndexes.size;
    tokenIndexes.set(name, index);
  }
  return index;
}
