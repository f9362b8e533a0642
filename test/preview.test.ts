import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { access, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { get } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAndCheck } from "../src/check/index.ts";
import { EVENTS_PATH, LIVE_SCRIPT_HASH, LivePreview } from "../src/serve/watch.ts";
import { launchTestBrowser, REPO, workspace } from "./helpers.ts";

const POLICY = join("policies", "DCW13-safeguarding-adults.md");
const PAGE = "afon-homecare/DCW13-safeguarding-adults.html";
const ORIGINAL = "has a zero-tolerance approach to abuse.";
const EDITED = "has a zero-tolerance approach to abuse of any kind, as edited live.";

// A writer's view: `serve --watch` as a real process, a page open in Chromium, edits saved to disk.
describe("policypack serve --watch", () => {
  let dir: string;
  let profile: string;
  let child: ChildProcess;
  let stderr = "";
  let url: string;
  let browser: Browser;
  let page: Page;
  const cspErrors: string[] = [];

  // innerText, not textContent: what the reader sees rendered.
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point.
  const main = () => page.$eval("main", (element) => (element as HTMLElement).innerText);
  const shows = (text: string) =>
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point.
    page.waitForFunction((wanted) => document.body.innerText.includes(wanted), { timeout: 20_000 }, text);
  const edit = async (from: string, to: string) => {
    const path = join(dir, POLICY);
    const text = await readFile(path, "utf8");
    expect(text).toContain(from);
    await writeFile(path, text.replace(from, to));
  };

  beforeAll(async () => {
    // English only: an edit to an English policy would otherwise (rightly) show its Welsh as stale.
    dir = await workspace({}, { welsh: false });
    child = spawn(
      process.execPath,
      [join(REPO, "bin", "policypack.js"), "serve", "--watch", "--port", "0", "--as-of", "2026-11-24"],
      { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stderr?.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    url = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout?.setEncoding("utf8").on("data", (text: string) => {
        stdout += text;
        const found = /Serving output\/ at (http:\S+)/.exec(stdout);
        if (found) resolve(found[1] as string);
      });
      child.once("exit", (code) => reject(new Error(`serve --watch exited ${code}: ${stderr}`)));
    });
    ({ browser, profile } = await launchTestBrowser("preview"));
    page = await browser.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await rm(profile, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it("builds the web pages first; PDFs are not built yet", async () => {
    expect(stderr).toMatch(/built the web pages: 30 files built/);
    await expect(access(join(dir, "output", PAGE))).resolves.toBeUndefined();
    await expect(access(join(dir, "output", PAGE.replace(".html", ".pdf")))).rejects.toThrow();
  });

  it("reloads an open page when its policy is saved", { timeout: 30_000 }, async () => {
    await page.goto(new URL(PAGE, url).href);
    expect(await main()).toContain(ORIGINAL);
    await page.evaluate(() => Object.assign(window, { beforeTheSave: true }));
    await edit(ORIGINAL, EDITED);
    await shows(EDITED);
    // A new document, loaded by the page's own script: the test never reloaded it.
    expect(await page.evaluate(() => "beforeTheSave" in window)).toBe(false);
    expect(await page.$eval("#policypack-diagnostics", (box) => getComputedStyle(box).display)).toBe("none");
    expect(cspErrors).toEqual([]);
  });

  it("allows the live script by its hash and the event stream by connect-src 'self', nothing inline", async () => {
    const response = await fetch(new URL(PAGE, url));
    const header = response.headers.get("content-security-policy") ?? "";
    const scriptSrc = header.split(";").find((part) => part.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc).toContain(LIVE_SCRIPT_HASH);
    expect(scriptSrc).not.toContain("unsafe");
    expect(header).toContain("connect-src 'self'");
    // The page's own CSP meta is widened the same way, or the browser would block the script.
    const html = await response.text();
    const meta = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? "";
    expect(meta).toContain(`script-src ${LIVE_SCRIPT_HASH}`);
    expect(meta).toContain("connect-src 'self'");
    expect(meta).not.toContain("unsafe");
  });

  it("builds a pack's PDFs when one is asked for", { timeout: 30_000 }, async () => {
    const pdf = PAGE.replace(".html", ".pdf");
    expect(await page.$eval(`a[href="${pdf.split("/")[1]}"]`, (a) => a.textContent)).toBeTruthy();
    const pages = [PAGE, "afon-homecare/index.html"].map((name) => join(dir, "output", name));
    const before = await Promise.all(pages.map((path) => stat(path).then((info) => info.mtimeMs)));
    const response = await fetch(new URL(pdf, url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
    expect(stderr).toMatch(/built afon-homecare's files on request: \d+ files built/);
    // The pages already linked to the PDF: they are not rewritten, so open pages need no reload.
    expect(await Promise.all(pages.map((path) => stat(path).then((info) => info.mtimeMs)))).toEqual(before);
  });

  it("shows a broken save's diagnostics over the last good page, and keeps serving", { timeout: 30_000 }, async () => {
    await edit(EDITED, "has a zero-tolerance approach to <<org_field_nope>>.");
    await page.waitForFunction(
      () => document.getElementById("policypack-diagnostics")?.textContent?.includes("<<org_field_nope>>"),
      { timeout: 20_000 },
    );
    const box = await page.$eval("#policypack-diagnostics", (element) => ({
      text: element.textContent,
      display: getComputedStyle(element).display,
      position: getComputedStyle(element).position,
      children: element.children.length,
    }));
    const line = (await readFile(join(dir, POLICY), "utf8")).split("\n").findIndex((l) => l.includes("nope")) + 1;
    expect(box.text).toContain(`${POLICY}:${line}:`);
    expect(box.text).toContain("error unknown-placeholder: unknown placeholder <<org_field_nope>>");
    expect(box).toMatchObject({ display: "block", position: "fixed", children: 0 }); // text, never markup
    expect(await main()).toContain(EDITED);
    expect(await main()).not.toContain("nope");
    // The terminal says it as build does.
    expect(stderr).toContain("error unknown-placeholder: unknown placeholder <<org_field_nope>>");
    expect(stderr).toContain("skipped afon-homecare: its inputs have errors");
    const response = await fetch(new URL(PAGE, url));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(EDITED);
    expect(child.exitCode).toBeNull();

    // Fixed: the page reloads with the new text and the box goes.
    await edit("has a zero-tolerance approach to <<org_field_nope>>.", ORIGINAL);
    await shows(ORIGINAL);
    expect(await page.$eval("#policypack-diagnostics", (element) => getComputedStyle(element).display)).toBe("none");
    expect(cspErrors).toEqual([]);
  });

  it("writes nothing of the preview into the output folder", async () => {
    const files = (await readdir(join(dir, "output"), { recursive: true })).filter((name) => name.endsWith(".html"));
    expect(files.length).toBeGreaterThan(10);
    for (const name of files) {
      const html = await readFile(join(dir, "output", name), "utf8");
      expect(html, name).not.toContain(EVENTS_PATH);
      expect(html, name).not.toContain("policypack-diagnostics");
      expect(html, name).not.toContain("connect-src");
    }
  });

  it("closes its event streams and exits on SIGTERM", { timeout: 20_000 }, async () => {
    const stream = await new Promise<import("node:http").IncomingMessage>((resolve, reject) =>
      get(new URL(EVENTS_PATH, url), resolve).on("error", reject),
    );
    expect(stream.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    stream.resume();
    const ended = once(stream, "close");
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await ended;
    const [code] = await exited;
    expect(code).toBe(0);
  });
});

describe("rebuilding on save", () => {
  it("builds once for a burst of saves, never two at once, and once more after a save during a build", async () => {
    const dir = await workspace({}, { welsh: false });
    let runs = 0;
    let running = 0;
    let most = 0;
    const log: string[] = [];
    const preview = new LivePreview({
      folders: [join(dir, "policies"), join(dir, "orgs")],
      out: join(dir, "output"),
      env: process.env,
      buildDate: () => ({ year: 2026, month: 11, day: 24 }),
      // A slow check, so that saves land while a build runs.
      check: async () => {
        runs++;
        most = Math.max(most, ++running);
        try {
          await sleep(700);
          return await loadAndCheck({
            policiesDir: join(dir, "policies"),
            orgsDir: join(dir, "orgs"),
            buildDate: { year: 2026, month: 11, day: 24 },
            referencesOutsidePack: "error",
          });
        } finally {
          running--;
        }
      },
      report: () => {},
      log: (text) => log.push(text),
    });
    try {
      await preview.start();
      preview.watch();
      const path = join(dir, POLICY);
      const rebuilds = () => log.filter((line) => line.startsWith("rebuilt the web pages")).length;
      /** Waits for the n-th rebuild to finish, then a while longer, in case of one too many. */
      const settled = async (n: number) => {
        for (let waited = 0; rebuilds() < n && waited < 15_000; waited += 50) await sleep(50);
        await sleep(1000);
      };
      const save = async (text: string) => writeFile(path, (await readFile(path, "utf8")).replace(ORIGINAL, text));
      // Five saves within 100 ms: one build.
      for (let i = 0; i < 5; i++) {
        await save(`${ORIGINAL} ${i}`);
        await sleep(20);
      }
      await settled(1);
      expect(runs).toBe(2);
      // A save, then two more while its build runs: that build, and exactly one more after it.
      await save(`${ORIGINAL} A`);
      for (let waited = 0; runs < 3 && waited < 15_000; waited += 10) await sleep(10);
      expect(running).toBe(1); // its build is checking (700 ms) while B and C are saved
      await save(`${ORIGINAL} B`);
      await save(`${ORIGINAL} C`);
      await settled(3);
      expect(runs).toBe(4);
      expect(most).toBe(1);
      expect(rebuilds()).toBe(3);
      expect(await readFile(join(dir, "output", PAGE), "utf8")).toContain(`${ORIGINAL} C`);
    } finally {
      await preview.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
