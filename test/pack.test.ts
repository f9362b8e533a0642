import { readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { unzipSync } from "fflate";
import type { Element } from "hast";
import { fromHtml } from "hast-util-from-html";
import { select, selectAll } from "hast-util-select";
import { HtmlValidate } from "html-validate";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILTER_SCRIPT } from "../src/render/html/pack-page.ts";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import { launchTestBrowser, REPO, runCli, workspace } from "./helpers.ts";

// The care home's view, in a real browser: the pack page served by `policypack serve`.
describe("the pack page in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let profile: string;
  let dir: string;
  /** Every web page of the example packs, relative to output/. */
  let pages: string[];

  beforeAll(async () => {
    // gofal reviewed DCW30 again after the new Social Care Wales Code (in force 1 July 2026), so
    // it is current; its other policies are due.
    const gofal = await readFile(join(REPO, "orgs", "gofal-tyr-ysgol.yaml"), "utf8");
    const record = "  - { date: 2026-07-15, policy: DCW30, by: Ann, role: Registered Manager, outcome: no-change }\n";
    dir = await workspace({ "orgs/gofal-tyr-ysgol.yaml": gofal + record });
    const run = await runCli(["build", "--as-of", "2026-11-24"], dir);
    expect(run.code).toBe(0);
    server = await startServer({ root: join(dir, "output"), port: 0 });
    ({ browser, profile } = await launchTestBrowser("e2e"));
    page = await browser.newPage();
    pages = ["index.html"];
    for (const org of ["afon-homecare", "gofal-tyr-ysgol"]) {
      for (const name of (await readdir(join(dir, "output", org))).sort()) {
        if (name.endsWith(".html")) pages.push(`${org}/${name}`);
      }
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(profile, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  const rows = () =>
    page.$$eval("#policies tbody tr:not([hidden])", (trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll("th, td")].map((cell) => (cell.textContent ?? "").replace(/\s+/g, " ").trim()),
      ),
    );

  it("lists the pack's policies with their versions, review dates and status", async () => {
    // Gofal's pack is bilingual: its English page (the Welsh one opens first, test/welsh.test.ts).
    await page.goto(`${server.url}/gofal-tyr-ysgol/index.en.html`);
    expect(await page.$eval("h1", (h) => h.textContent)).toBe("Policy pack");
    expect(await page.$eval(".org-name", (p) => p.textContent)).toBe("Gofal Tŷ'r Ysgol & Partners");
    const table = await rows();
    // Reviewed 2025-12-15: the annual policies are due on 15 December 2026, within 30 days of the
    // build date (and the register's new Code came into force since), so they come first; DCW30,
    // reviewed again after the Code, comes last.
    expect(table.map((row) => row[0])).toEqual(["DCW13", "DCW28", "DCW31", "DCW34", "DCW38", "DCW30"]);
    expect(table[0]).toEqual([
      "DCW13",
      "Safeguarding Adults from Abuse and Improper Treatment Policy Cymraeg",
      "1.0",
      "15 December 2025 by Elin Wŷn Hughes (Responsible Individual) — no changes",
      "15 December 2026",
      "Due for review due in 21 days review needed: Social Care Wales Code of Professional Practice for Social Care Workers in force 1 July 2026",
      "Web page · PDF · Word",
    ]);
    // DCW30 was reviewed again on 2026-07-15, after the new Code came into force: current.
    expect(table.find((row) => row[0] === "DCW30")?.slice(4, 6)).toEqual(["15 July 2028", "Current"]);
    // A due row stands out from a current one.
    const background = (code: string) =>
      page.$eval(
        `#policies tbody tr[data-search^="${code.toLowerCase()} "] > td`,
        (td) => getComputedStyle(td).backgroundColor,
      );
    expect(await background("DCW13")).not.toBe(await background("DCW30"));
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
    expect(await plain.$eval("#filter-form", (form) => (form as HTMLElement).hidden)).toBe(true);
    await plain.close();
  });

  it("the consultancy's overview links to every pack page", async () => {
    await page.goto(`${server.url}/index.html`);
    const links = await page.$$eval("tbody a", (as) => as.map((a) => [a.textContent, (a as HTMLAnchorElement).href]));
    expect(links.map(([name]) => name)).toEqual(["Afon Homecare Ltd", "Gofal Tŷ'r Ysgol & Partners"]);
    const headings = [];
    for (const [, href] of links) {
      await page.goto(href as string);
      headings.push(await page.$eval("h1", (h) => h.textContent));
    }
    // Gofal's pack opens in Welsh.
    expect(headings).toEqual(["Policy pack", "Pecyn polisïau"]);
  });

  it("links every policy page back to its pack and to its own PDF and Word files", async () => {
    const policyPages = pages.filter((path) => /\/DCW/.test(path));
    // Afon's six in English; Gofal's six in Welsh and in English, each linking to the other.
    expect(policyPages).toHaveLength(18);
    for (const path of policyPages) {
      const slug = (path.split("/")[1] as string).replace(/\.html$/, "");
      await page.goto(`${server.url}${path}`);
      const links = await page.$$eval("nav.doc-nav a", (as) => as.map((a) => (a as HTMLAnchorElement).href));
      const bilingual = path.startsWith("gofal-tyr-ysgol/");
      const welsh = slug.endsWith(".cy");
      const other = welsh ? `${slug.slice(0, -3)}.html` : `${slug}.cy.html`;
      expect(links.map((href) => href.split("/").pop())).toEqual([
        bilingual && !welsh ? "index.en.html" : "index.html",
        `${slug}.pdf`,
        `${slug}.docx`,
        ...(bilingual ? [other] : []),
      ]);
      for (const href of links) expect((await fetch(href, { method: "HEAD" })).status, href).toBe(200);
    }
  });

  it("serves pages with a CSP header that allows no inline script but the filter's hash", async () => {
    const csp = (await fetch(`${server.url}afon-homecare/index.html`)).headers.get("content-security-policy") ?? "";
    const scriptSrc = csp.split(";").find((part) => part.trim().startsWith("script-src"));
    expect(scriptSrc?.trim()).toMatch(/^script-src 'sha256-[\w+/=]+'$/);
    expect(csp).toContain("default-src 'none'");
  });

  it("publishes no script but the filter, no javascript: or data: link, and no remote resource; every page has a CSP", async () => {
    for (const path of pages) {
      const tree = fromHtml(await readFile(join(dir, "output", path), "utf8"));
      const csp = String(select('head > meta[http-equiv="Content-Security-Policy"]', tree)?.properties.content);
      expect(csp, path).toMatch(/^default-src 'none'; img-src 'self' data:; font-src 'self'; style-src 'sha256-/);
      expect(csp, path).not.toContain("unsafe");
      const packPage = /\/index(\.en)?\.html$/.test(path);
      expect(csp, path).toMatch(packPage ? /script-src 'sha256-[\w+/=]+';/ : /script-src 'none'/);
      const scripts = selectAll("script", tree).map((script) => (script.children[0] as { value: string }).value);
      expect(scripts, path).toEqual(packPage ? [FILTER_SCRIPT] : []);
      for (const a of selectAll("a", tree)) {
        expect(String(a.properties.href), path).toMatch(
          /^(https?:\/\/|mailto:|tel:|#|[\w-]+(\.cy|\.en)?(\.[a-z]+)?(#[\w-]*)?$|[\w-]+\/index\.html$)/,
        );
      }
      // The organisation's logo is the pack's own file; data: only for images inside a policy's text.
      for (const img of selectAll("img", tree)) {
        expect(String(img.properties.src), path).toMatch(/^(logo\.(png|svg|jpg)$|data:image\/)/);
      }
      expect(selectAll("link, iframe, object, embed, base, video, audio, source", tree), path).toEqual([]);
      const css = selectAll("style", tree)
        .map((style) => (style.children[0] as { value: string }).value)
        .join("");
      for (const [, url] of css.matchAll(/url\(\s*["']?([^)"']*)/g)) {
        expect(url, path).toMatch(/^(data:image\/|ibm-plex-sans-[a-z-]+-\d00-(normal|italic)\.woff2$)/);
      }
      for (const element of selectAll("*", tree) as Element[]) {
        expect(
          Object.keys(element.properties).filter((key) => /^on/i.test(key)),
          path,
        ).toEqual([]);
      }
    }
  });

  it("ships the fonts once per pack, as plain files in the folder, its manifest and its zip, and the browser loads them", async () => {
    for (const org of ["afon-homecare", "gofal-tyr-ysgol"]) {
      const fonts = (await readdir(join(dir, "output", org))).filter((name) => name.endsWith(".woff2")).sort();
      expect(fonts).toEqual([
        "ibm-plex-sans-latin-400-normal.woff2",
        "ibm-plex-sans-latin-600-normal.woff2",
        "ibm-plex-sans-latin-700-normal.woff2",
        "ibm-plex-sans-latin-ext-400-normal.woff2",
        "ibm-plex-sans-latin-ext-600-normal.woff2",
        "ibm-plex-sans-latin-ext-700-normal.woff2",
      ]);
      const manifest = JSON.parse(await readFile(join(dir, "output", org, "manifest.json"), "utf8"));
      for (const font of fonts) expect(Object.keys(manifest.files)).toContain(font);
      const zip = unzipSync(await readFile(join(dir, "output", org, `${org}-policy-pack.zip`)));
      for (const font of fonts) expect(Object.keys(zip)).toContain(font);
      for (const path of pages.filter((p) => p.startsWith(`${org}/`))) {
        const html = await readFile(join(dir, "output", path), "utf8");
        expect(html, path).not.toContain("base64,d09G"); // no WOFF2 inlined
      }
    }
    const violations: string[] = [];
    const listen = (message: { text(): string }) => {
      if (/Content Security Policy|Refused/i.test(message.text())) violations.push(message.text());
    };
    page.on("console", listen);
    for (const path of pages) {
      await page.goto(`${server.url}${path}`);
      const loaded = await page.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].filter((font) => font.status === "loaded").map((font) => font.weight);
      });
      if (path !== "index.html") expect(loaded, path).toEqual(expect.arrayContaining(["400", "700"]));
    }
    page.off("console", listen);
    expect(violations).toEqual([]);
  });

  it("ships the logo once per pack, as a plain file in the folder, its manifest and its zip, and no page inlines it", async () => {
    for (const [org, source, name] of [
      ["afon-homecare", "afon-homecare.svg", "logo.png"],
      ["gofal-tyr-ysgol", "gofal-tyr-ysgol.png", "logo.png"],
    ] as const) {
      const sourceBytes = await readFile(join(REPO, "orgs", "logos", source));
      const files = await readdir(join(dir, "output", org));
      expect(files.filter((file) => file.startsWith("logo."))).toEqual([name]);
      const bytes = await readFile(join(dir, "output", org, name));
      // A PNG is published as it is; an SVG drawn as a PNG, never as an SVG file that could hold script.
      if (source.endsWith(".png")) expect(bytes.equals(sourceBytes)).toBe(true);
      else expect(bytes.subarray(1, 4).toString()).toBe("PNG");
      const manifest = JSON.parse(await readFile(join(dir, "output", org, "manifest.json"), "utf8"));
      expect(Object.keys(manifest.files)).toContain(name);
      const zip = unzipSync(await readFile(join(dir, "output", org, `${org}-policy-pack.zip`)));
      expect(Buffer.from(zip[name] ?? []).equals(bytes)).toBe(true);
      const inline = sourceBytes.toString("base64").slice(0, 64);
      for (const path of pages.filter((p) => p.startsWith(`${org}/`))) {
        const html = await readFile(join(dir, "output", path), "utf8");
        expect(html, path).not.toContain(inline);
        expect(html, path).not.toMatch(/data:image\/(png|svg\+xml|jpeg)/);
        const img = select(".org-header img", fromHtml(html));
        expect(img?.properties.src, path).toBe(name);
        expect(img?.properties.alt, path).toMatch(/ logo$|^Logo /);
      }
    }
  });

  it("shows the logo file on the pack page and a policy page, served and from disk, under the CSP", async () => {
    const shown = await browser.newPage();
    // Every CSP violation, whether or not Chromium also logs it.
    await shown.evaluateOnNewDocument(() => {
      const violations: string[] = [];
      (window as unknown as { violations: string[] }).violations = violations;
      document.addEventListener("securitypolicyviolation", (event) => {
        violations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const logged: string[] = [];
    shown.on("console", (message) => {
      if (/Content Security Policy|Refused/i.test(message.text())) logged.push(message.text());
    });
    for (const org of ["afon-homecare", "gofal-tyr-ysgol"]) {
      for (const path of [`${org}/index.html`, `${org}/DCW13-safeguarding-adults.html`]) {
        for (const url of [`${server.url}${path}`, `file://${join(dir, "output", path)}`]) {
          await shown.goto(url, { waitUntil: "load" });
          const state = await shown.evaluate(() => {
            const img = document.querySelector(".org-header img") as HTMLImageElement;
            const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content");
            return {
              complete: img.complete,
              naturalWidth: img.naturalWidth,
              src: img.getAttribute("src"),
              csp,
              violations: (window as unknown as { violations?: string[] }).violations ?? [],
            };
          });
          expect(state.src, url).toMatch(/^logo\.(svg|png)$/);
          expect(state.csp, url).toContain("img-src 'self' data:");
          expect(state.complete, url).toBe(true);
          expect(state.naturalWidth, url).toBeGreaterThan(0);
          expect(state.violations, url).toEqual([]);
        }
      }
    }
    expect(logged).toEqual([]);
    await shown.close();
  });

  it("works from 320 px up: no sideways scrolling, and the policy table stays inside its card", async () => {
    const narrow = await browser.newPage();
    for (const width of [320, 768, 1280]) {
      await narrow.setViewport({ width, height: 900 });
      for (const path of ["index.html", "gofal-tyr-ysgol/index.html", "afon-homecare/DCW13-safeguarding-adults.html"]) {
        await narrow.goto(`${server.url}${path}`);
        const { scrollWidth, clientWidth } = await narrow.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(scrollWidth, `${path} at ${width} px`).toBeLessThanOrEqual(clientWidth);
        const spill = await narrow.$$eval("table", (tables) =>
          tables.map((table) => {
            const card = (table.closest(".page") as HTMLElement).getBoundingClientRect();
            return Math.round(table.getBoundingClientRect().right - card.right);
          }),
        );
        for (const overflow of spill) expect(overflow, `${path} at ${width} px`).toBeLessThanOrEqual(0);
        // On a phone the version history is a card per version, not four columns a few letters wide.
        const cells = await narrow.$$eval(".version-history tbody th, .version-history tbody td", (all) =>
          all.map((cell) => Math.round(cell.getBoundingClientRect().width)),
        );
        if (width === 320 && path.endsWith("DCW13-safeguarding-adults.html")) {
          expect(cells.length).toBeGreaterThan(3);
          for (const cellWidth of cells) expect(cellWidth, `${path} at ${width} px`).toBeGreaterThan(250);
        }
      }
    }
    await narrow.close();
  });

  it("underlines cross-reference links on paper as on screen", async () => {
    await page.goto(`${server.url}afon-homecare/DCW13-safeguarding-adults.html`);
    await page.emulateMediaType("print");
    const look = await page.$eval('main a[href$=".html"]', (a) => {
      const style = getComputedStyle(a);
      return { line: style.textDecorationLine, color: style.color, body: getComputedStyle(document.body).color };
    });
    await page.emulateMediaType();
    expect(look.line).toBe("underline");
    expect(look.color).not.toBe(look.body);
  });

  it("axe-core finds no accessibility violation on any page", async () => {
    const source = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    const axePage = await browser.newPage();
    // The pages' CSP forbids injected scripts, as it should: the test alone lifts it.
    await axePage.setBypassCSP(true);
    // Every page at desktop width, and each kind of page again stacked for a phone.
    const runs = [
      ...pages.map((path) => ({ path, width: 1280 })),
      ...["index.html", "gofal-tyr-ysgol/index.html", "afon-homecare/DCW13-safeguarding-adults.html"].map((path) => ({
        path,
        width: 320,
      })),
    ];
    for (const { path, width } of runs) {
      await axePage.setViewport({ width, height: 900 });
      await axePage.goto(`${server.url}${path}`);
      await axePage.evaluate(source);
      const result = await axePage.evaluate(async () => {
        type Rule = { id: string; nodes: unknown[] };
        const axe = (window as unknown as { axe: { run(): Promise<{ violations: Rule[]; passes: Rule[] }> } }).axe;
        const { violations, passes } = await axe.run();
        return { violations: violations.map((v) => `${v.id} (${v.nodes.length})`), passes: passes.length };
      });
      expect(result.violations, `${path} at ${width} px`).toEqual([]);
      expect(result.passes, "axe ran its rules").toBeGreaterThan(10);
    }
    await axePage.close();
  });

  it("html-validate finds no error on any page", async () => {
    // Long titles are the library's own policy titles; the rule is about search results, not conformance.
    const validator = new HtmlValidate({ extends: ["html-validate:recommended"], rules: { "long-title": "off" } });
    for (const path of pages) {
      const report = await validator.validateString(await readFile(join(dir, "output", path), "utf8"), path);
      const errors = report.results.flatMap((result) =>
        result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message} (${m.line}:${m.column})`),
      );
      expect(errors, path).toEqual([]);
    }
  });
});
