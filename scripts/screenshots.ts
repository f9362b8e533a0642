// Makes the README's pictures from a built pack: the pack page on a laptop and on a phone, and a
// page of the combined manual. Usage: npx tsx scripts/screenshots.ts [OUT] (default: output/)
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer from "puppeteer-core";
import { findBrowser } from "../src/render/pdf/browser.ts";

const out = resolve(process.argv[2] ?? "output");
const docs = resolve(import.meta.dirname, "..", "docs");
const org = "afon-homecare";
const browser = findBrowser(process.env);
if ("error" in browser) throw new Error(browser.error);
const profile = await mkdtemp(join(tmpdir(), "policypack-shots-"));
const chromium = await puppeteer.launch({
  executablePath: browser.path,
  headless: "shell",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  userDataDir: profile,
});
try {
  const page = await chromium.newPage();
  for (const [name, width, height] of [
    ["pack-page.png", 1100, 900],
    ["pack-page-phone.png", 360, 780],
  ] as const) {
    await page.setViewport({ width, height, deviceScaleFactor: 1 });
    await page.goto(`file://${join(out, org, "index.html")}`, { waitUntil: "load" });
    await page.screenshot({ path: join(docs, name) });
  }
} finally {
  await chromium.close();
  await rm(profile, { recursive: true, force: true });
}
// Page 3 of the manual: the first policy, with its running header and footer.
const manual = join(out, org, `${org}-policy-pack.pdf`);
execFileSync("pdftoppm", ["-png", "-r", "60", "-f", "3", "-l", "3", "-singlefile", manual, join(docs, "manual-page")]);
console.log(`wrote docs/pack-page.png, docs/pack-page-phone.png and docs/manual-page.png from ${out}`);
