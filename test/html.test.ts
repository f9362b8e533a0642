import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Element, Root as HastRoot } from "hast";
import { fromHtml } from "hast-util-from-html";
import { selectAll } from "hast-util-select";
import { toText } from "hast-util-to-text";
import { h } from "hastscript";
import { HtmlValidate } from "html-validate";
import type { Root } from "mdast";
import type { Browser } from "puppeteer-core";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logoFile, packFontFiles } from "../src/render/html/files.ts";
import { byUrgency, FILTER_SCRIPT, type PackEntry, renderPackPage, urgency } from "../src/render/html/pack-page.ts";
import { policyPage, renderHtml, standalonePage, toHtml } from "../src/render/html/page.ts";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import {
  type CalendarDate,
  DEFAULT_THEME,
  type Org,
  type Policy,
  type PolicyDocument,
  type Review,
} from "../src/types.ts";
import { launchTestBrowser, orgYaml, runCli, workspace } from "./helpers.ts";

const BUILD_DATE: CalendarDate = { year: 2026, month: 11, day: 24 };
const REVIEW: Review = {
  lastReviewed: { year: 2026, month: 1, day: 15 },
  nextReview: { year: 2027, month: 1, day: 15 },
  status: "current",
};
const ORG: Org = {
  id: "test-care",
  file: "orgs/test-care.yaml",
  data: { name: "Test Care Ltd", registration_no: "SIN-1", registered_manager_first_name: "Ann" },
  positions: { keys: {}, values: {} },
};
const POLICY: Policy = {
  file: "policies/DCW1-test.md",
  code: "DCW1",
  title: "Test Policy",
  version: "1.0",
  language: "en",
  reviewMonths: 12,
  status: "approved",
  history: [],
  slug: "DCW1-test",
  body: "",
  bodyLine: 1,
};

const parse = (markdown: string) =>
  unified().use(remarkParse).use(remarkGfm).runSync(unified().use(remarkParse).use(remarkGfm).parse(markdown)) as Root;
const doc = (markdown: string): PolicyDocument => ({
  org: ORG,
  theme: DEFAULT_THEME,
  policy: POLICY,
  review: REVIEW,
  buildDate: BUILD_DATE,
  tree: parse(markdown),
});
const article = (html: string) => selectAll("article", fromHtml(html))[0] as Element;
const hrefs = (root: Element | HastRoot) => selectAll("a[href]", root).map((a) => String(a.properties.href));

