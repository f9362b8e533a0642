import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBrowser } from "../src/render/pdf/browser.ts";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import { runCli, workspace } from "./helpers.ts";

// The care home's view, in a real browser: the pack page served by `policypack serve`.
describe("the pack page in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    const dir = await workspace();
    const run = await runCli(["build", "--as-of", "2026-11-24"], dir);
    expect(run.code).toBe(0);
    server = await startServer({ root: join(dir, "output"), port: 0 });
    const found = findBrowser(process.env);
    if ("error" in found) throw new Error(found.error);
    profile = await mkdtemp(join(tmpdir(), "policypack-e2e-"));
    browser = await puppeteer.launch({
      executablePath: found.path,
      headless: "shell",
      userDataDir: profile,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(profile, { recursive: true, force: true });
  });

  const rows = () =>
    page.$$eval("#policies tbody tr:not([hidden])", (trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll("th, td")].map((cell) => (cell.textContent ?? "").replace(/\s+/g, " ").trim()),
      ),
    );

  it("lists the pack's policies with their versions, review dates and status", async () => {
    await page.goto(`${server.url}/gofal-tyr-ysgol/index.html`);
    expect(await page.$eval("h1", (h) => h.textContent)).toBe("Policy pack");
    expect(await page.$eval(".org-name", (p) => p.textContent)).toBe("Gofal Tŷ'r Ysgol & Partners");
    const table = await rows();
    expect(table.map((row) => row[0])).toEqual(["DCW13", "DCW28", "DCW30", "DCW31", "DCW34", "DCW38"]);
    // Reviewed 2025-12-15: the annual policies are due on 15 December 2026, within 30 days of the build date.
    expect(table[0]).toEqual([
      "DCW13",
      "Safeguarding Adults from Abuse and Improper Treatment Policy",
      "1.0",
      "15 December 2025",
      "15 December 2026",
      "Due for review",
      "Web page · PDF · Word",
    ]);
    expect(table.find((row) => row[0] === "DCW30")?.slice(4, 6)).toEqual(["15 December 2027", "Current"]);
  });

  it("filters by code or title, and shows everything again when cleared", async () => {
    await page.goto(`${server.url}/afon-homecare/index.html`);
    await page.type("#filter", "dcw31");
    expect((await rows()).map((row) => row[0])).toEqual(["DCW31"]);
    expect(await page.$eval("#filter-count", (s) => s.textContent)).toBe("1 of 6 policies shown");
    await page.$eval("#filter", (input) => {
      (input as HTMLInputElement).value = "";
    });
    await page.type("#filter", "data protection");
    expect((await rows()).map((row) => row[0])).toEqual(["DCW34"]);
    await page.click("#filter", { count: 3 });
    await page.keyboard.press("Backspace");
    expect(await rows()).toHaveLength(6);
  });

  it("downloads a PDF and a Word file of the right type from their links", async () => {
    await page.goto(`${server.url}/afon-homecare/index.html`);
    for (const [selector, type] of [
      ['a[href="DCW13-safeguarding-adults.pdf"]', "application/pdf"],
      [
        'a[href="DCW13-safeguarding-adults.docx"]',
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      ],
      ['a[href="afon-homecare-policy-pack.zip"]', "application/zip"],
    ] as const) {
      const link = await page.$eval(selector, (a) => (a as HTMLAnchorElement).href);
      const response = await fetch(link);
      expect(response.status, link).toBe(200);
      expect(response.headers.get("content-type"), link).toContain(type);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const magic = new TextDecoder().decode(bytes.slice(0, 4));
      expect(magic).toBe(type === "application/pdf" ? "%PDF" : "PK\u0003\u0004");
    }
    // A real click: the browser requests the PDF and gets it.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/DCW31-disciplinary-and-grievance.pdf")),
      page.click('a[href="DCW31-disciplinary-and-grievance.pdf"]').catch(() => {}),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toContain("application/pdf");
  });

  it("works without JavaScript: every policy is listed and the filter stays out of the way", async () => {
    const plain = await browser.newPage();
    await plain.setJavaScriptEnabled(false);
    await plain.goto(`${server.url}/afon-homecare/index.html`);
    expect(await plain.$$eval("#policies tbody tr", (trs) => trs.length)).toBe(6);
    expect(await plain.$eval("#filter-form", (form) => (form as HTMLFormElement).hidden)).toBe(true);
    await plain.close();
  });

  it("the consultancy's overview links to every pack page", async () => {
    await page.goto(`${server.url}/index.html`);
    const links = await page.$$eval("tbody a", (as) => as.map((a) => [a.textContent, (a as HTMLAnchorElement).href]));
    expect(links.map(([name]) => name)).toEqual(["Afon Homecare Ltd", "Gofal Tŷ'r Ysgol & Partners"]);
    for (const [, href] of links) {
      await page.goto(href as string);
      expect(await page.$eval("h1", (h) => h.textContent)).toBe("Policy pack");
    }
  });
});
