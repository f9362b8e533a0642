// PDF benchmark: documents per second, and our time per document against bare Chromium
// (page.setContent + page.pdf of the same HTML on one reused page), measured in the same run.
// Run: npx tsx bench/pdf.ts

import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { loadAndCheck } from "../src/check/index.ts";
import { packPolicies } from "../src/check/orgs.ts";
import { buildPacks } from "../src/pack/build.ts";
import { packContext } from "../src/pack/context.ts";
import { policyDocument } from "../src/pack/documents.ts";
import { policyPage } from "../src/render/html/page.ts";
import { footerLine } from "../src/render/layout.ts";
import { findBrowser } from "../src/render/pdf/browser.ts";
import { PdfEngine } from "../src/render/pdf/engine.ts";
import { printable, printCss } from "../src/render/pdf/layout.ts";
import { xrefHref } from "../src/render/pdf/links.ts";
import { renderManual } from "../src/render/pdf/manual.ts";
import { renderPolicyPdf } from "../src/render/pdf/policy.ts";
import type { PolicyDocument } from "../src/types.ts";
import { generateLibrary } from "./generate.ts";

const buildDate = { year: 2026, month: 11, day: 24 };
const found = findBrowser(process.env);
if ("error" in found) throw new Error(found.error);
const browser = found;
const ms = (start: number) => performance.now() - start;

async function documents(policiesDir: string, orgsDir: string): Promise<PolicyDocument[]> {
  const check = await loadAndCheck({ policiesDir, orgsDir, buildDate, referencesOutsidePack: "error" });
  const org = check.buildable.find((o) => o.id === "afon-homecare");
  if (!org) throw new Error("afon-homecare did not pass its checks");
  const pack = packPolicies(org, check.library);
  const context = packContext(pack, check.library);
  return pack.map((policy) => policyDocument(org, policy, buildDate, context));
}

/** Bare Chromium: one page, setContent + pdf, nothing else. */
async function bare(docs: PolicyDocument[]): Promise<number> {
  const profile = await mkdtemp(join(tmpdir(), "bench-"));
  const chromium = await puppeteer.launch({
    executablePath: browser.path,
    headless: "shell",
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const page = await chromium.newPage();
  const htmls = docs.map((doc) =>
    printable(
      policyPage(doc, {
        css: printCss(doc.org, doc.theme, {
          headerRight: "",
          footerLeft: footerLine(doc),
          language: doc.policy.language,
        }),
        href: xrefHref,
      }),
    ),
  );
  await page.setContent(htmls[0] as string);
  await page.pdf({ format: "A4" }); // warm-up
  const start = performance.now();
  for (const html of htmls) {
    await page.setContent(html, { waitUntil: "load" });
    await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true, tagged: true, outline: true });
  }
  const total = ms(start);
  await chromium.close();
  await rm(profile, { recursive: true, force: true });
  return total / docs.length;
}

/** Ours: the engine with `pages` pages, HTML generation, templates and properties included. */
async function ours(docs: PolicyDocument[], pages: number): Promise<number> {
  const engine = await PdfEngine.launch({ executablePath: browser.path, pages, timeoutMs: 60_000 });
  await renderPolicyPdf(docs[0] as PolicyDocument, engine); // warm-up
  const start = performance.now();
  await Promise.all(docs.map((doc) => renderPolicyPdf(doc, engine)));
  const total = ms(start);
  await engine.close();
  return total / docs.length;
}

async function report(label: string, docs: PolicyDocument[]) {
  const baseline = await bare(docs);
  const sequential = await ours(docs, 1);
  const pooled = await ours(docs, availableParallelism());
  console.log(`\n${label}: ${docs.length} policies`);
  console.log(
    `  bare Chromium, 1 reused page:     ${baseline.toFixed(0)} ms/document (${(1000 / baseline).toFixed(1)} documents/s)`,
  );
  console.log(
    `  policypack, 1 page:               ${sequential.toFixed(0)} ms/document  = ${(sequential / baseline).toFixed(2)}x bare`,
  );
  console.log(
    `  policypack, ${availableParallelism()} pages (default):    ${pooled.toFixed(0)} ms/document (${(1000 / pooled).toFixed(1)} documents/s) = ${(pooled / baseline).toFixed(2)}x bare`,
  );
}

console.log(`${cpus().length} CPUs, ${cpus()[0]?.model}; browser ${browser.path}`);
await report(
  "Example library",
  await documents(join(import.meta.dirname, "..", "policies"), join(import.meta.dirname, "..", "orgs")),
);
const generated = await generateLibrary(60);
const generatedDocs = await documents(generated.policiesDir, generated.orgsDir);
await report("Generated library", generatedDocs);

// The manual alone (its cover and contents printed, the policies' own PDFs put after them),
// against printing the same 60 policies as separate PDFs on the default pool, in the same browser.
{
  const engine = await PdfEngine.launch({
    executablePath: browser.path,
    pages: availableParallelism(),
    timeoutMs: 120_000,
  });
  await renderPolicyPdf(generatedDocs[0] as PolicyDocument, engine); // warm-up
  let start = performance.now();
  const printed = await Promise.all(generatedDocs.map((doc) => renderPolicyPdf(doc, engine)));
  const policies = ms(start);
  start = performance.now();
  const parts = generatedDocs.map((doc, i) => ({ doc, pdf: printed[i]?.data ?? new Uint8Array() }));
  const manual = await renderManual((generatedDocs[0] as PolicyDocument).org, parts, buildDate, engine);
  const manualMs = ms(start);
  await engine.close();
  const pages = printed.reduce((sum, pdf) => sum + (pdf?.pages ?? 0), 0);
  console.log(
    `\nManual of 60 policies (${pages} policy pages, ${(manual.data.length / 1e6).toFixed(1)} MB): ${(manualMs / 1000).toFixed(1)} s = ${(manualMs / policies).toFixed(2)}x printing the 60 policy PDFs (${(policies / 1000).toFixed(1)} s); printed ${manual.prints} time(s)`,
  );
}

// A 60-policy pack's PDFs end to end, as `policypack build --format pdf --org afon-homecare` does it.
const check = await loadAndCheck({
  policiesDir: generated.policiesDir,
  orgsDir: generated.orgsDir,
  buildDate,
  referencesOutsidePack: "error",
});
const org = check.buildable.filter((o) => o.id === "afon-homecare");
const start = performance.now();
const result = await buildPacks(check, org, {
  out: join(generated.dir, "output"),
  formats: ["pdf"],
  buildDate,
  env: process.env,
});
console.log(
  `\n60-policy pack, every PDF plus the combined manual, browser launch included: ${(ms(start) / 1000).toFixed(1)} s (${result.packs[0]?.built.length} files)`,
);
await rm(generated.dir, { recursive: true, force: true });
