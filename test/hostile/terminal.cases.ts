import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostileCase } from "./case.ts";

// Diagnostics quote file names and values: a terminal escape or a line break in one is printed as
// a visible \x1b or \x0a, never sent to the terminal to clear lines or forge a diagnostic.
export const cases: HostileCase[] = [
  {
    name: "an organisation file whose name holds terminal escapes and a line break",
    setup: async (dir) => {
      await copyFile(join(dir, "orgs/afon-homecare.yaml"), join(dir, "orgs/x\u001b[2K\u001b[1G\nok.yaml"));
    },
    args: ["check", "--as-of", "2026-11-24"],
    exit: 1,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that no ESC is printed.
    says: /^(?![\s\S]*\x1b)[\s\S]*orgs\/x\\x1b\[2K\\x1b\[1G\\x0aok\.yaml:1:1: error org-id: the file name gives the organisation id "x\\x1b\[2K\\x1b\[1G\n?ok"/,
    seconds: 55,
  },
];
