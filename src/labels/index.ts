import type { Language, ReviewOutcome, ReviewStatus } from "../types.ts";
import { cy } from "./cy.ts";
import { en } from "./en.ts";

/**
 * Every word policypack prints around a policy's text, in one table per language. The tables are
 * typed by this interface, so a label missing from one language fails the type check (`npm test`)
 * instead of falling back to English in a Welsh document.
 */
export interface Labels {
  /** BCP 47 tag for `lang` attributes, PDF /Lang and Word's proofing language. */
  tag: string;
  /** The language Word proofs the text in (w:lang), a locale: en-GB, cy-GB. */
  wordLanguage: string;
  /** The language's own name, for the link that switches to it. */
  name: string;
  /** The landmark holding the link to the other language. */
  languageNav: string;

  registrationNumber: string;
  logoAlt: (org: string) => string;
  documentControl: string;
  policyCode: string;
  version: string;
  status: string;
  draft: string;
  approved: string;
  responsiblePerson: string;
  registeredManager: string;
  responsibleIndividual: string;
  lastReviewed: string;
  reviewNotes: string;
  nextReviewDate: string;
  reviewNeededNow: string;
  /** "review needed: Data Act 2025 in force 19 June 2025". */
  reviewNeededBecause: (laws: string) => string;
  reviewCycle: string;
  annually: string;
  everyMonths: (months: number) => string;
  outcome: Record<ReviewOutcome, string>;
  reviewedBy: (by: string, role: string, outcome: string) => string;
  /** "Data Act 2025 in force 19 June 2025". */
  inForce: (law: string, date: string) => string;
  translation: string;
  draftTranslation: string;
  /** A translation of an older English version than the one published beside it. */
  translatedFromOlder: (version: string, current: string) => string;
  copyright: (year: number, org: string) => string;
  footer: (code: string, version: string, nextReview: string) => string;
  /** "Page 3 of 7", split for CSS counters: [before the number, between the numbers]. */
  pageOf: [string, string];
  draftMark: string;
  versionHistory: string;
  versionHistoryColumns: readonly [string, string, string, string];

  readAndSignTitle: string;
  readAndSignColumns: readonly [string, string, string, string];
  organisation: string;
  policy: string;
  versionApproved: (version: string, date: string) => string;
  changesSince: (version: string, changes: string) => string;
  statement: (code: string, version: string) => string;

  skipToPolicy: string;
  allPolicies: string;
  downloadPdf: string;
  downloadWord: string;
  goTo: (target: string) => string;
  linkTo: (url: string) => string;

  policyPack: string;
  packOf: (org: string) => string;
  packSubject: (org: string, count: number) => string;
  preparedBy: (consultancy: string) => string;
  reviewStatus: Record<ReviewStatus, string>;
  formats: { html: string; pdf: string; docx: string };
  columns: {
    code: string;
    policy: string;
    version: string;
    lastReviewed: string;
    nextReview: string;
    status: string;
    download: string;
  };
  manualLink: string;
  signSheetsLink: string;
  zipLink: string;
  packDate: string;
  downloads: string;
  policies: string;
  orderNote: string;
  filterLabel: string;
  tableCaption: (org: string, date: string) => string;
  /** Beside a policy of a Welsh pack that has no Welsh translation yet, shown in English. */
  englishOnly: string;
  urgency: { overdue: (days: number) => string; dueIn: (days: number) => string; dueToday: string };
  summary: { policies: (n: number) => string; overdue: (n: number) => string; due: (n: number) => string };
  /** The filter's count, with {shown} and {total} filled in by the page's script. */
  filterShown: string;
  /** The link from one pack page to the same pack in the other language. */
  packInOtherLanguage: string;
  contents: string;
  /** The heading of a web page's footnotes, and the link from a note back to where it is cited. */
  footnotes: string;
  backToReference: (n: number) => string;
  /** The section every policy ends with: the policies of the pack that cite it. */
  referencedBy: string;
  citedByNone: string;
  manualFooter: (org: string, date: string) => string;
  signSheetsFooter: (org: string, date: string) => string;
  signSheetsSubject: (org: string, count: number) => string;
  policySubject: (code: string, title: string, version: string) => string;
  /** The word drawn across every page of a draft's preview. */
  watermark: string;
  registrationNumberCover: string;

  calendarName: (org?: string) => string;
  reviewEvent: (what: string) => string;
  lastReviewedLine: (date: string, by?: { name: string; role: string; outcome: string }) => string;
  nextReviewLine: (date: string) => string;
  reminder: (days: number, what: string) => string;
  /** Headings of a calendar event's lines: "Why: …", "Pack: …". */
  why: string;
  pack: string;
}

const TABLES: Record<Language, Labels> = { en, cy };

export const labelsFor = (language: Language): Labels => TABLES[language];
