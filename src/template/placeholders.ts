import Handlebars from "handlebars";
import type { Diagnostic, PlaceholderUse } from "../types.ts";
import { positionsIn } from "./positions.ts";

export { COMPUTED_NAMES, ORG_PREFIX } from "./names.ts";

const BLOCK_HELPERS = new Set(["if", "unless"]);
/** Conditions within conditions: a policy needs two or three; deeper ones are reported, not parsed. */
export const MAX_BLOCK_NESTING = 16;
const SUPPORTED = "supported forms: <<name>>, <<#if name>> … <<else>> … <</if>>, <<#unless name>> … <</unless>>";

/**
 * `<<x>>` → `{{x}}`: the same length, so Handlebars' line and column are the source's.
 * Legacy `{{…}}` text is blanked first so Handlebars never reads it as a placeholder.
 */
export function toHandlebars(body: string): string {
  return body.replace(/\{\{|\}\}/g, "  ").replace(/<<([^<>\n]*?)>>/g, (_match, inner: string) => `{{${inner}}}`);
}

type BodyDiagnostic = Omit<Diagnostic, "file">;

/**
 * A bracketed placeholder of an old template: `[Name of Registered Manager]`, `[Insert …]`, or a
 * name in capitals (`[ORGANISATION]`, `[MANAGER NAME]`). Short acronyms (`[GDPR]`) are text.
 */
/** Words that name what an old template's placeholder stood for. */
const FIELD_WORDS =
  /\b(?:names?|organi[sz]ations?|company|provider|manager|date|address|(?:tele)?phone|e-?mail|number|registration|service|logo|role|position|signature|contact|person|lead|authority|officer|individual|details)\b/i;

/**
 * A bracketed placeholder of an old template: "[Name of Registered Manager]", "[Insert the
 * organisation's name]", or capitals naming a field ("[ORGANISATION]", "[MANAGER NAME]").
 * "[IMPORTANT]", "[NHS WALES]", "[GDPR]" and "[enter quietly]" are text.
 */
const isBracketPlaceholder = (inner: string) =>
  /^(?:full )?name of\b/i.test(inner) ||
  (/^(?:insert|enter|add|type)\b/i.test(inner) && FIELD_WORDS.test(inner)) ||
  (/^[A-Z][A-Z _]*$/.test(inner) && FIELD_WORDS.test(inner));

/** A mail-merge field: one word, in CamelCase or with underscores or naming a field ("«OrgName»", "«Signature»"). */
const isMergeField = (inner: string) =>
  /^[A-Za-z][A-Za-z0-9_]*$/.test(inner) && (/[a-z][A-Z]|_/.test(inner) || FIELD_WORDS.test(inner));

/**
 * The body with code blocks and code spans blanked (same length, so positions hold): what is
 * shown as code is not a leftover placeholder. Line by line, without parsing: this runs before
 * the body is known to be safe to parse.
 */
function withoutCode(body: string): string {
  let fence: string | undefined;
  return body
    .split("\n")
    .map((line) => {
      const mark = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence !== undefined || mark) {
        if (fence === undefined) fence = mark;
        else if (mark && mark[0] === fence[0] && mark.length >= fence.length) fence = undefined;
        return " ".repeat(line.length);
      }
      return line.replace(/(`+)[^`]+?\1/g, (code) => " ".repeat(code.length));
    })
    .join("\n");
}

/**
 * Placeholders of old templates left in the text: `{{org_field_x}}`, `{org_field_x}`, Word
 * mail-merge fields (`«OrgName»`) and bracketed ones. Links (`[text](url)`, `[text][ref]`,
 * `[ref]: url`) are Markdown, not placeholders.
 */
