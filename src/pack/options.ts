import type { CalendarDate, Diagnostic } from "../types.ts";

export const FORMATS = ["html", "pdf", "docx"] as const;
export type Format = (typeof FORMATS)[number];

export interface BuildOptions {
  out: string;
  formats: readonly Format[];
  buildDate: CalendarDate;
  env: NodeJS.ProcessEnv;
  /** Rebuild every output, whatever the manifest says. */
  force?: boolean;
  /** Called after each document rendered, for progress bars. */
  onProgress?: (progress: { org: string; done: number; total: number }) => void;
  /** Aborted by SIGINT/SIGTERM (src/pack/signals.ts): the build stops before its next pack write. */
  signal?: AbortSignal;
  /** Build only the previews of drafts, into `<out>/_drafts/<org>/`, and no client pack. */
  drafts?: boolean;
  /**
   * Formats not rendered in this run that the pages link to all the same, because the caller
   * renders them when asked for (serve --watch). Without it a stale PDF would drop out of the
   * pages, and its link with it, until the next full build.
   */
  linked?: readonly Format[];
  /**
   * Threads rendering web pages and Word files. Default: one per CPU when there is enough to
   * render to pay for starting them, else this thread alone.
   */
  jobs?: number;
}

/**
 * Where `build --drafts` writes: beside the packs, never in one. An org id cannot start with an
 * underscore, so no pack folder can have this name.
 */
export const DRAFTS_FOLDER = "_drafts";

export interface OrgBuild {
  org: string;
  /** File names in the pack folder. */
  built: string[];
  skipped: string[];
  removed: string[];
}

export interface BuildResult {
  packs: OrgBuild[];
  /** Problems met while rendering (a PDF that failed twice, a blocked request, what Word cannot show). */
  diagnostics: Diagnostic[];
}

/** Whether the pages link to a format this run does not render (see BuildOptions.linked). */
export const isLinked = (options: BuildOptions, format: Format) => options.linked?.includes(format) ?? false;