describe("published HTML: values are data, links and images are safe", () => {
  it("escapes < > & and quotes in attribute values as well as text, and splices nothing into the output", () => {
    const payload = `/*<policypack-fonts>*/"><script>x()</script>&`;
    const html = toHtml(
      standalonePage(payload, payload, "", [h("p", { title: payload }, payload)], {
        theme: DEFAULT_THEME,
        language: "en",
      }),
    );
    expect(html).not.toContain("<script");
    expect(html).not.toContain("/*<policypack");
    expect(html).toContain('content="/*&lt;policypack-fonts&gt;*/&quot;&gt;&lt;script&gt;x()&lt;/script&gt;&amp;"');
    const tree = fromHtml(html);
    expect(selectAll("script", tree)).toHaveLength(0);
    expect(selectAll("p", tree)[0]?.properties.title).toBe(payload);
  });

  it("refuses a <style> or <script> whose text could close the element", () => {
    expect(() =>
      toHtml(standalonePage("t", "a", "p{}</style><script>x()</script>", [], { theme: DEFAULT_THEME, language: "en" })),
    ).toThrow(/must not contain markup/);
  });

  it("keeps http, https, mailto, tel and relative links, and turns every other scheme into plain text", () => {
    const markdown = [
      "[web](https://example.org/a) [plain](http://example.org) [mail](mailto:a@example.org) [call](tel:+441234) [sibling](DCW2-x.html) [anchor](#s2)",
      "",
      "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](<  javascript:alert(1)>) [d](&#106;avascript:alert(1))",
      "[e](data:text/html,<script>alert(1)</script>) [f](vbscript:msgbox) [g](<java\tscript:alert(1)>) <javascript:alert(1)>",
      "[j](//evil.example/x) [k](/etc/passwd) [l](<  \\\\host\\share>)",
      "",
      "[h][evil] [i][good]",
      "",
      "[evil]: javascript:alert(1)",
      "[good]: https://example.org/good",
    ].join("\n");
    const body = article(renderHtml(doc(markdown)));
    expect(hrefs(body)).toEqual([
      "https://example.org/a",
      "http://example.org",
      "mailto:a@example.org",
      "tel:+441234",
      "DCW2-x.html",
      "#s2",
      "https://example.org/good",
    ]);
    // The unsafe ones are still there as words, just not as links.
    expect(toText(body)).toMatch(/a b c d\se f g javascript:alert\(1\)\sj k l\s+h i/);
  });

  it("keeps only data: images; a remote or relative image becomes its alt text", () => {
    const png = "data:image/png;base64,iVBORw0KGgo=";
    const body = article(
      renderHtml(
        doc(
          `![tracker](https://evil.example/t.gif) ![local](x.png) ![logo](${png}) ![ref][r]\n\n[r]: http://evil.example/r.png`,
        ),
      ),
    );
    expect(selectAll("img", body).map((img) => img.properties.src)).toEqual([png]);
    expect(toText(body)).toContain("tracker local");
  });

  it("puts a CSP in every page: no network, no script but the page's own, pinned by hash", () => {
    const policyPage = fromHtml(renderHtml(doc("Text")));
    const csp = (tree: HastRoot) =>
      String(selectAll('meta[http-equiv="Content-Security-Policy"]', tree)[0]?.properties.content);
    expect(csp(policyPage)).toMatch(/default-src 'none'/);
    expect(csp(policyPage)).toMatch(/script-src 'none'/);
    expect(csp(policyPage)).toMatch(/img-src 'self' data:;/);
    const withScript = fromHtml(
      toHtml(standalonePage("t", "a", "", [h("script", FILTER_SCRIPT)], { theme: DEFAULT_THEME, language: "en" })),
    );
    expect(csp(withScript)).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp(withScript)).not.toContain("unsafe-inline");
  });

  it("shows the logo from the pack's logo file on a web page, and as a data: URI only when printing", () => {
    const logo = { mediaType: "image/png", dataUri: "data:image/png;base64,iVBORw0KGgo=" };
    const org = { ...ORG, logo };
    // As <<org_field_logo>> leaves it in the text, too.
    const tree = parse("Our logo: ![Test Care Ltd logo](data:image/png;base64,iVBORw0KGgo=)");
    const logoDoc: PolicyDocument = { ...doc(""), org, tree };
    const web = fromHtml(renderHtml(logoDoc));
    expect(selectAll("img", web).map((img) => [img.properties.src, img.properties.alt])).toEqual([
      ["logo.png", "Test Care Ltd logo"],
      ["logo.png", "Test Care Ltd logo"],
    ]);
    expect(toHtml(web)).not.toContain("data:image");
    const pack = fromHtml(renderPackPage(org, [], {}, BUILD_DATE, DEFAULT_THEME));
    expect(selectAll("img", pack).map((img) => img.properties.src)).toEqual(["logo.png"]);
    const printed = fromHtml(toHtml(policyPage(logoDoc, { css: "", href: () => "#" })));
    expect(selectAll("img", printed).map((img) => img.properties.src)).toEqual([logo.dataUri, logo.dataUri]);
    expect(logoFile(logo)).toEqual({ name: "logo.png", data: Buffer.from("iVBORw0KGgo=", "base64") });
    expect(logoFile({ ...logo, mediaType: "image/jpeg" })?.name).toBe("logo.jpg");
  });

  it("publishes an SVG logo drawn as a PNG, so a script inside it never reaches a file of the pack", () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" onload="alert(1)"><script>alert(2)</script><rect width="200" height="60" fill="#0f4c5c"/></svg>`;
    const file = logoFile({
      mediaType: "image/svg+xml",
      dataUri: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`,
    });
    expect(file?.name).toBe("logo.png");
    const png = Buffer.from(file?.data ?? []);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.toString("latin1")).not.toContain("alert");
    // Drawn for its largest size on a page (192 × 56 CSS px) at print resolution: sharp on any screen.
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(2 * 56 * (200 / 60));
  });

  it("links a policy page to its pack and to the PDF and Word files it is given", () => {
    const nav = (html: string) => hrefs(selectAll("nav", fromHtml(html))[0] as Element);
    expect(nav(renderHtml(doc("Text"), { pdf: "DCW1-test.pdf", docx: "DCW1-test.docx" }))).toEqual([
      "index.html",
      "DCW1-test.pdf",
      "DCW1-test.docx",
    ]);
    expect(nav(renderHtml(doc("Text")))).toEqual(["index.html"]);
  });

  it("prints PDFs without the web font files or the pack links (Chromium prints with fontconfig's fonts)", () => {
    const printed = toHtml(
      policyPage(doc("Some *emphasis*"), { css: "", href: (x) => `#${x.code}` }, { pdf: "a.pdf" }),
    );
    expect(printed).not.toContain("woff2");
    expect(printed).not.toContain("@font-face");
    expect(printed).not.toContain("a.pdf");
  });

  it("links the italic font only on a page with emphasis", async () => {
    expect(renderHtml(doc("Plain text"))).not.toContain("italic");
    expect(renderHtml(doc("Some *emphasis*"))).toContain("ibm-plex-sans-latin-400-italic.woff2");
    const names = async (body: string) =>
      (await packFontFiles([{ ...POLICY, body }], DEFAULT_THEME)).map((font) => font.name);
    expect(await names("Plain text, <<org_field_name>>")).not.toContain("ibm-plex-sans-latin-400-italic.woff2");
    expect(await names("Some _emphasis_")).toEqual(
      expect.arrayContaining(["ibm-plex-sans-latin-400-italic.woff2", "ibm-plex-sans-latin-ext-400-italic.woff2"]),
    );
  });

  it("gives a pack the italic fonts when a policy of it has emphasis, as the check found, whether or not it was cached", async () => {
    // Emphasis in one Welsh translation only: the bilingual pack has it, the English one not.
    const dir = await workspace();
    const welsh = join(dir, "policies", "cy", "DCW38-using-social-media-platforms.md");
    await writeFile(welsh, (await readFile(welsh, "utf8")).replace("bob blwyddyn", "bob *blwyddyn*"));
    const italic = async (org: string) =>
      (await readdir(join(dir, "output", org))).filter((name) => name.endsWith("-italic.woff2")).sort();
    // The first build checks the bodies (or finds them cached by another test); --force builds again from the cache.
    for (const args of [[], ["--force"]]) {
      const run = await runCli(["build", "--as-of", "2026-11-24", "--format", "html", ...args], dir);
      expect(run.code, run.stderr).toBe(0);
      expect(await italic("gofal-tyr-ysgol")).toEqual([
        "ibm-plex-sans-latin-400-italic.woff2",
        "ibm-plex-sans-latin-ext-400-italic.woff2",
      ]);
      expect(await italic("afon-homecare")).toEqual([]);
    }
  });
});

