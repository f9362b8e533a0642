// DOCX milliseconds per policy: policypack's renderer against pandoc converting the same expanded
// Markdown, over every policy of the example packs, in one run. Not part of `npm test`.
// Run: npx tsx bench/docx.ts [rounds]   (needs pandoc on the PATH: apt-get install pandoc)
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import remarkGfm from "remark-gfm";
import remarkStringify from "remark-stringify";
import { unified } from "unified";
import { loadAndCheck } from "../src/check/index.ts";
import { packPolicies } from "../src/check/orgs.ts";
import { packContext } from "../src/pack/context.ts";
import { policyDocument } from "../src/pack/documents.ts";
import { renderDocx } from "../src/render/docx/index.ts";
import type { PolicyDocument } from "../src/types.ts";

const REPO = join(import.meta.dirname, "..");
const rounds = Number(process.argv[2] ?? 5);
const buildDate = { year: 2026, month: 11, day: 24 };

const check = await loadAndCheck({
  policiesDir: join(REPO, "policies"),
  orgsDir: join(REPO, "orgs"),
  buildDate,
  referencesOutsidePack: "warning",
});
const docs: PolicyDocument[] = check.buildable.flatMap((org) => {
  const pack = packPolicies(org, check.library);
  const context = packContext(pack, check.library);
  return pack.map((policy) => policyDocument(org, policy, buildDate, context));
});

// pandoc gets the very tree policypack renders, written back as GFM, with the title as a heading.
const toMarkdown = unified().use(remarkGfm).use(remarkStringify);
const dir = await mkdtemp(join(tmpdir(), "policypack-bench-"));
const sources = await Promise.all(
  docs.map(async (doc, i) => {
    const path = join(dir, `${i}.md`);
    await writeFile(path, `# ${doc.policy.title}\n\n${toMarkdown.stringify(doc.tree)}`);
    return path;
  }),
);

const pandoc = (source: string) =>
  execFileSync("pandoc", ["--from=gfm", "--to=docx", "--output", source.replace(/\.md$/, ".docx"), source]);

/** Mean milliseconds per policy over `rounds` passes, after one pass to warm up. */
async function time(each: (i: number) => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < docs.length; i++) await each(i);
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < docs.length; i++) await each(i);
  return (performance.now() - start) / (rounds * docs.length);
}

const docxMs = await time((i) => renderDocx(docs[i] as PolicyDocument));
const pandocMs = await time((i) => pandoc(sources[i] as string));
await rm(dir, { recursive: true });

const version = execFileSync("pandoc", ["--version"]).toString().split("\n")[0];
console.log(`${docs.length} policies × ${rounds} rounds`);
console.log(`policypack renderDocx: ${docxMs.toFixed(1)} ms per policy`);
console.log(`${version} (one process per policy, as a pipeline would run it): ${pandocMs.toFixed(1)} ms per policy`);
console.log(`ratio pandoc / policypack: ${(pandocMs / docxMs).toFixed(2)}`);
