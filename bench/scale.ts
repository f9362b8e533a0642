// Scale benchmark: a synthetic library of 60 policies × 50 organisations, built the way CI
// builds it. Reports full build time per format, documents per second, peak memory, the no-op
// rebuild, and the rebuild after one policy changes.
// Run: npx tsx bench/scale.ts [--formats html,docx,pdf]   (PDFs take a few minutes on 2 cores)
import { execFileSync } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateLibrary } from "./generate.ts";

const { values } = parseArgs({ options: { formats: { type: "string", default: "html,docx,pdf" } } });
const formats = (values.formats as string).split(",");
const POLICIES = 60;
const ORGS = 50;
const BIN = join(import.meta.dirname, "..", "bin", "policypack.js");
const { dir, policiesDir, orgsDir } = await generateLibrary(POLICIES, ORGS);
const out = join(dir, "output");

interface Summary {
  packs: { org: string; built: string[]; skipped: string[]; removed: string[] }[];
}

/** One `policypack build` as a separate process, as CI runs it; wall time and peak RSS (Linux). */
function build(...args: string[]): { seconds: number; summary: Summary; peakMiB: number } {
  const start = performance.now();
  const stdout = execFileSync(
    "node",
    [
      "--import",
      "./bench/report-rss.mjs",
      BIN,
      "build",
      "--json",
      "--as-of",
      "2026-11-24",
      "--policies",
      policiesDir,
      "--orgs",
      orgsDir,
      "--out",
      out,
      ...args,
    ],
    { cwd: join(import.meta.dirname, ".."), encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] },
  );
  const seconds = (performance.now() - start) / 1000;
  const peak = /^PEAK_RSS_KB=(\d+)$/m.exec(stdout);
  const json = stdout.slice(0, peak?.index ?? stdout.length);
  return { seconds, summary: JSON.parse(json) as Summary, peakMiB: Number(peak?.[1] ?? 0) / 1024 };
}

const count = (summary: Summary, key: "built" | "skipped" | "removed", pattern = /./) =>
  summary.packs.reduce((n, pack) => n + pack[key].filter((name) => pattern.test(name)).length, 0);

console.log(`${cpus().length} CPUs (${cpus()[0]?.model}); ${POLICIES} policies × ${ORGS} organisations\n`);
console.log("format  full build   documents/s   peak RSS (node)");
let peak = 0;
let documentSeconds = 0;
let documents = 0;
for (const format of formats) {
  const run = build("--format", format, "--force");
  const made = count(run.summary, "built", new RegExp(`^DCW\\d+-.*\\.${format}$`));
  peak = Math.max(peak, run.peakMiB);
  if (format !== "pdf") {
    documentSeconds += run.seconds;
    documents += made;
  }
  console.log(
    `${format.padEnd(6)}  ${run.seconds.toFixed(1).padStart(7)} s   ${(made / run.seconds).toFixed(1).padStart(9)}     ${run.peakMiB.toFixed(0)} MiB  (${made} documents)`,
  );
}
if (documents > 0) console.log(`HTML + DOCX: ${(documents / documentSeconds).toFixed(1)} documents/s`);

const noop = build("--format", formats.join(","));
console.log(
  `\nno-op rebuild: ${noop.seconds.toFixed(2)} s, ${count(noop.summary, "built")} files built, ${count(noop.summary, "skipped")} unchanged`,
);

const file = join(policiesDir, "DCW101-staff-conduct-and-code-of-ethics.md");
await writeFile(file, (await readFile(file, "utf8")).replace("## 1. Purpose", "## 1. Purpose\n\nA changed sentence."));
const one = build("--format", formats.join(","));
const policyFiles = count(one.summary, "built", /^DCW101-/);
console.log(
  `one policy changed: ${one.seconds.toFixed(1)} s; ${policyFiles} policy files rebuilt (${ORGS} orgs × ${formats.length} formats = ${ORGS * formats.length}), plus ${count(one.summary, "built") - policyFiles} pack files (zip, manual, pages that contain it)`,
);
console.log(
  `peak RSS of a build process: ${Math.max(peak, noop.peakMiB, one.peakMiB).toFixed(0)} MiB (Chromium's own processes not included)`,
);
await rm(dir, { recursive: true, force: true });
