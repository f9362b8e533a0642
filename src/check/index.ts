import { join, resolve } from "node:path";
import { CACHE_DIR, FileCache, jsonCache } from "../cache.ts";
import { loadLegislation } from "../load/legislation.ts";
import { loadOrgSchema, loadOrgs } from "../load/orgs.ts";
import { loadPolicySources, loadTranslationSources, translationDir } from "../load/policies.ts";
import { loadTheme } from "../load/theme.ts";
import type { CalendarDate, Diagnostic, Library, Org, Severity } from "../types.ts";
import { checkLegislation } from "./legislation.ts";
import { checkOrg, editionPolicies, editions, placeholderFields } from "./orgs.ts";
import { type BodyCheck, checkLibrary } from "./policies.ts";
import { compileSchema } from "./schema.ts";
import { checkTheme } from "./theme.ts";
import { checkTranslations, type TranslationCheck } from "./translations.ts";

export interface CheckOptions {
  policiesDir: string;
  orgsDir: string;
  buildDate: CalendarDate;
  referencesOutsidePack: Severity;
  /** Where body checks are kept between runs (CACHE_DIR unless a test keeps its own). */
  cacheDir?: string;
}

export interface CheckResult {
  library: Library;
  orgs: Org[];
  diagnostics: Diagnostic[];
  /** Orgs whose pack can be built: no errors in their file or in any policy of their pack. */
  buildable: Org[];
  /** Orgs whose drafts `build --drafts` can preview: no errors in their file but drafts listed in `policies`. */
  previewable: Org[];
}

/** Loads and checks everything before anything is rendered. Throws only for environment problems. */
export async function loadAndCheck(options: CheckOptions): Promise<CheckResult> {
  const schema = await loadOrgSchema(options.orgsDir);
  if (typeof schema === "string") throw new EnvironmentError(schema);
  let validate: ReturnType<typeof compileSchema>;
  try {
    validate = compileSchema(schema);
  } catch (error) {
    throw new EnvironmentError(`the organisation schema is not a valid JSON Schema: ${(error as Error).message}`);
  }
  const [policySources, welshSources, orgSources, register, themeSource] = await Promise.all([
    loadPolicySources(options.policiesDir),
    loadTranslationSources(options.policiesDir, "cy"),
    loadOrgs(options.orgsDir),
    loadLegislation(options.policiesDir).catch((error: Error) => {
      throw new EnvironmentError(`cannot read the legislation register: ${error.message}`);
    }),
    loadTheme(options.policiesDir).catch((error: Error) => {
      throw new EnvironmentError(`cannot read the theme: ${error.message}`);
    }),
  ]);
  // Parsing the policies is most of a check's time, so what their bodies' checks found is kept.
  const files = new FileCache(join(options.cacheDir ?? CACHE_DIR, "checks"), CACHED_CHECKS);
  const { library, diagnostics: libraryDiagnostics } = await checkLibrary(
    policySources.sources,
    placeholderFields(schema),
    options.buildDate,
    jsonCache(files, "body", isBodyCheck),
  );
  const englishErrors = new Set(libraryDiagnostics.filter((d) => d.severity === "error").map((d) => d.file));
  const welsh = await checkTranslations(
    welshSources.sources,
    "cy",
    library,
    englishErrors,
    jsonCache(files, "translation", isTranslationCheck),
  );
  library.translations.cy = welsh.translations;
  const diagnostics = [
    ...policySources.diagnostics,
    ...welshSources.diagnostics,
    ...welsh.diagnostics,
    ...orgSources.diagnostics,
    ...libraryDiagnostics,
    ...register.diagnostics,
    ...themeSource.diagnostics,
  ];
  if (register.source) {
    const checked = checkLegislation(
      register.source,
      library.policies.map((p) => p.code),
    );
    library.legislation = checked.items;
    diagnostics.push(...checked.diagnostics);
  }
  if (themeSource.source) {
    const checked = await checkTheme(themeSource.source);
    library.theme = checked.theme;
    diagnostics.push(...checked.diagnostics);
  }
  for (const org of orgSources.orgs) {
    if (diagnostics.some((d) => d.file === org.file && d.severity === "error")) continue;
    diagnostics.push(...checkOrg(org, validate, library, options));
  }

  const filesWithErrors = new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.file));
  const translations = Object.values(library.translations).flatMap((byCode) => Object.values(byCode ?? {}));
  const libraryFiles = new Set([...library.policies, ...translations].map((p) => p.file));
  // A policy file that did not even load leaves every pack's contents in doubt (a translation's,
  // every pack in its language); a register with errors leaves every pack's review status in
  // doubt, a theme with errors every pack's look.
  const unloaded = [...filesWithErrors].filter(
    (f) => resolve(f).startsWith(resolve(options.policiesDir)) && !libraryFiles.has(f),
  );
  const welshDir = resolve(translationDir(options.policiesDir, "cy"));
  const libraryBroken = unloaded.some((f) => !resolve(f).startsWith(welshDir));
  const welshBroken = unloaded.some((f) => resolve(f).startsWith(welshDir));
  const buildable = orgSources.orgs.filter(
    (org) =>
      !libraryBroken &&
      !(welshBroken && editions(org).includes("cy")) &&
      !filesWithErrors.has(org.file) &&
      !editions(org).some((language) =>
        editionPolicies(org, library, language).some((p) => filesWithErrors.has(p.file)),
      ),
  );
  const previewable = orgSources.orgs.filter(
    (org) =>
      !libraryBroken &&
      !diagnostics.some((d) => d.file === org.file && d.severity === "error" && d.rule !== "draft-in-pack"),
  );
  return { library, orgs: orgSources.orgs, diagnostics, buildable, previewable };
}

/**
 * Body checks kept: a few libraries' worth (a policy takes one, a translation another), a few
 * kilobytes each.
 */
const CACHED_CHECKS = 4000;

const isBodyCheck = (value: unknown): value is BodyCheck =>
  ["uses", "problems", "references", "loose"].every((key) =>
    Array.isArray((value as Record<string, unknown>)?.[key]),
  ) && typeof (value as BodyCheck).emphasis === "boolean";

const isTranslationCheck = (value: unknown): value is TranslationCheck =>
  Array.isArray((value as TranslationCheck)?.problems) && typeof (value as TranslationCheck).emphasis === "boolean";

/** A problem with the machine or the command line, not with the policies or orgs: exit code 2. */
export class EnvironmentError extends Error {}