function legacyTokens(body: string, firstLine: number): BodyDiagnostic[] {
  const found: BodyDiagnostic[] = [];
  const positionAt = positionsIn(body, firstLine);
  const text = withoutCode(body);
  // Labels of link definitions ("[CQC GUIDE]: https://…"): "[CQC GUIDE]" alone is a link to it.
  const labels = new Set(
    [...text.matchAll(/^ {0,3}\[([^[\]\n]{1,100})\]:/gm)].map((m) => (m[1] as string).toLowerCase()),
  );
  // Bounded insides without their own delimiters: a run of unclosed "{{" or "[" costs linear time.
  const tokens =
    /\{\{([^{}\n]{0,200})\}\}|(?<![{\w])\{\s*(org_field_\w{1,60})\s*\}(?!\})|«([^«»\n]{1,60})»|(?<!\])\[([^[\]\n]{2,100})\](?![([:])/gi;
  for (const match of text.matchAll(tokens)) {
    const [token, braces, brace, merge, bracketed] = match;
    if (merge !== undefined && !isMergeField(merge.trim())) continue;
    if (bracketed !== undefined && (labels.has(bracketed.toLowerCase()) || !isBracketPlaceholder(bracketed.trim()))) {
      continue;
    }
    const inner = (braces ?? brace)?.trim();
    found.push({
      ...positionAt(match.index),
      severity: "error",
      rule: "legacy-token",
      message: `leftover template token ${token}`,
      hint:
        inner !== undefined
          ? `write <<${inner}>>`
          : `replace ${merge !== undefined ? "the mail-merge field" : "it"} with the placeholder of the field it stands for, such as <<org_field_name>>, or with text`,
    });
  }
  return found;
}

/** Pairs <<#if>>/<<#unless>> with their <</…>> so an unbalanced block is reported where it opens. */
function blockBalance(body: string, firstLine: number): BodyDiagnostic[] {
  const found: BodyDiagnostic[] = [];
  const positionAt = positionsIn(body, firstLine);
  const open: { helper: string; name: string; at: { line: number; column: number } }[] = [];
  for (const match of body.matchAll(/<<\s*([#/])\s*(\w+)\s*([^<>\n]*?)\s*>>/g)) {
    const [token, kind, helper, name] = match as unknown as [string, string, string, string];
    const at = positionAt(match.index);
    if (kind === "#") {
      open.push({ helper, name, at });
      if (open.length > MAX_BLOCK_NESTING) {
        // Handlebars parses nested blocks in quadratic time: stop before it sees them.
        found.push({
          ...at,
          severity: "error",
          rule: "block-depth",
          message: `<<#${helper}>> blocks are nested more than ${MAX_BLOCK_NESTING} deep here`,
          hint: "combine the conditions, or close each block before opening the next",
        });
        return found;
      }
      continue;
    }
    const top = open.pop();
    if (!top) {
      found.push({
        ...at,
        severity: "error",
        rule: "unbalanced-block",
        message: `${token} closes a block that was never opened`,
        hint: `remove it, or add <<#${helper} …>> before it`,
      });
    } else if (top.helper !== helper) {
      found.push({
        ...at,
        severity: "error",
        rule: "unbalanced-block",
        message: `${token} does not match <<#${top.helper} ${top.name}>> opened at line ${top.at.line}`,
        hint: `close it with <</${top.helper}>>`,
      });
    }
  }
  for (const block of open) {
    found.push({
      ...block.at,
      severity: "error",
      rule: "unbalanced-block",
      message: `<<#${block.helper} ${block.name}>> is never closed`,
      hint: `add <</${block.helper}>> where the conditional text ends`,
    });
  }
  return found;
}

function walk(
  nodes: hbs.AST.Statement[],
  guards: string[],
  firstLine: number,
  uses: PlaceholderUse[],
  problems: BodyDiagnostic[],
): void {
  for (const node of nodes) {
    const at = { line: node.loc.start.line + firstLine - 1, column: node.loc.start.column + 1 };
    if (node.type === "ContentStatement" || node.type === "CommentStatement") continue;
    if (node.type === "MustacheStatement") {
      const m = node as hbs.AST.MustacheStatement;
      if (m.path.type === "PathExpression" && m.params.length === 0 && !m.hash && m.escaped) {
        uses.push({ name: (m.path as hbs.AST.PathExpression).original, kind: "value", ...at, guards: [...guards] });
        continue;
      }
    }
    if (node.type === "BlockStatement") {
      const b = node as hbs.AST.BlockStatement;
      const helper = (b.path as hbs.AST.PathExpression).original;
      const param = b.params[0];
      if (BLOCK_HELPERS.has(helper) && b.params.length === 1 && param?.type === "PathExpression" && !b.hash) {
        const name = (param as hbs.AST.PathExpression).original;
        uses.push({ name, kind: "condition", ...at, guards: [...guards] });
        // Only a positive <<#if x>> guarantees x inside its first branch.
        walk(b.program.body, helper === "if" ? [...guards, name] : guards, firstLine, uses, problems);
        if (b.inverse)
          walk(b.inverse.body, helper === "unless" ? [...guards, name] : guards, firstLine, uses, problems);
        continue;
      }
    }
    problems.push({
      ...at,
      severity: "error",
      rule: "placeholder-syntax",
      message: "unsupported placeholder",
      hint: SUPPORTED,
    });
  }
}

/** Every placeholder of a policy body, plus syntax problems; `firstLine` is the body's line in its file. */
export function scanPlaceholders(
  body: string,
  firstLine: number,
): { uses: PlaceholderUse[]; problems: BodyDiagnostic[] } {
  const problems = [...legacyTokens(body, firstLine), ...blockBalance(body, firstLine)];
  const uses: PlaceholderUse[] = [];
  if (problems.some((p) => p.rule === "unbalanced-block" || p.rule === "block-depth")) return { uses, problems };
  try {
    walk(Handlebars.parse(toHandlebars(body)).body, [], firstLine, uses, problems);
  } catch (error) {
    const line = Number(/line (\d+)/.exec((error as Error).message)?.[1] ?? 1);
    problems.push({
      line: line + firstLine - 1,
      column: 1,
      severity: "error",
      rule: "placeholder-syntax",
      message: (error as Error).message.split("\n")[0] ?? "cannot parse placeholders",
      hint: SUPPORTED,
    });
  }
  return { uses, problems };
}
