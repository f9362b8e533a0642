import { styleText } from "node:util";
import type { Diagnostic } from "../types.ts";

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order: by file, then position, so output is the same from run to run. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

function summary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/**
 * Control characters as visible escapes (ESC as \x1b): a file name or a value quoted in a message
 * must not move the cursor, clear lines or recolour the terminal, nor, in a file name, start a
 * line that looks like a diagnostic of its own.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS_AND_LINE_BREAKS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

function visible(text: string, keepLineBreaks: boolean): string {
  return text.replace(
    keepLineBreaks ? CONTROLS : CONTROLS_AND_LINE_BREAKS,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** tsc/eslint style: `file:line:column: error rule-id: message`, then an indented hint. */
export function formatText(diagnostics: readonly Diagnostic[], colour: boolean): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) => (colour ? styleText(style, text) : text);
  const lines: string[] = [];
  for (const d of sortDiagnostics(diagnostics)) {
    const severity = paint(d.severity === "error" ? "red" : "yellow", d.severity);
    const where = `${visible(d.file, false)}:${d.line}:${d.column}`;
    lines.push(`${paint("bold", where)}: ${severity} ${paint("dim", d.rule)}: ${visible(d.message, true)}`);
    if (d.hint) lines.push(`  ${paint("cyan", "hint")}: ${visible(d.hint, true)}`);
  }
  if (diagnostics.length > 0) lines.push("", summary(diagnostics));
  return lines.join("\n");
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify(sortDiagnostics(diagnostics), null, 2);
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

// GitHub's workflow commands: data escapes %, CR and LF; properties also , and :.
const escapeData = (text: string) => text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const escapeProperty = (text: string) => escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");

/** `::error file=…,line=…,col=…,title=…::message`: GitHub Actions shows these on the pull request's lines. */
export function formatGithub(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const properties = [`file=${d.file}`, `line=${d.line}`, `col=${d.column}`, `title=${d.rule}`].map(escapeProperty);
      const message = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
      return `::${d.severity} ${properties.join(",")}::${escapeData(message)}`;
    })
    .join("\n");
}
