import { join } from "node:path";
import type { CheckResult } from "../check/index.ts";
import { packPolicies } from "../check/orgs.ts";
import { type PackEntry, renderPackPage } from "../render/html/pack-page.ts";
import { renderHtml } from "../render/html/page.ts";
import type { CalendarDate, Org } from "../types.ts";
import { writeFileAtomic } from "../write/atomic.ts";
import { packContext, policyDocument } from "./documents.ts";

export const FORMATS = ["html"] as const;
export type Format = (typeof FORMATS)[number];

export interface BuildOptions {
  out: string;
  formats: readonly Format[];
  buildDate: CalendarDate;
}

export interface OrgBuild {
  org: string;
  files: string[];
}

/** Renders every file of one org's pack in memory; nothing is written until all of it rendered. */
function renderPack(org: Org, check: CheckResult, options: BuildOptions): Map<string, string | Uint8Array> {
  const files = new Map<string, string | Uint8Array>();
  const entries: PackEntry[] = [];
  const pack = packPolicies(org, check.library);
  const context = packContext(pack, check.library);
  for (const policy of pack) {
    const doc = policyDocument(org, policy, options.buildDate, context);
    const entry: PackEntry = { policy, review: doc.review, files: {} };
    if (options.formats.includes("html")) {
      entry.files.html = `${policy.slug}.html`;
      files.set(entry.files.html, renderHtml(doc));
    }
    entries.push(entry);
  }
  files.set("index.html", renderPackPage(org, entries, options.buildDate));
  return files;
}

export async function buildPacks(check: CheckResult, orgs: readonly Org[], options: BuildOptions): Promise<OrgBuild[]> {
  const built: OrgBuild[] = [];
  for (const org of orgs) {
    const files = renderPack(org, check, options);
    for (const [name, data] of files) await writeFileAtomic(join(options.out, org.id, name), data);
    built.push({ org: org.id, files: [...files.keys()].map((name) => join(options.out, org.id, name)) });
  }
  return built;
}
