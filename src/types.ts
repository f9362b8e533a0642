// Plain data passed between the pipeline stages. No stage hands another a class or a callback.

export type Severity = "error" | "warning";

/** One finding, in the shape every reporter prints: file:line:column severity rule message. */
export interface Diagnostic {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
  severity: Severity;
  rule: string;
  message: string;
  hint?: string;
}

export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

/** Where each node of a YAML document sits, keyed by JSON pointer ("" is the root). */
export interface YamlPositions {
  keys: Record<string, Position>;
  values: Record<string, Position>;
}

export interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number;
}

export type PolicyStatus = "draft" | "approved";

/** The languages a pack can be built in: English, and Welsh for the Active Offer. */
export const LANGUAGES = ["en", "cy"] as const;
export type Language = (typeof LANGUAGES)[number];

/** What a Welsh (or other) translation says about the English text it was made from. */
export interface Translation {
  /** The English policy's version when it was translated. */
  version: string;
  /** Unreviewed (machine-made, or awaiting a Welsh speaker) until "approved". */
  status: PolicyStatus;
  /** Short hash of the English title it translates, when recorded. */
  title?: string;
  /**
   * Short hashes of the English blocks the translation was made from, by English section heading
   * ("" for text before the first heading): how `check` names the sections that changed since.
   */
  sections: Record<string, string[]>;
}

/** One version of a policy, from its front matter's `history` (what changed, who approved it). */
export interface VersionEntry {
  version: string;
  date: CalendarDate;
  changes: string;
  approvedBy?: string;
  role?: string;
}

export interface Policy {
  file: string;
  code: string;
  title: string;
  version: string;
  reviewMonths: number;
  status: PolicyStatus;
  category?: string;
  /** Newest first, its first entry being `version`; empty when the front matter has no `history`. */
  history: VersionEntry[];
  /** Output base name, e.g. "DCW13-safeguarding-adults". */
  slug: string;
  /** The Markdown body with its <<placeholders>>, exactly as in the file. */
  body: string;
  /** Line of the file on which `body` starts, so body positions map back to the file. */
  bodyLine: number;
  /** How a citation of a policy outside an org's pack is reported (front matter `references_outside_pack`). */
  referencesOutsidePack?: Severity;
  /** The language of its text: "en" for the library's own policies. */
  language: Language;
  /** Set on a translation (policies/cy/…): what it was translated from. */
  translation?: Translation;
  /**
   * Whether the body has emphasis, as the check found (kept with its other findings between runs,
   * so a build need not parse every body again to choose a pack's fonts).
   */
  emphasis?: boolean;
}

export interface Logo {
  mediaType: string;
  dataUri: string;
}

export interface Org {
  id: string;
  file: string;
  /** The YAML mapping as loaded, validated against the schema by the check stage. */
  data: Record<string, unknown>;
  positions: YamlPositions;
  logo?: Logo;
}

/** A `<<name>>` or `<<#if name>>` found in a policy body. */
export interface PlaceholderUse {
  name: string;
  kind: "value" | "condition";
  /** Position in the policy file. */
  line: number;
  column: number;
  /** Names of the enclosing `<<#if>>`/`<<#unless>>` conditions. */
  guards: string[];
}

/** A policy code cited in a policy body, e.g. "… Disciplinary and Grievance Policy (DCW31)". */
export interface Reference {
  to: string;
  /** Position of the code in the policy file. */
  line: number;
  column: number;
  /** The title written before "(CODE)", when the citation has that form. */
  quotedTitle?: string;
  /** Whether it stands in the policy's "Related Policies" section. */
  related: boolean;
}

/** Colours of the house style, as #rrggbb. */
export interface ThemeColours {
  /** Body text. */
  ink: string;
  /** Labels, captions, running header and footer. */
  muted: string;
  /** Headings, rules under them, links, the organisation's name. */
  accent: string;
  /** Table borders and the hairlines of header and footer. */
  rule: string;
  /** Table headers and the document-control labels. */
  tint: string;
}

