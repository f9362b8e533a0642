// Plain data passed between the import stages: read → Markdown tree → normalise → source file.
import type { Root } from "mdast";
import type { Diagnostic } from "../types.ts";

/**
 * One decision the importer made that an editor should review, at the line of the source it
 * came from (for a .docx, the paragraph number).
 */
export interface Guess {
  line: number;
  /** What kind of decision: title, code, heading, list, chrome, trailer, review, … */
  kind: string;
  message: string;
}

/** A document read into a Markdown tree, before any heuristic has run. */
export interface SourceTree {
  tree: Root;
  /** What reading it found worth a warning (an encoding guessed, a character lost). */
  warnings?: Diagnostic[];
  /** A title the format states outright (HTML `<title>`, Markdown front matter), if any. */
  statedTitle?: string;
  /** What reading it left out (a web page's navigation, comments, share buttons), for the report. */
  notes?: Guess[];
}

/** The normalised policy, ready to become front matter + Markdown. */
export interface ImportedPolicy {
  code: string;
  title: string;
  version: string;
  reviewMonths: number;
  status: "draft" | "approved";
  tree: Root;
}

/** The address every picture of a Word document gets: its bytes are never read, and the image rule drops it. */
export const WORD_IMAGE = "word-picture";
