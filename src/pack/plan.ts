// Step 1 of a pack build: which of its files are stale, from the hash of what each is made of.
import type { CheckResult } from "../check/index.ts";
import { reviewOf } from "../dates/review.ts";
import { logoFile, packFontFiles, type SiblingFiles } from "../render/html/page.ts";
import type { CalendarDate, Org, Policy, PolicyDocument, Review } from "../types.ts";
import { type PackContext, packContext, policyDocument } from "./documents.ts";
import { policyInputs, sha256 } from "./fingerprint.ts";
import type { PackBuild } from "./folder.ts";
import { type BuildOptions, type Format, isLinked } from "./options.ts";

/** One policy of the pack. */
export interface Item {
  policy: Policy;
  review: Review;
  /** Hash of everything the policy's outputs are made of (see policyInputs). */
  inputs: string;
  doc?: PolicyDocument;
  /** This policy's PDF and Word files in the pack, which its web page links to. */
  siblings?: SiblingFiles;
}

/** One policy file to render. */
export interface Job {
  item: Item;
  format: Format;
  name: string;
}

/** The pack's policies, each with its review and the hash of its inputs, and their filled-in documents on demand. */
export function packItems(org: Org, policies: readonly Policy[], check: CheckResult, buildDate: CalendarDate) {
  const context: PackContext = packContext(policies, check.library);
  const items: Item[] = policies.map((policy) => {
    const review = reviewOf(org, policy, buildDate, check.library.legislation);
    return { policy, review, inputs: policyInputs(org, policy, review, buildDate.year, context, check.library) };
  });
  const docOf = (item: Item) => {
    item.doc ??= policyDocument(org, item.policy, buildDate, context);
    return item.doc;
  };
  return { items, docOf };
}

/** The policy files to render: those whose inputs changed, or that are missing. */
export function planPolicyFiles(items: readonly Item[], pack: PackBuild, options: BuildOptions): Job[] {
  const jobs: Job[] = [];
  for (const item of items) {
    // The web page comes last: it links to the PDF and Word files this pack holds.
    for (const format of ["pdf", "docx", "html"] as const) {
      const name = `${item.policy.slug}.${format}`;
      if (format === "html") {
        item.siblings = Object.fromEntries(
          (["pdf", "docx"] as const)
            .filter((f) => pack.next[`${item.policy.slug}.${f}`] || isLinked(options, f))
            .map((f) => [f, `${item.policy.slug}.${f}`]),
        );
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
    if (pack.wants(file.name, sha256(file.name, file.data))) pack.rendered.set(file.name, file.data);
  }
}
