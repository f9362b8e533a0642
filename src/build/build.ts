import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { CheckResult } from "../check/index.ts";
import { EnvironmentError } from "../check/index.ts";
import { packPolicies } from "../check/orgs.ts";
import { reviewOf } from "../dates/review.ts";
import { renderDocx } from "../render/docx/index.ts";
import { type OverviewRow, type PackEntry, renderOverview, renderPackPage } from "../render/html/pack-page.ts";
import { renderHtml } from "../render/html/page.ts";
import { findBrowser } from "../render/pdf/browser.ts";
import { PdfEngine, type PdfOutput } from "../render/pdf/engine.ts";
import { type ManualPart, renderManual } from "../render/pdf/manual.ts";
import { renderPolicyPdf } from "../render/pdf/policy.ts";
import type { CalendarDate, Diagnostic, Org, Policy } from "../types.ts";
import { writeFileAtomic } from "../write/atomic.ts";
import { deterministicZip } from "../write/zip.ts";
import { packContext, policyDocument } from "./documents.ts";

export const FORMATS = ["html", "pdf", "docx"] as const;
export type Format = (typeof FORMATS)[number];

export interface BuildOptions {
  out: string;
  formats: readonly Format[];
  buildDate: CalendarDate;
  env: NodeJS.ProcessEnv;
  /** PDF pages printing at once; default: the number of CPUs. */
  pdfPages?: number;
  /** Per document, in milliseconds. */
  pdfTimeoutMs?: number;
}

export interface OrgBuild {
  org: string;
  files: string[];
}

export interface BuildResult {
  built: OrgBuild[];
  /** Problems met while rendering (a PDF that failed twice, a blocked request). */
  diagnostics: Diagnostic[];
}

type Files = Map<string, string | Uint8Array>;

/** Turns a PDF result into files and diagnostics: a failure is reported and the pack goes on. */
async function printPdf(
  name: string,
  policy: Pick<Policy, "file">,
  files: Files,
  diagnostics: Diagnostic[],
  render: () => Promise<PdfOutput>,
): Promise<void> {
  const at = { file: policy.file, line: 1, column: 1 };
  try {
    const { data, blocked } = await render();
    files.set(name, data);
    for (const url of blocked) {
      diagnostics.push({
        ...at,
        severity: "warning",
        rule: "pdf-network",
        message: `${name} tried to load ${url}; it was blocked`,
      });
    }
  } catch (error) {
    diagnostics.push({
      ...at,
      severity: "error",
      rule: "pdf-render",
      message: `${name} was not written: Chromium failed twice (${(error as Error).message.split("\n")[0]})`,
      hint: "try again with --format html to rule out the policy, or raise the timeout",
    });
  }
}

/** Renders every file of one org's pack in memory; nothing is written until all of it is rendered. */
async function renderPack(
  org: Org,
  check: CheckResult,
  options: BuildOptions,
  engine: PdfEngine | undefined,
  diagnostics: Diagnostic[],
): Promise<Files> {
  const files: Files = new Map();
  const pack = packPolicies(org, check.library);
  const context = packContext(pack, check.library);
  const docs = pack.map((policy) => policyDocument(org, policy, options.buildDate, context));
  const entries: PackEntry[] = docs.map((doc) => ({ policy: doc.policy, review: doc.review, files: {} }));
  if (options.formats.includes("html")) {
    docs.forEach((doc, i) => {
      const name = `${doc.policy.slug}.html`;
      files.set(name, renderHtml(doc));
      (entries[i] as PackEntry).files.html = name;
    });
  }
  if (options.formats.includes("docx")) {
    for (const [i, doc] of docs.entries()) {
      const name = `${doc.policy.slug}.docx`;
      const { data, warnings } = await renderDocx(doc);
      files.set(name, data);
      (entries[i] as PackEntry).files.docx = name;
      for (const warning of warnings) {
        diagnostics.push({
          file: doc.policy.file,
          // Positions are in the filled-in text; they match the source unless a <<#if>> block above was left out.
          line: warning.line + doc.policy.bodyLine - 1,
          column: warning.column,
          severity: "warning",
          rule: "docx-unsupported",
          message: `${name}: ${warning.message}`,
        });
      }
    }
  }
  if (engine) {
    const parts: ManualPart[] = [];
    await Promise.all(
      docs.map(async (doc, i) => {
        const name = `${doc.policy.slug}.pdf`;
        await printPdf(name, doc.policy, files, diagnostics, async () => {
          const printed = await renderPolicyPdf(doc, engine);
          parts[i] = { doc, pdf: printed.data, pages: printed.pages };
          return printed;
        });
        if (files.has(name)) (entries[i] as PackEntry).files.pdf = name;
      }),
    );
    // The manual is assembled from the printed policies: without all of them it would be incomplete.
    if (docs.every((_, i) => parts[i])) {
      await printPdf(`${org.id}-policy-pack.pdf`, { file: org.file }, files, diagnostics, () =>
        renderManual(org, parts, options.buildDate, engine),
      );
    }
  }
  const manual = `${org.id}-policy-pack.pdf`;
  const zip = `${org.id}-policy-pack.zip`;
  const downloads = { ...(files.has(manual) ? { manual } : {}), zip };
  files.set("index.html", renderPackPage(org, entries, downloads, options.buildDate));
  files.set(zip, deterministicZip(files, options.buildDate));
  return files;
}

/** Every organisation of the library, whether built in this run or not, with its review status. */
function overview(check: CheckResult, buildDate: CalendarDate): string {
  const rows: OverviewRow[] = check.orgs.map((org) =>
    check.buildable.includes(org)
      ? { org, reviews: packPolicies(org, check.library).map((policy) => reviewOf(org, policy, buildDate)) }
      : { org },
  );
  return renderOverview(rows, buildDate);
}

export async function buildPacks(
  check: CheckResult,
  orgs: readonly Org[],
  options: BuildOptions,
): Promise<BuildResult> {
  const result: BuildResult = { built: [], diagnostics: [] };
  let engine: PdfEngine | undefined;
  if (options.formats.includes("pdf") && orgs.length > 0) {
    const browser = findBrowser(options.env);
    if ("error" in browser) throw new EnvironmentError(browser.error);
    engine = await PdfEngine.launch({
      executablePath: browser.path,
      pages: options.pdfPages ?? availableParallelism(),
      timeoutMs: options.pdfTimeoutMs ?? 60_000,
    });
  }
  try {
    for (const org of orgs) {
      const files = await renderPack(org, check, options, engine, result.diagnostics);
      for (const [name, data] of files) await writeFileAtomic(join(options.out, org.id, name), data);
      result.built.push({ org: org.id, files: [...files.keys()].map((name) => join(options.out, org.id, name)) });
    }
    await writeFileAtomic(join(options.out, "index.html"), overview(check, options.buildDate));
  } finally {
    await engine?.close();
  }
  return result;
}
