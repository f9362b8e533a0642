import { join } from "node:path";
import { type LibraryYaml, loadLibraryYaml } from "./legislation.ts";

/** The consultancy's house style sits beside the policies, like the legislation register. */
export const THEME_FILE = "theme.yaml";

/** The theme as written, for the check stage to validate; absent when the library has none. */
export type ThemeSource = LibraryYaml;

export const loadTheme = (policiesDir: string) => loadLibraryYaml(join(policiesDir, THEME_FILE));
