import { readFileSync } from "node:fs";
import { lstat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { compileSchema, schemaDiagnostics } from "../check/schema.ts";
import type { Diagnostic } from "../types.ts";
import { readSourceText } from "./read.ts";
import { parseYamlWithPositions } from "./yaml.ts";

/** Read from the folder a command runs in, unless --config names another file. */
export const CONFIG_FILE = "policypack.config.yaml";

const SCHEMA = JSON.parse(readFileSync(new URL("../../policypack.config.schema.json", import.meta.url), "utf8"));

/**
 * Each key of the configuration file, the command-line option it gives a default to, and the
 * commands it is for (all when none are named): `--format` and `--out` mean other things to
 * reviews, xref, diff and import.
 */
export const CONFIG_OPTIONS = {
  policies: { option: "policies" },
  orgs: { option: "orgs" },
  out: { option: "out", commands: ["build", "serve"] },
  formats: { option: "format", commands: ["build"] },
  references_outside_pack: { option: "references-outside-pack" },
  reporter: { option: "reporter" },
  pack_url: { option: "pack-url", commands: ["reviews"] },
  port: { option: "port", commands: ["serve"] },
} as const satisfies Record<string, { option: string; commands?: readonly string[] }>;

const FOLDERS = new Set(["policies", "orgs", "out"]);

/** Option name → value, as the command line would give it. */
export type ConfigDefaults = Record<string, string>;

/** The defaults for one command's options. */
export function defaultsFor(
  config: Record<string, unknown>,
  command: string,
  base: string,
  cwd: string,
): ConfigDefaults {
  const defaults: ConfigDefaults = {};
  for (const [key, value] of Object.entries(config)) {
    const { option, commands } = CONFIG_OPTIONS[key as keyof typeof CONFIG_OPTIONS] as {
      option: string;
      commands?: readonly string[];
    };
    if (commands && !commands.includes(command)) continue;
    if (Array.isArray(value)) defaults[option] = value.join(",");
    else if (FOLDERS.has(key)) {
      const folder = isAbsolute(String(value)) ? String(value) : join(base, String(value));
      defaults[option] = relative(cwd, folder) || ".";
    } else defaults[option] = String(value);
  }
  return defaults;
}

let validate: ReturnType<typeof compileSchema> | undefined;

/**
 * The configuration's defaults for command-line options, or the diagnostics that stop every
 * command (a configuration with a typo must not build into the wrong folder). No file, no defaults.
 * Folders are relative to the file, and given back relative to `cwd` as a user would type them.
 */
export async function loadConfig(
  path: string | undefined,
  cwd: string,
  command: string,
): Promise<{ defaults: ConfigDefaults; file?: string; diagnostics: Diagnostic[] }> {
  const file = path ?? CONFIG_FILE;
  if (path === undefined) {
    const present = await lstat(resolve(cwd, file)).then(
      () => true,
      () => false,
    );
    if (!present) return { defaults: {}, diagnostics: [] };
  }
  const read = await readSourceText(resolve(cwd, file));
  if (read.diagnostics) return { defaults: {}, diagnostics: read.diagnostics.map((d) => ({ ...d, file })) };
  const parsed = parseYamlWithPositions(read.text, file);
  if (parsed.data === undefined) return { defaults: {}, diagnostics: parsed.diagnostics };
  validate ??= compileSchema(SCHEMA);
  // An empty file is a configuration with no defaults.
  const data = parsed.data ?? {};
  const diagnostics = [...parsed.diagnostics, ...schemaDiagnostics(validate, data, parsed.positions, file)];
  if (diagnostics.some((d) => d.severity === "error")) return { defaults: {}, file, diagnostics };
  const defaults = defaultsFor(data as Record<string, unknown>, command, dirname(resolve(cwd, file)), cwd);
  return { defaults, file, diagnostics };
}
