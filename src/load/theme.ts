import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic, YamlPositions } from "../types.ts";
import { readSourceText } from "./read.ts";
import { parseYamlWithPositions } from "./yaml.ts";

/** The consultancy's house style sits beside the policies, like the legislation register. */
export const THEME_FILE = "theme.yaml";

/** The theme as written, for the check stage to validate; absent when the library has none. */
export interface ThemeSource {
  file: string;
  data: unknown;
  positions: YamlPositions;
}

export async function loadTheme(policiesDir: string): Promise<{ source?: ThemeSource; diagnostics: Diagnostic[] }> {
  const file = join(policiesDir, THEME_FILE);
  const present = await lstat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT",
  );
  if (!present) return { diagnostics: [] };
  const read = await readSourceText(file);
  if (read.diagnostics) return { diagnostics: read.diagnostics };
  const parsed = parseYamlWithPositions(read.text, file);
  if (parsed.data === undefined) return { diagnostics: parsed.diagnostics };
  return { source: { file, data: parsed.data, positions: parsed.positions }, diagnostics: parsed.diagnostics };
}
