// Step 1 of a pack build: which of its files are stale, from the hash of what each is made of.
import type { CheckResult } from "../check/index.ts";
import { reviewOf } from "../dates/review.ts";
import { logoFile, packFontFiles } from "../render/html/files.ts";
import type { SiblingFiles } from "../render/html/page.ts";
import type { CalendarDate, Language, Org, Policy, PolicyDocument, Review } from "../types.ts";
import { type PackContext, packContext, sendableContext } from "./context.ts";
import { policyInputs, sha256 } from "./fingerprint.ts";
import type { PackBuild } from "./folder.ts";
import { type BuildOptions, FORMATS, type Format, isLinked } from "./options.ts";
import type { FillIn } from "./worker.ts";

/** One policy of the pack. */
export interface Item {
  policy: Policy;
  review: Review;
  /** Hash of everything the policy's outputs are made of (see policyInputs). */
  inputs: string;
  doc?: PolicyDocument;
  /** This policy's PDF and Word files in the pack, which its web page links to. */
  siblings?: SiblingFiles;
  /** The pack page of its language, when it is not index.html (the English one of a bilingual pack). */
  index?: string;
  /** The same policy in the pack's other language, in a bilingual pack. */
  other?: Item;
}

/** One language of a pack: its policies (translations, or English where the org allows it) and its pack page. */
export interface Edition {
  language: Language;
  items: Item[];
  /** Its pack page: index.html for the first language, index.<language>.html for the other. */
  index: string;
}

/** One policy file to render. */
export interface Job {
  item: Item;
  format: Format;
  name: string;
}

/**
 * The pack's policies in each of its languages, each with its review and the hash of its inputs,
 * and their filled-in documents on demand. A policy given in English in a Welsh edition (no
 * translation yet) is the English edition's item: one file, listed by both pack pages.
 */
export function packEditions(
  org: Org,
  languages: readonly { language: Language; policies: readonly Policy[] }[],
  check: CheckResult,
  buildDate: CalendarDate,
) {
  const bySlug = new Map<string, Item>();
  const contexts = new Map<Item, PackContext>();
  // Cross-references link within the language: a Welsh policy cites the Welsh one, an English one
  // given in a Welsh pack the English one where the pack has it.
  const contextOf = new Map(
    languages.map(({ language, policies }) => [language, packContext(policies, check.library)]),
  );
  const editions: Edition[] = languages.map(({ language, policies }, i) => {
    const items = policies.map((policy) => {
      let item = bySlug.get(policy.slug);
      if (!item) {
        const context = (contextOf.get(policy.language) ?? contextOf.get(language)) as PackContext;
        const review = reviewOf(org, policy, buildDate, check.library.legislation);
        item = { policy, review, inputs: policyInputs(org, policy, review, buildDate.year, context, check.library) };
        bySlug.set(policy.slug, item);
        contexts.set(item, context);
      }
      return item;
    });
    return { language, items, index: i === 0 ? "index.html" : `index.${language}.html` };
  });
  // In a bilingual pack each policy's page offers it in the other language, and goes back to the
  // pack page of its own language.
  for (const edition of editions.length === 2 ? editions : []) {
    const other = editions.find((e) => e !== edition) as Edition;
    for (const item of edition.items.filter((i) => i.policy.language === edition.language)) {
      const counterpart = other.items.find((o) => o.policy.code === item.policy.code);
      if (counterpart && counterpart !== item) item.other = counterpart;
      if (edition.index !== "index.html") item.index = edition.index;
    }
  }
  const docOf = async (item: Item): Promise<PolicyDocument> => {
    if (!item.doc) {
      const { policyDocument } = await import("./documents.ts");
      // Another caller may have filled it in during the import: every format gets the same document.
      item.doc ??= policyDocument(org, item.policy, buildDate, contexts.get(item) as PackContext);
    }
    return item.doc;
  };
  // What a worker needs to fill a policy in itself, when this thread has no use for the document.
  const briefs = new Map<Policy, Policy>();
  const fillIn = (item: Item): FillIn => {
    const context = sendableContext(contexts.get(item) as PackContext, item.policy.code, briefs);
    return { org, policy: item.policy, buildDate, context };
  };
  return { editions, items: [...bySlug.values()], docOf, fillIn };
}

/**
 * A policy's files in the pack by format: those it holds, and those of a format rendered on
 * request (serve --watch), which pages link to all the same.
 */
export function policyFiles(
  slug: string,
  pack: PackBuild,
  options: BuildOptions,
  formats: readonly Format[] = FORMATS,
) {
  return Object.fromEntries(
    formats.filter((f) => pack.next[`${slug}.${f}`] || isLinked(options, f)).map((f) => [f, `${slug}.${f}`]),
  ) as Partial<Record<Format, string>>;
}

/** The policy files to render: those whose inputs changed, or that are missing. */
export function planPolicyFiles(items: readonly Item[], pack: PackBuild, options: BuildOptions): Job[] {
  const jobs: Job[] = [];
  for (const item of items) {
    // The web page comes last: it links to the PDF and Word files this pack holds.
    for (const format of ["pdf", "docx", "html"] as const) {
      const name = `${item.policy.slug}.${format}`;
      if (format === "html") {
        const other = item.other && { language: item.other.policy.language, html: `${item.other.policy.slug}.html` };
        item.siblings = {
          ...policyFiles(item.policy.slug, pack, options, ["pdf", "docx"]),
          ...(item.index ? { index: item.index } : {}),
          ...(other && (options.formats.includes("html") || isLinked(options, "html")) ? { other } : {}),
        };
      }
      const hash =
        format === "html" ? sha256(item.inputs, format, JSON.stringify(item.siblings)) : sha256(item.inputs, format);
      if (!options.formats.includes(format)) pack.keepIfFresh(name, hash);
      else if (pack.wants(name, hash)) jobs.push({ item, format, name });
    }
  }
  return jobs;
}

/** The web fonts and the logo, shared by every web page of the pack (PDFs and Word files embed theirs). */
export async function planSharedFiles(
  org: Org,
  policies: readonly Policy[],
  check: CheckResult,
  pack: PackBuild,
  preview: boolean,
): Promise<void> {
  const shared = preview && policies.length === 0 ? [] : await packFontFiles(policies, check.library.theme);
  const logo = org.logo && logoFile(org.logo);
  if (logo && shared.length > 0) shared.push(logo);
  for (const file of shared) {
    if (pack.wants(file.name, sharedFileHash(file))) pack.rendered.set(file.name, file.data);
  }
}

/** Every pack has the same font files (and each of its pages the same logo): each hashed once. */
const sharedHashes = new WeakMap<Uint8Array, { name: string; hash: string }>();

function sharedFileHash({ name, data }: { name: string; data: Uint8Array }): string {
  let known = sharedHashes.get(data);
  if (known?.name !== name) {
    known = { name, hash: sha256(name, data) };
    sharedHashes.set(data, known);
  }
  return known.hash;
}
