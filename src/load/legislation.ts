import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic, YamlPositions } from "../types.ts";
import { readSourceText } from "./read.ts";
import { parseYamlWithPositions } from "./yaml.ts";

/** The register sits beside the policies; the policy loader reads only `*.md`, so it never sees it. */
export const LEGISLATION_FILE = "legislation.yaml";

/** A YAML file of the library beside the policies, as written, for the check stage to validate. */
export interface LibraryYaml {
  file: string;
  data: unknown;
  positions: YamlPositions;
}

/** The register as written; absent when the library has none. */
export type LegislationSource = LibraryYaml;

export const loadLegislation = (policiesDir: string) => loadLibraryYaml(join(policiesDir, LEGISLATION_FILE));

/** An optional YAML file of the library (the register, the theme): none is no file, not an error. */
export async function loadLibraryYaml(file: string): Promise<{ source?: LibraryYaml; diagnostics: Diagnostic[] }> {
  // lstat: a dangling symlink is still a file to report.
  const present = await lstat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT",
  );
  if (!present) return { diagnostics: [] };
  // A folder, a FIFO, a huge or non-UTF-8 file, or characters no output can carry: a diagnostic.
  const read = await readSourceText(file);
  if (read.diagnostics) return { diagnostics: read.diagnostics };
  const parsed = parseYamlWithPositions(read.text, file);
  if (parsed.data === undefined) return { diagnostics: parsed.diagnostics };
  return { source: { file, data: parsed.data, positions: parsed.positions }, diagnostics: parsed.diagnostics };
}
