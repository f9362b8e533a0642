import type { ParseArgsConfig } from "node:util";
import type { CheckResult } from "../check/index.ts";
import { FIRST_YEAR, LAST_YEAR, resolveBuildDate } from "../dates/calendar.ts";
import { formatGithub, formatJson, formatText, useColour } from "../diagnostics/report.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import type { CalendarDate, Diagnostic } from "../types.ts";

export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const REPORTERS = ["text", "github"] as const;

/** A mistake on the command line: exit code 2 and a pointer to --help. */
export class UsageError extends Error {}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  policies: { type: "string", default: "policies" },
  orgs: { type: "string", default: "orgs" },
  "as-of": { type: "string" },
  config: { type: "string" },
  json: { type: "boolean", default: false },
  reporter: { type: "string" },
  "references-outside-pack": { type: "string", default: "error" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const COMMON_HELP = `  --config FILE         defaults for these options (default: policypack.config.yaml, when present)
  --policies DIR        policy library (default: policies/)
  --orgs DIR            organisations and org.schema.json (default: orgs/)
  --as-of YYYY-MM-DD    the build date, for review dates (default: SOURCE_DATE_EPOCH, else today)
  --json                machine-readable output on stdout
  --reporter text|github
                        how diagnostics are printed: text (default), or GitHub Actions
                        annotations (the default when GITHUB_ACTIONS=true)
  --references-outside-pack error|warning
                        how citing a policy that is not in an organisation's pack is
                        reported (default: error; a policy's front matter can lower it)
  -h, --help            help for the command`;

export interface Command {
  name: string;
  summary: string;
  /** Usage line and the command's own options, for --help. */
  help: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Whether the command takes positional arguments (files). */
  positionals?: boolean;
  run(context: CommandContext): Promise<number>;
}

/** What a command gets: its parsed options, and the shared steps every command uses. */
export class CommandContext {
  constructor(
    readonly io: Io,
    readonly values: OptionValues,
    readonly positionals: string[],
  ) {}

  string(name: string): string | undefined {
    return this.values[name] as string | undefined;
  }

  /** --as-of, else SOURCE_DATE_EPOCH, else today; a date outside 1900–2200 is a mistake, not a build date. */
  get buildDate(): CalendarDate {
    const asOf = this.string("as-of");
    const date = resolveBuildDate(asOf, this.io.env);
    const usable = typeof date !== "string" && date.year >= FIRST_YEAR && date.year <= LAST_YEAR;
    if (usable) return date;
    if (asOf !== undefined) {
      throw new UsageError(
        typeof date === "string"
          ? date
          : `--as-of ${asOf} is outside the years ${FIRST_YEAR}–${LAST_YEAR}; write the build date as YYYY-MM-DD, e.g. --as-of 2026-11-24`,
      );
    }
    throw new UsageError(
      `SOURCE_DATE_EPOCH=${this.io.env.SOURCE_DATE_EPOCH} is not a build time: it must be whole seconds since 1970 ` +
        `giving a date up to ${LAST_YEAR}, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct); or unset it to build as of today`,
    );
  }

  /** The options every command takes, checked before it starts, whether or not it uses them. */
  validateCommon(): void {
    void this.buildDate;
    this.choice("reporter", REPORTERS, "text");
    this.choice("references-outside-pack", ["error", "warning"], "error");
  }

  /** One of `allowed`, or a usage error with a did-you-mean. */
  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    const suggestion = didYouMean(value, allowed);
    throw new UsageError(
      `--${name} takes ${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}, not "${value}"${suggestion ? ` (did you mean ${suggestion}?)` : ""}`,
    );
  }

  /** Loads and checks every policy and organisation (never renders). */
  async check(): Promise<CheckResult> {
    // Loaded on use, so that --help and commands that do not check start quickly.
    const { loadAndCheck } = await import("../check/index.ts");
    return loadAndCheck({
      policiesDir: this.string("policies") as string,
      orgsDir: this.string("orgs") as string,
      buildDate: this.buildDate,
      referencesOutsidePack: this.choice("references-outside-pack", ["error", "warning"], "error"),
    });
  }

  /**
   * Diagnostics to stderr as text, or to stdout as GitHub annotations (the runner reads them from
   * there); nothing in --json mode, where the command prints them itself.
   */
  report(diagnostics: readonly Diagnostic[]): void {
    if (this.values.json || diagnostics.length === 0) return;
    const fallback = this.io.env.GITHUB_ACTIONS === "true" ? "github" : "text";
    if (this.choice("reporter", REPORTERS, fallback) === "github") {
      this.io.stdout.write(`${formatGithub(diagnostics)}\n`);
      return;
    }
    this.io.stderr.write(`${formatText(diagnostics, useColour(this.io.stderr, this.io.env))}\n`);
  }

  reportJson(diagnostics: readonly Diagnostic[]): void {
    this.io.stdout.write(`${formatJson(diagnostics)}\n`);
  }
}
