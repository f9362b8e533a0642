import { createRequire } from "node:module";
import { join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import { fullFormats } from "ajv-formats/dist/formats.js";
import { CACHE_DIR, FileCache } from "../cache.ts";
import { FIRST_YEAR, isPlausibleIsoDate, LAST_YEAR, parseIsoDate } from "../dates/calendar.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import { sha256 } from "../hash.ts";
import { pointerPart, positionOf } from "../load/yaml.ts";
import { toolFingerprint } from "../tool-fingerprint.ts";
import type { Diagnostic, YamlPositions } from "../types.ts";

// Ajv (CommonJS) is required only to compile a schema whose compiled code is not cached.
const require = createRequire(import.meta.url);
type Standalone = typeof import("ajv/dist/standalone/index.js");

/** The formats a schema may use; compiled code refers to them as `formats.<name>`. */
const FORMATS = {
  email: fullFormats.email,
  uri: fullFormats.uri,
  // A date in a file is held to the same years as --as-of: 0001-01-01 is a typing mistake.
  date: { type: "string", validate: isPlausibleIsoDate },
} as const;

// One instance for every schema: setting one up (its meta-schemas) costs more than compiling ours.
let shared: Ajv2020 | undefined;

function compileWithAjv(schema: object): { validate: ValidateFunction; code?: string } {
  const { _ } = require("ajv") as typeof import("ajv");
  if (!shared) {
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    // verbose: errors carry their parentSchema, which holds the known keys for did-you-mean.
    // code.source: the compiled code can be saved (standaloneCode), with FORMATS passed in.
    shared = new Ajv2020({ allErrors: true, verbose: true, strict: true, code: { source: true, formats: _`formats` } });
    for (const [name, format] of Object.entries(FORMATS)) shared.addFormat(name, format);
  }
  // An organisation schema edited since the last compile (serve --watch) replaces the old one.
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id === "string") shared.removeSchema(id);
  const validate = shared.compile(schema);
  const { default: standaloneCode } = require("ajv/dist/standalone/index.js") as Standalone;
  try {
    return { validate, code: standaloneCode(shared, validate) };
  } catch {
    return { validate }; // not every schema can be saved as code: this one is compiled every time
  }
}

/** Schemas' compiled code kept: the tool's five, and the organisation schemas of a few libraries and edits. */
const validators = new FileCache(join(CACHE_DIR, "validators"), 100);

/**
 * A validator for `schema`. Compiling one with Ajv (its meta-schema first) takes most of 100 ms,
 * so the compiled code is kept, keyed by the schema's text and the tool, and later runs
 * evaluate it without loading Ajv at all.
 */
export function compileSchema(schema: object, cache: FileCache = validators): ValidateFunction {
  const key = `${sha256(toolFingerprint(), JSON.stringify(schema))}.js`;
  const code = cache.read(key);
  if (code !== undefined) {
    try {
      return load(code.toString("utf8"));
    } catch {
      // A damaged file: compiled again below, and replaced.
    }
  }
  const compiled = compileWithAjv(schema);
  if (compiled.code !== undefined) cache.write(key, compiled.code);
  return compiled.validate;
}

/** Compiled code as standaloneCode wrote it: a CommonJS module that requires Ajv's runtime helpers. */
function load(code: string): ValidateFunction {
  const module = { exports: undefined as unknown };
  new Function("module", "require", "formats", code)(module, require, FORMATS);
  if (typeof module.exports !== "function") throw new Error("not a validator");
  return module.exports as ValidateFunction;
}

function keyLabel(pointer: string): string {
  const parts = pointer.split("/").slice(1);
  return parts.length === 0
    ? "the file"
    : `\`${parts.map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~")).join(".")}\``;
}

function describe(error: ErrorObject): { pointer: string; at: "key" | "value"; message: string; hint?: string } {
  const pointer = error.instancePath;
  const label = keyLabel(pointer);
  const schema = error.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required": {
      const key = String(params.missingProperty);
      const property = schema?.properties?.[key] as { description?: string } | undefined;
      return {
        pointer,
        at: "value",
        message: `missing required key \`${key}\``,
        hint: `add \`${key}: …\`${property?.description ? ` (${property.description})` : ""}`,
      };
    }
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const suggestion = didYouMean(key, Object.keys(schema?.properties ?? {}));
      return {
        pointer: `${pointer}/${pointerPart(key)}`,
        at: "key",
        message: `unknown key \`${key}\``,
        hint: suggestion
          ? `did you mean \`${suggestion}\`?`
          : `known keys: ${Object.keys(schema?.properties ?? {}).join(", ")}`,
      };
    }
    case "type":
      return {
        pointer,
        at: "value",
        message: `${label} must be ${params.type === "array" ? "a list" : /^[aeiou]/.test(String(params.type)) ? `an ${params.type}` : `a ${params.type}`}, not ${JSON.stringify(error.data)}`,
        // Quotes make a number or a yes a string; a list or a mapping needs rewriting instead.
        hint:
          params.type === "string" && (error.data === null || typeof error.data !== "object")
            ? `put the value in quotes, e.g. "${String(error.data)}"`
            : schema?.description,
      };
    case "format":
      if (params.format === "date") {
        return {
          pointer,
          at: "value",
          message: `${label} is ${JSON.stringify(error.data)}, which is ${
            parseIsoDate(String(error.data)) ? `outside the years ${FIRST_YEAR}–${LAST_YEAR}` : "not a calendar date"
          }`,
          hint: "write a real date as YYYY-MM-DD, e.g. 2026-02-28",
        };
      }
      return {
        pointer,
        at: "value",
        message: `${label} is not a valid ${params.format}: ${JSON.stringify(error.data)}`,
      };
    case "maxLength":
      return {
        pointer,
        at: "value",
        message: `${label} is ${String(error.data).length} characters long; at most ${String(params.limit)} are allowed`,
        hint: schema?.description ? `shorten it (${schema.description})` : "shorten it",
      };
    case "enum":
      return {
        pointer,
        at: "value",
        message: `${label} is ${JSON.stringify(error.data)}; allowed: ${(params.allowedValues as unknown[]).join(", ")}`,
      };
    case "propertyNames":
      return {
        pointer: `${pointer}/${String(params.propertyName)}`,
        at: "key",
        message: `${label} has an invalid key \`${String(params.propertyName)}\``,
      };
    default:
      return {
        pointer,
        at: "value",
        message: `${label} ${error.message}`,
        hint: (error.schema as { description?: string })?.description ?? schema?.description,
      };
  }
}

/** Schema errors as diagnostics at the line of the offending key or value. */
export function schemaDiagnostics(
  validate: ValidateFunction,
  data: unknown,
  positions: YamlPositions,
  file: string,
): Diagnostic[] {
  if (validate(data)) return [];
  // A propertyNames failure also reports the inner pattern error; keep the clearer one.
  const errors = (validate.errors ?? []).filter((e) => !e.propertyName);
  return errors.map((error) => {
    const { pointer, at, message, hint } = describe(error);
    return {
      file,
      ...positionOf(positions, pointer, at),
      severity: "error",
      rule: "schema",
      message,
      ...(hint ? { hint } : {}),
    };
  });
}
