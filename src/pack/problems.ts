// The diagnostics a build reports about what it rendered and the folder it writes into.
import { join } from "node:path";
import type { DocxWarning } from "../render/docx/index.ts";
import type { Diagnostic, PolicyDocument } from "../types.ts";
import { MANIFEST } from "../write/manifest.ts";

export function docxDiagnostics(doc: PolicyDocument, name: string, warnings: DocxWarning[]) {
  return warnings.map(
    (warning): Diagnostic => ({
      file: warning.file ?? doc.policy.file,
      // Positions are in the filled-in text; they match the source unless a <<#if>> block above was left out.
      line: warning.file ? warning.line : warning.line + doc.policy.bodyLine - 1,
      column: warning.column,
      severity: "warning",
      rule: "docx-unsupported",
      message: `${name}: ${warning.message}`,
    }),
  );
}

// The engine's error when Chromium died after its one restart (checked by name: importing the
// engine would load puppeteer on builds that print nothing).
export const chromiumStopped = (error: unknown) => (error as Error).name === "ChromiumStopped";

/** `names` were not written; one error for all of them when Chromium itself is gone. */
export function pdfFailure(file: string, names: string[], error: unknown): Diagnostic {
  const reason = (error as Error).message.split("\n")[0];
  const what = names.length === 1 ? `${names[0]} was` : `${names.length} PDFs were`;
  const which = names.length === 1 ? "" : ` (${names.join(", ")})`;
  return {
    file,
    line: 1,
    column: 1,
    severity: "error",
    rule: "pdf-render",
    ...(chromiumStopped(error)
      ? {
          message: `${what} not written${which}: ${reason}`,
          hint: "Chromium was killed or crashed twice during this build; build again, and if it keeps happening look on the machine for the cause (memory, `dmesg`) or set CHROME_PATH to another Chromium",
        }
      : {
          message: `${what} not written${which}: Chromium failed twice (${reason})`,
          hint: "the other files were written; build again, or try --format html to rule out the policy's content",
        }),
  };
}

export function pdfBlocked(file: string, name: string, url: string): Diagnostic {
  return {
    file,
    line: 1,
    column: 1,
    severity: "warning",
    rule: "pdf-network",
    message: `${name} tried to load ${url}; it was blocked`,
  };
}

export function outputError(file: string, message: string, hint: string): Diagnostic {
  return { file, line: 1, column: 1, severity: "error", rule: "output-folder", message, hint };
}

/** A file in the way of an output: policypack never overwrites what it did not write. */
export function notOurs(dir: string, name: string, consequence: string): Diagnostic {
  return outputError(
    join(dir, name),
    `${join(dir, name)} is in the way: policypack did not write it (${join(dir, MANIFEST)} does not list it), so it was left as it is and ${consequence}`,
    "move it out of the output folder (or delete it), then build again",
  );
}

/** A file policypack no longer needs, but which no longer holds what policypack wrote there. */
export function leftInPlace(dir: string, name: string): Diagnostic {
  return {
    file: join(dir, name),
    line: 1,
    column: 1,
    severity: "warning",
    rule: "output-folder",
    message: `left ${join(dir, name)} in place: the pack no longer needs it, but it is not the file policypack wrote there (changed since, or not recorded in ${join(dir, MANIFEST)})`,
    hint: "delete it by hand if nobody needs it",
  };
}

/** Manifest entries that could name something outside their folder: never followed, never deleted. */
export function ignoredEntries(dir: string, ignored: readonly string[]): Diagnostic[] {
  // Twenty are enough to see what happened; a manifest of a million bad entries is not a million lines.
  const shown = ignored.slice(0, 20);
  const more = ignored.length - shown.length;
  return shown.map((entry, i) => ({
    file: join(dir, MANIFEST),
    line: 1,
    column: 1,
    severity: "warning",
    rule: "output-folder",
    message: `ignored the entry ${entry.length > 200 ? `${entry.slice(0, 200)}…` : entry}: it is not a plain file name in ${dir}/, so it was neither read nor removed${i === shown.length - 1 && more > 0 ? ` (and ${more} more entries like it)` : ""}`,
    hint: "policypack never writes such an entry; if this folder came from a cache or an artifact, it may have been tampered with",
  }));
}