describe("every Markdown construct makes valid HTML", () => {
  it("footnotes, aligned tables, task lists, code, quotes, images and breaks pass html-validate", async () => {
    const markdown = [
      "## 1. Section",
      "",
      "Text with a note[^1], `code`, *emphasis*, ~~struck~~ and a hard  ",
      "break. A link: https://example.org.",
      "",
      "| Left | Centre | Right |",
      "| :--- | :----: | ----: |",
      "| a | b | c |",
      "",
      "- [ ] to do",
      "- [x] done",
      "",
      "1. one",
      "2. two",
      "",
      "> A quote",
      "",
      "```",
      "a block",
      "```",
      "",
      "---",
      "",
      "![alt](https://example.org/x.png)",
      "",
      "[^1]: The note.",
    ].join("\n");
    const validator = new HtmlValidate({ extends: ["html-validate:recommended"] });
    const report = await validator.validateString(renderHtml(doc(markdown), { pdf: "a.pdf" }));
    const errors = report.results.flatMap((r) =>
      r.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`),
    );
    expect(errors).toEqual([]);
  });
});

describe("urgency on the pack page", () => {
  const entry = (code: string, next: CalendarDate, status: Review["status"]): PackEntry => ({
    policy: { ...POLICY, code },
    review: { lastReviewed: REVIEW.lastReviewed, nextReview: next, status },
    files: {},
  });
  it("puts the most overdue first, then the soonest due, then the rest by code", () => {
    const entries = [
      entry("DCW10", { year: 2027, month: 6, day: 1 }, "current"),
      entry("DCW2", { year: 2027, month: 6, day: 1 }, "current"),
      entry("DCW5", { year: 2026, month: 12, day: 20 }, "due"),
      entry("DCW7", { year: 2026, month: 11, day: 20 }, "overdue"),
      entry("DCW6", { year: 2026, month: 12, day: 1 }, "due"),
      entry("DCW9", { year: 2026, month: 10, day: 1 }, "overdue"),
    ];
    expect(byUrgency(entries).map((e) => e.policy.code)).toEqual(["DCW9", "DCW7", "DCW6", "DCW5", "DCW2", "DCW10"]);
    expect(entries.map((e) => urgency(e.review, BUILD_DATE))).toEqual([
      undefined,
      undefined,
      "due in 26 days",
      "4 days overdue",
      "due in 7 days",
      "54 days overdue",
    ]);
    expect(urgency(entry("X", { year: 2026, month: 11, day: 23 }, "overdue").review, BUILD_DATE)).toBe("1 day overdue");
    // On the page: the overdue rows first, marked, with their countdown.
    const page = fromHtml(renderPackPage(ORG, entries, {}, BUILD_DATE, DEFAULT_THEME));
    const rows = selectAll("#policies tbody tr", page).map((tr) => [
      String((tr.properties.className as string[] | undefined)?.join(" ") ?? ""),
      toText(selectAll("td", tr)[4] as Element).replace(/\s+/g, " "),
    ]);
    expect(rows.slice(0, 3)).toEqual([
      ["row-overdue", "Overdue 54 days overdue"],
      ["row-overdue", "Overdue 4 days overdue"],
      ["row-due", "Due for review due in 7 days"],
    ]);
    expect(urgency(entry("X", BUILD_DATE, "due").review, BUILD_DATE)).toBe("due today");
  });
});

// Every value of this organisation is a payload that would run script if it ever became markup.
const PAYLOADS = {
  name: `/*<policypack-fonts>*/</style><script>window.pwned="name"</script>`,
  registration_no: `"><img src=x onerror="window.pwned='reg'">`,
  registered_manager_first_name: `</title><script>document.title="pwned"</script>`,
  registered_manager_last_name: `<svg onload="window.pwned='svg'"></svg>`,
  responsible_individual_name: `'><a href="javascript:window.pwned='a'">x</a>`,
  safeguarding_lead_name: `<iframe srcdoc="<script>parent.pwned='iframe'</script>"></iframe>`,
  data_protection_lead_name: `DCW31 <<org_field_name>> [x](javascript:window.pwned='md') **bold**`,
  local_authority: `<!--<script>window.pwned="comment"</script>-->`,
  address: `<style>body{display:none}</style><base href="http://evil.example/">`,
  phone: `<script>window.pwned='phone'</script>`, // the schema allows 50 characters
};

describe("a hostile organisation's pack in Chromium, with JavaScript on", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let profile: string;

  beforeAll(async () => {
    const yaml = orgYaml(
      Object.fromEntries(Object.entries(PAYLOADS).map(([key, value]) => [key, JSON.stringify(value)])),
    );
    dir = await workspace({ "orgs/hostile.yaml": yaml });
    const run = await runCli(["build", "--format", "html", "--as-of", "2026-11-24"], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    server = await startServer({ root: join(dir, "output"), port: 0 });
    ({ browser, profile } = await launchTestBrowser("html"));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("runs no script but the pack page's filter, on every page of the pack and the overview", async () => {
    const pages = [
      "index.html",
      ...(await readdir(join(dir, "output", "hostile")))
        .filter((name) => name.endsWith(".html"))
        .map((name) => `hostile/${name}`),
    ];
    expect(pages.length).toBeGreaterThan(6);
    const page = await browser.newPage();
    for (const path of pages) {
      // Open both from the server (CSP header and meta) and from disk (the meta alone).
      for (const url of [`${server.url}${path}`, `file://${join(dir, "output", path)}`]) {
        await page.goto(url, { waitUntil: "load" });
        const state = await page.evaluate(() => ({
          pwned: (window as unknown as { pwned?: string }).pwned,
          title: document.title,
          scripts: [...document.scripts].map((s) => s.textContent),
          handlers: [...document.querySelectorAll("*")].flatMap((e) =>
            [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`),
          ),
          frames: document.querySelectorAll("iframe, base, svg, object, embed").length,
          jsLinks: [...document.querySelectorAll("a")].filter((a) => /^javascript:/i.test(a.href)).length,
        }));
        expect(state.pwned, url).toBeUndefined();
        expect(state.title, url).not.toBe("pwned");
        expect(state.scripts, url).toEqual(path === "hostile/index.html" ? [FILTER_SCRIPT] : []);
        expect(state.handlers, url).toEqual([]);
        expect(state.frames, url).toBe(0);
        expect(state.jsLinks, url).toBe(0);
      }
    }
    // The values are there, as text.
    await page.goto(`${server.url}hostile/index.html`);
    expect(await page.$eval(".org-name", (p) => p.textContent)).toBe(PAYLOADS.name);
    expect(await page.title()).toBe(`Policy pack – ${PAYLOADS.name}`);
    await page.close();
  });

  it("keeps the filter working under the CSP: the hash-pinned script runs", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}hostile/index.html`);
    expect(await page.$eval("#filter-form", (form) => (form as HTMLElement).hidden)).toBe(false);
    await page.close();
  });

  it("fits a policy page with wide content into 320 px: long words and links, a wide table, a long code line", async () => {
    const wide = [
      `A ${"very".repeat(40)}longword and https://example.org/${"path/".repeat(30)}`,
      "",
      `| ${Array.from({ length: 9 }, (_, i) => `Column heading ${i}`).join(" | ")} |`,
      `|${" --- |".repeat(9)}`,
      `| ${Array.from({ length: 9 }, () => "cell text here").join(" | ")} |`,
      "",
      "```",
      "x".repeat(300),
      "```",
    ].join("\n");
    const page = await browser.newPage();
    await page.setViewport({ width: 320, height: 800 });
    // A long value squeezes the document control's label column.
    const long = "Social Care Wales Code of Professional Practice for Social Care Workers in force 1 July 2026";
    const squeezed = { ...doc(wide), org: { ...ORG, data: { ...ORG.data, responsible_individual_name: long } } };
    await page.setContent(renderHtml(squeezed, { pdf: "a.pdf", docx: "a.docx" }));
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    // The document control's labels keep their words whole: each word fits its cell's width.
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll(".doc-control th")].flatMap((th) => {
        const cell = th as HTMLElement;
        const width = cell.clientWidth - Number.parseFloat(getComputedStyle(cell).paddingLeft) * 2;
        return (cell.textContent ?? "").split(/\s+/).filter((word) => {
          const probe = document.createElement("span");
          probe.textContent = word;
          probe.style.whiteSpace = "nowrap";
          cell.append(probe);
          const wider = probe.getBoundingClientRect().width > width + 0.5;
          probe.remove();
          return wider;
        });
      }),
    );
    expect(broken).toEqual([]);
    await page.close();
  });

  it("serves the raw bytes with every value escaped, in attributes as well as text", async () => {
    const html = await readFile(join(dir, "output", "hostile", "index.html"), "utf8");
    expect(html).not.toContain("<script>window");
    expect(html).not.toContain("/*<policypack");
    expect(html).toContain(`<meta name="author" content="/*&lt;policypack-fonts&gt;*/&lt;/style&gt;`);
  });
});
