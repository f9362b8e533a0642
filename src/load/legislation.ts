import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic, YamlPositions } from "../types.ts";
import { parseYamlWithPositions } from "./yaml.ts";

/** The register sits beside the policies; the policy loader reads only `*.md`, so it never sees it. */
export const LEGISLATION_FILE = "legislation.yaml";

/** The register as written, for the check stage to validate; absent when the library has none. */
export interface LegislationSource {
  file: string;
  data: unknown;
  positions: YamlPositions;
}

export async function loadLegislation(
  policiesDir: string,
): Promise<{ source?: LegislationSource; diagnostics: Diagnostic[] }> {
  const file = join(policiesDir, LEGISLATION_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    // No register is a library without one; an unreadable one is an environment problem the caller reports.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { diagnostics: [] };
    throw error;
  }
  const parsed = parseYamlWithPositions(text, file);
  if (parsed.data === undefined) return { diagnostics: parsed.diagnostics };
  return { source: { file, data: parsed.data, positions: parsed.positions }, diagnostics: parsed.diagnostics };
}