/** A typeface as TrueType files, one per face (absolute paths); semibold and italics are optional. */
export interface ThemeFont {
  family: string;
  /** Where the files are, for Chromium's fontconfig. */
  directory: string;
  files: { regular: string; semibold?: string; bold: string; italic?: string; boldItalic?: string };
}

/**
 * The consultancy's house style (`theme.yaml` beside the policies): one value every renderer
 * reads, beside the org. A library without the file has the default theme.
 */
export interface Theme {
  /** Who prepares the packs: "Prepared by …" on the manual's cover and on pack pages. */
  consultancy?: { name: string; logo?: Logo; website?: string };
  colours: ThemeColours;
  /** undefined: the house font that ships with policypack (IBM Plex Sans). */
  font?: ThemeFont;
  /**
   * The manual's cover: its heading (default "Policy pack", in the manual's language), and a
   * paragraph under the organisation's details; each with its Welsh form for Welsh manuals.
   */
  cover: { title?: string; text?: string; titleCy?: string; textCy?: string };
}

/** The house style policypack ships with: what a library without theme.yaml looks like. */
export const DEFAULT_THEME: Theme = {
  colours: { ink: "#1d2730", muted: "#51606d", accent: "#0f4c5c", rule: "#c9d3db", tint: "#eef3f6" },
  cover: {},
};

export interface Library {
  /** The library's own policies, in English. */
  policies: Policy[];
  /** Translations of them, by language and code (policies/cy/ for Welsh). */
  translations: Partial<Record<Language, Record<string, Policy>>>;
  /** The consultancy's house style. */
  theme: Theme;
  /** The legislation register (`legislation.yaml` beside the policies); empty when there is none. */
  legislation: LegislationItem[];
  /** Placeholders of each policy, by code. */
  placeholders: Record<string, PlaceholderUse[]>;
  /** Cross-references of each policy, by code. */
  references: Record<string, Reference[]>;
}

export type ReviewStatus = "current" | "due" | "overdue";

export const REVIEW_OUTCOMES = ["no-change", "amended", "withdrawn"] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** The code a review record uses for a review of the whole pack. */
export const WHOLE_PACK = "all";

/** One entry of an organisation's review log (`reviews:` in its YAML), as written there. */
export interface ReviewRecord {
  date: string; // YYYY-MM-DD
  /** A policy code, or WHOLE_PACK. */
  policy: string;
  by: string;
  role: string;
  outcome: ReviewOutcome;
  notes?: string;
}

/** A law, regulation or code in the library's legislation register. */
export interface LegislationItem {
  id: string;
  title: string;
  /** Its Welsh title, where one is published; Welsh documents print `title` otherwise. */
  titleCy?: string;
  inForce: CalendarDate;
  link: string;
  /** Codes of the policies a change to it affects. */
  policies: string[];
}

/** The review dates of one policy for one organisation. */
export interface Review {
  lastReviewed: CalendarDate;
  nextReview: CalendarDate;
  status: ReviewStatus;
  /** The review record the last review date comes from; absent for a date from `reviewed_on`/`policy_reviews`. */
  record?: ReviewRecord;
  /** Register entries in force since the last review, which make the policy due whatever its cycle. */
  legislation?: LegislationItem[];
}

/** Everything a renderer needs for one policy of one organisation's pack. */
export interface PolicyDocument {
  org: Org;
  theme: Theme;
  policy: Policy;
  review: Review;
  buildDate: CalendarDate;
  /** The policy body with the org's values filled in, as a Markdown tree. */
  tree: import("mdast").Root;
}

/**
 * Set on an mdast `link` node that the cross-reference stage made: the url is the HTML sibling
 * (`<slug>.html`); other formats link to `<slug>.<their extension>` instead.
 */
export interface CrossReferenceLinkData {
  xref: { code: string; slug: string };
}

declare module "mdast" {
  interface LinkData extends Partial<CrossReferenceLinkData> {}
  interface TextData {
    /** Text that came from an organisation's value: never markup, never a cross-reference link. */
    literal?: boolean;
  }
}
