import { execFileSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFPage,
  PDFRef,
  PDFStream,
  PDFString,
} from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { findBrowser } from "../src/render/pdf/browser.ts";
import { PdfEngine } from "../src/render/pdf/engine.ts";
import { bookmarks, bookmarkTitle } from "../src/render/pdf/layout.ts";
import { orgYaml, policyMd, REPO, runCli, workspace } from "./helpers.ts";
import { lastBodyLine, pageLines } from "./pdf-pages.ts";
import {
  crossReferenceCheck,
  linkAnnotations,
  loadPdfFile,
  markedCounts,
  parentLinkMismatches,
  parentTreeMismatches,
  structure,
  text,
  untagged,
  xmp,
} from "./pdf-read.ts";

const pdftotext = (file: string, page: number) =>
  execFileSync("pdftotext", ["-layout", "-f", String(page), "-l", String(page), file, "-"], { encoding: "utf8" });
const pdfinfo = (file: string) =>
  Object.fromEntries(
    execFileSync("pdfinfo", [file], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.includes(":"))
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
  );

/** Bookmarks as [title, page] pairs, depth first. */
async function outline(file: string): Promise<[string, number][]> {
  const doc = await PDFDocument.load(await readFile(file));
  const pageOf = new Map(doc.getPages().map((page, i) => [page.ref.toString(), i + 1]));
  return [...bookmarks(doc)].map((item) => {
    const ref = item.lookupMaybe(PDFName.of("Dest"), PDFArray)?.get(0);
    return [bookmarkTitle(item) ?? "", ref instanceof PDFRef ? (pageOf.get(ref.toString()) ?? 0) : 0];
  });
}

/** What the page's drawn number (a form) draws with: the reference to its resources. */
function numberFormResources(page: PDFPage): string {
  const xobjects = page.node.Resources()?.lookup(PDFName.of("XObject"), PDFDict);
  const form = xobjects?.lookup(PDFName.of("PolicypackPageNumber"), PDFStream);
  return String(form?.dict.get(PDFName.of("Resources")));
}

/** [page, action] of every link annotation; a jump inside the document (action or /Dest, by name or not) is "/GoTo page N". */
async function links(file: string): Promise<[number, string][]> {
  const doc = await PDFDocument.load(await readFile(file));
  const named = doc.catalog.lookupMaybe(PDFName.of("Dests"), PDFDict);
  const pageOf = (dest: unknown) => {
    const isName = dest instanceof PDFName || dest instanceof PDFString || dest instanceof PDFHexString;
    const resolved = isName ? named?.lookup(PDFName.of(dest.decodeText())) : dest;
    const ref = (resolved instanceof PDFRef ? doc.context.lookup(resolved) : resolved) as PDFArray | undefined;
    const page = ref instanceof PDFArray ? ref.get(0) : undefined;
    return doc.getPages().findIndex((p) => p.ref === page) + 1;
  };
  return doc.getPages().flatMap((page, i) => {
    const annots = page.node.lookupMaybe(PDFName.of("Annots"), PDFArray);
    return Array.from({ length: annots?.size() ?? 0 }, (_, j): [number, string] => {
      const annot = annots?.lookup(j, PDFDict) as PDFDict;
      const action = annot.lookupMaybe(PDFName.of("A"), PDFDict);
      const file = action?.lookupMaybe(PDFName.of("F"), PDFString)?.decodeText();
      if (file) return [i + 1, `${action?.get(PDFName.of("S"))} ${file}`];
      const dest = annot.get(PDFName.of("Dest")) ?? action?.get(PDFName.of("D"));
      return [i + 1, dest ? `/GoTo page ${pageOf(dest)}` : `${action?.get(PDFName.of("S"))}`];
    });
  });
}

/** "Page N of M" on every page of the manual, contents giving the page each policy's title is on, and bookmarks that open where they say. */
async function expectManualNumberedAndListed(pack: string, org: string) {
  const file = join(pack, `${org}-policy-pack.pdf`);
  const pages = Number(pdfinfo(file).Pages);
  const texts = Array.from({ length: pages }, (_, i) => pdftotext(file, i + 1));
  const cover = texts[0] as string;
  expect(cover).toContain("Policy pack");
  expect(cover).toContain(org === "afon-homecare" ? "SIN-00012345-WXYZ" : "SIN-00067890-ABCD");
  expect(cover).toContain("24 November 2026");
  for (const [i, text] of texts.entries()) expect(text, `${org} page ${i + 1}`).toContain(`Page ${i + 1} of ${pages}`);
  const entries = [...(texts[1] as string).matchAll(/^(DCW\d+)\s+(.+?)\s+(\d+)$/gm)].map((m) => ({
    code: m[1] as string,
    title: m[2] as string,
    page: Number(m[3]),
  }));
  expect(entries.length).toBe(6);
  const squashed = texts.map((text) => text.replace(/\s+/g, " "));
  for (const entry of entries) {
    // The policy's own title block is on that page, and on no other.
    const starts = squashed.flatMap((text, i) =>
      text.includes(`${entry.code} · `) && text.includes("DOCUMENT CONTROL") ? [i + 1] : [],
    );
    expect(starts, entry.code).toEqual([entry.page]);
    expect(squashed[entry.page - 1]).toContain(entry.title);
    // Each policy keeps its own footer: code, version and review date.
    expect(texts[entry.page - 1]).toMatch(new RegExp(`${entry.code} · version \\S+ · next review`));
  }
  const marks = await outline(file);
  for (const entry of entries) expect(marks).toContainEqual([entry.title, entry.page]);
  expect(marks.slice(0, 2)).toEqual([
    ["Policy pack", 1],
    ["Contents", 2],
  ]);
  // Every bookmark says what is printed on the page it opens.
  for (const [title, page] of marks) {
    expect(texts[page - 1]?.replace(/\s+/g, ""), `${org} bookmark "${title}"`).toContain(title.replace(/\s+/g, ""));
  }
  expect(marks).toContainEqual(["1. Purpose", (entries[0] as { page: number }).page]);
}

/** Each policy's own PDF in the manual page for page, where the contents say, numbered again there. */
async function expectManualMadeOfItsPolicies(pack: string, org: string) {
  const manual = join(pack, `${org}-policy-pack.pdf`);
  const total = Number(pdfinfo(manual).Pages);
  const entries = [...pdftotext(manual, 2).matchAll(/^\s*(DCW\d+)\s+.+?\s+(\d+)$/gm)];
  expect(entries.length).toBe(6);
  const files = (await readdir(pack)).filter((name) => /^DCW\d+-.*\.pdf$/.test(name));
  const withoutNumber = (text: string) => text.replace(/Page \d+ of \d+/, "").replace(/\s+/g, " ");
  let next = 3; // after the cover and the contents
  for (const [, code, start] of entries) {
    const own = join(pack, files.find((name) => name.startsWith(`${code}-`)) as string);
    const pages = Number(pdfinfo(own).Pages);
    expect(Number(start), code).toBe(next);
    for (let page = 1; page <= pages; page++) {
      const inManual = pdftotext(manual, next + page - 1);
      expect(withoutNumber(inManual), `${code} page ${page}`).toBe(withoutNumber(pdftotext(own, page)));
      expect(pdftotext(own, page)).toContain(`Page ${page} of ${pages}`);
      expect(inManual).toContain(`Page ${next + page - 1} of ${total}`);
    }
    next += pages;
  }
  expect(next - 1).toBe(total);
}

describe("PDF output", () => {
  let out: string;
  beforeAll(async () => {
    const dir = await workspace();
    const run = await runCli(["build", "--as-of", "2026-11-24", "--format", "html,pdf"], dir, {
      ...process.env,
      NO_COLOR: "1",
    });
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    out = join(dir, "output");
  });

  it("prints each policy on A4, tagged, with its properties and the org, page and review date on every page", async () => {
    const file = join(out, "gofal-tyr-ysgol", "DCW13-safeguarding-adults.pdf");
    const info = pdfinfo(file);
    // A4 is 595.28 × 841.89 pt; pdfinfo names the size itself.
    const [width, height] = (info["Page size"] as string).split(" x ").map(parseFloat);
    expect(Math.abs((width as number) - 595.28)).toBeLessThan(1);
    expect(Math.abs((height as number) - 841.89)).toBeLessThan(1);
    expect(info["Page size"]).toContain("(A4)");
    expect(info.Tagged).toBe("yes");
    expect(info.Title).toBe("Safeguarding Adults from Abuse and Improper Treatment Policy");
    expect(info.Author).toBe("Gofal Tŷ'r Ysgol & Partners");
    expect(info.Subject).toContain("DCW13");
    const pages = Number(info.Pages);
    expect(pages).toBeGreaterThan(2);
    for (let page = 1; page <= pages; page++) {
      const text = pdftotext(file, page);
      expect(text, `page ${page}`).toContain("Gofal Tŷ'r Ysgol & Partners");
      expect(text, `page ${page}`).toMatch(new RegExp(`Page ${page} of ${pages}\\s*$`));
      expect(text, `page ${page}`).toContain("DCW13 · version 1.0 · next review 15 December 2026");
    }
  });

  it("embeds the project's font and nothing else", () => {
    const fonts = execFileSync("pdffonts", [join(out, "afon-homecare", "DCW38-using-social-media-platforms.pdf")], {
      encoding: "utf8",
    })
      .split("\n")
      .slice(2)
      .filter(Boolean);
    expect(fonts.length).toBeGreaterThan(1);
    for (const font of fonts) expect(font).toMatch(/^[A-Z]{6}\+IBMPlexSans-\S+ .* yes yes yes /);
  });

  it("has a bookmark for the title and every section, with the heading's exact text", async () => {
    const marks = (await outline(join(out, "afon-homecare", "DCW13-safeguarding-adults.pdf"))).map(([title]) => title);
    expect(marks[0]).toBe("Safeguarding Adults from Abuse and Improper Treatment Policy");
    expect(marks).toContain("1. Purpose");
    expect(marks).toContain("Referenced by");
  });

  it("makes a combined manual numbered Page N of M throughout, whose contents give the page each policy's title is on", async () => {
    for (const org of ["afon-homecare", "gofal-tyr-ysgol"]) await expectManualNumberedAndListed(join(out, org), org);
  });

  it("puts each policy's own PDF into the manual page for page, numbered again there", async () => {
    await expectManualMadeOfItsPolicies(join(out, "afon-homecare"), "afon-homecare");
  });

  it("ends no page of the example packs with a heading or a line that introduces a list", async () => {
    const headings = new Set(["Referenced by", "Contents", "Cyfeirir ato gan", "Cynnwys"]);
    const sources = (await readdir(join(REPO, "policies"), { recursive: true })).filter((name) => name.endsWith(".md"));
    for (const name of sources) {
      for (const line of (await readFile(join(REPO, "policies", name), "utf8")).split("\n")) {
        if (/^#{2,4} /.test(line)) headings.add(line.replace(/^#+ /, "").trim());
      }
    }
    let pages = 0;
    for (const org of ["afon-homecare", "gofal-tyr-ysgol"]) {
      for (const file of (await readdir(join(out, org))).filter((f) => f.endsWith(".pdf"))) {
        for (const [i, page] of pageLines(join(out, org, file)).entries()) {
          const last = lastBodyLine(page)?.text ?? "";
          expect(headings.has(last), `${org}/${file} page ${i + 1} ends with heading "${last}"`).toBe(false);
          expect(last, `${org}/${file} page ${i + 1}`).not.toMatch(/:$/);
          pages++;
        }
      }
    }
    expect(pages).toBeGreaterThan(100);
  });

  it("shows cross-references as links on paper: the link's area is drawn in the accent colour and underlined", async () => {
    const file = join(out, "afon-homecare", "DCW38-using-social-media-platforms.pdf");
    const doc = await loadPdfFile(file);
    const link = linkAnnotations(doc).find((l) => l.contents?.startsWith("Go to DCW13 "));
    expect(link).toBeDefined();
    const { page, rect } = link as { page: number; rect: number[] };
    const [x1, y1, x2, y2] = rect as [number, number, number, number];
    const height = doc.getPage(page - 1).getHeight();
    // Render just the link's box at 4 pixels per point, as a PPM: width height, then RGB bytes.
    const scale = 4;
    const box = [x1, height - y2, x2 - x1, y2 - y1].map((v) => String(Math.round(v * scale)));
    const ppm = execFileSync("pdftoppm", [
      "-r",
      String(72 * scale),
      "-f",
      String(page),
      "-l",
      String(page),
      "-x",
      box[0],
      "-y",
      box[1],
      "-W",
      box[2],
      "-H",
      box[3],
      file,
    ]);
    const [, w, h] = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString("latin1", 0, 30)) as RegExpExecArray;
    const pixels = ppm.subarray(ppm.length - Number(w) * Number(h) * 3);
    const at = (x: number, y: number) => pixels.subarray((y * Number(w) + x) * 3, (y * Number(w) + x) * 3 + 3);
    // The accent (#0f4c5c) is blue-green; body text (#1d2730) is near grey.
    const accent = (p: Uint8Array) =>
      (p[2] as number) - (p[0] as number) > 40 && (p[1] as number) - (p[0] as number) > 25;
    let accentPixels = 0;
    let underline = false;
    for (let y = 0; y < Number(h); y++) {
      let row = 0;
      for (let x = 0; x < Number(w); x++) if (accent(at(x, y))) row++;
      accentPixels += row;
      if (y > Number(h) / 2 && row > 0.8 * Number(w)) underline = true;
    }
    expect(accentPixels).toBeGreaterThan(50);
    expect(underline).toBe(true);
  });

  describe("PDF/UA-1 in every PDF of the example packs", () => {
    let files: string[];
    beforeAll(async () => {
      files = (
        await Promise.all(
          ["afon-homecare", "gofal-tyr-ysgol"].map(async (org) =>
            (await readdir(join(out, org))).filter((f) => f.endsWith(".pdf")).map((f) => join(out, org, f)),
          ),
        )
      ).flat();
      // Afon's 6 policies and manual; Gofal's in Welsh and English: 12 policies, 2 manuals, 2 read-and-sign files.
      expect(files.length).toBe(23);
    });
    const PAINTING = ["Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"];

    it("leaves no page content untagged: the running header and footer are artifacts", async () => {
      for (const file of files) {
        const doc = await loadPdfFile(file);
        for (const page of untagged(doc)) {
          expect(
            page.ops.filter((op) => PAINTING.includes(op)),
            `${file} page ${page.page}`,
          ).toEqual([]);
        }
        const counts = markedCounts(doc);
        // Every page has its running header and footer as an artifact, and real text tagged.
        expect(counts.artifacts, file).toBeGreaterThanOrEqual(doc.getPageCount());
        expect(counts.text, file).toBeGreaterThan(100);
      }
    });

    it("declares itself: catalog /Lang, /MarkInfo, the title shown, XMP with pdfuaid:part 1 matching the Info dictionary", async () => {
      for (const file of files) {
        const doc = await loadPdfFile(file);
        const catalog = doc.catalog;
        expect(text(catalog.lookup(PDFName.of("Lang"))), file).toBe(file.includes(".cy.") ? "cy" : "en-GB");
        expect(String(catalog.lookup(PDFName.of("MarkInfo"), PDFDict).get(PDFName.of("Marked")))).toBe("true");
        const prefs = catalog.lookup(PDFName.of("ViewerPreferences"), PDFDict);
        expect(String(prefs.get(PDFName.of("DisplayDocTitle")))).toBe("true");
        expect(catalog.has(PDFName.of("StructTreeRoot"))).toBe(true);
        const meta = xmp(doc) ?? "";
        expect(meta, file).toContain("<pdfuaid:part>1</pdfuaid:part>");
        const title = doc.getTitle() as string;
        const escaped = title.replace(/&/g, "&amp;").replace(/</g, "&lt;");
        expect(meta).toContain(
          `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escaped}</rdf:li></rdf:Alt></dc:title>`,
        );
        expect(meta).toContain(`<pdf:Producer>${doc.getProducer()}</pdf:Producer>`);
        const iso = (doc.getCreationDate() as Date).toISOString().replace(".000Z", "Z");
        expect(meta).toContain(`<xmp:CreateDate>${iso}</xmp:CreateDate>`);
      }
      // An organisation name with "&" is escaped in the XML, not left to break it.
      const manual = await loadPdfFile(join(out, "gofal-tyr-ysgol", "gofal-tyr-ysgol-policy-pack.pdf"));
      expect(xmp(manual)).toContain("<rdf:li>Gofal Tŷ'r Ysgol &amp; Partners</rdf:li>");
    });

    it("gives every list item a label and a body, and keeps the parent tree pointing at the right elements", async () => {
      for (const file of files) {
        const doc = await loadPdfFile(file);
        const elements = structure(doc);
        const items = elements.filter((e) => e.role === "LI");
        // The read-and-sign sheets are a table to sign on each page: no lists, no links.
        if (!/-read-and-sign(\.cy)?\.pdf$/.test(file)) expect(items.length, file).toBeGreaterThan(5);
        for (const item of items) expect(["Lbl,LBody", "LBody"]).toContain(item.kids.join());
        expect(parentTreeMismatches(doc), file).toEqual([]);
        expect(parentLinkMismatches(doc), file).toEqual([]);
        for (const figure of elements.filter((e) => e.role === "Figure")) {
          expect(text(figure.elem.lookup(PDFName.of("Alt"))), file).toBeTruthy();
        }
      }
      // The logo is a Figure with its alt text on the manual's cover; in the running header it is an artifact.
      const cover = structure(await loadPdfFile(join(out, "afon-homecare", "afon-homecare-policy-pack.pdf")));
      const figures = cover.filter((e) => e.role === "Figure").map((e) => text(e.elem.lookup(PDFName.of("Alt"))));
      expect(figures).toEqual(["Afon Homecare Ltd logo"]);
    });

    it("describes every link annotation in /Contents, cross-references by where they go", async () => {
      for (const file of files) {
        const links = linkAnnotations(await loadPdfFile(file));
        if (!/-read-and-sign(\.cy)?\.pdf$/.test(file)) expect(links.length, file).toBeGreaterThan(3);
        for (const link of links) expect(link.contents, `${file} page ${link.page}`).toMatch(/\S/);
      }
      const links = linkAnnotations(
        await loadPdfFile(join(out, "afon-homecare", "DCW38-using-social-media-platforms.pdf")),
      );
      expect(links.map((l) => l.contents)).toContain(
        "Go to DCW13 Safeguarding Adults from Abuse and Improper Treatment Policy",
      );
      const manual = linkAnnotations(await loadPdfFile(join(out, "afon-homecare", "afon-homecare-policy-pack.pdf")));
      const contents = manual.filter((link) => link.page === 2).map((link) => link.contents);
      expect(contents).toContain("Go to DCW13 Safeguarding Adults from Abuse and Improper Treatment Policy");
      expect(manual.filter((link) => link.contents === "Link")).toEqual([]);
    });
  });
});

describe("the PDF engine", () => {
  it("blocks and reports a request to the network, and still writes the PDF", async () => {
    // Policy pages no longer carry remote images (the HTML stage drops them); the engine is the last line.
    const browser = findBrowser(process.env);
    if ("error" in browser) throw new Error(browser.error);
    const engine = await PdfEngine.launch({ executablePath: browser.path, pages: 1, timeoutMs: 20_000 });
    try {
      const html = '<!doctype html><title>t</title><p>Chart</p><img src="https://example.com/chart.png" alt="chart">';
      const output = await engine.render({ html, options: { format: "A4" } });
      expect(output.blocked).toEqual(["https://example.com/chart.png"]);
      expect(Buffer.from(output.data).toString("latin1", 0, 5)).toBe("%PDF-");
    } finally {
      await engine.close();
    }
  });

  it("prints an urgent document (what finishes a pack) before the others waiting", async () => {
    const browser = findBrowser(process.env);
    if ("error" in browser) throw new Error(browser.error);
    const engine = await PdfEngine.launch({ executablePath: browser.path, pages: 1, timeoutMs: 20_000 });
    try {
      const finished: string[] = [];
      const print = (name: string, urgent = false) =>
        engine
          .render({ html: `<!doctype html><title>${name}</title><p>${name}</p>`, options: { format: "A4" }, urgent })
          .then(() => finished.push(name));
      // The first takes the one page; the rest wait, the urgent one asked for last.
      await Promise.all([print("policy 1"), print("policy 2"), print("policy 3"), print("front", true)]);
      expect(finished).toEqual(["policy 1", "front", "policy 2", "policy 3"]);
    } finally {
      await engine.close();
    }
  });

  it("replaces a page's renderer after it has printed its share of documents", async () => {
    const browser = findBrowser(process.env);
    if ("error" in browser) throw new Error(browser.error);
    /** Chromium's renderer processes now: in its process group, started with --type=renderer. */
    const renderers = async (group: number) => {
      const found: number[] = [];
      for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
        const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
        const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
        if (pgrp === group && cmdline.includes("--type=renderer")) found.push(Number(pid));
      }
      return found;
    };
    const renderersUsed = async (printsPerPage?: number) => {
      const engine = await PdfEngine.launch({
        executablePath: browser.path,
        pages: 1,
        timeoutMs: 20_000,
        ...(printsPerPage ? { printsPerPage } : {}),
      });
      try {
        const seen = new Set<number>();
        for (let i = 1; i <= 5; i++) {
          await engine.render({
            html: `<!doctype html><title>${i}</title><p>Policy ${i}</p>`,
            options: { format: "A4" },
          });
          for (const pid of await renderers(engine.pid as number)) seen.add(pid);
        }
        return seen.size;
      } finally {
        await engine.close();
      }
    };
    // Two documents a page: five documents on three renderers (the page's, then two fresh ones),
    // against one by default (besides the browser's own first tab, in both).
    const kept = await renderersUsed();
    expect(await renderersUsed(2)).toBeGreaterThanOrEqual(kept + 2);
  });

  it("keeps nothing of a document once it has printed it", async () => {
    // Every print used to leave its PDF attached to the browser's never-settling "died" promise:
    // a 50-pack build grew by the size of every PDF it printed.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const browser = findBrowser(process.env);
    if ("error" in browser) throw new Error(browser.error);
    const engine = await PdfEngine.launch({ executablePath: browser.path, pages: 1, timeoutMs: 20_000 });
    try {
      // About 400 kB of PDF each: a page of text that does not compress.
      const noise = Array.from({ length: 40_000 }, (_, i) => ((i * 7919) % 997).toString(36)).join(" ");
      const html = `<!doctype html><title>t</title><p style="font-size:4px">${noise}</p>`;
      const retained = async () => {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
        gc();
        return process.memoryUsage().arrayBuffers;
      };
      let size = 0;
      for (let i = 0; i < 3; i++) size = (await engine.render({ html, options: { format: "A4" } })).data.length;
      const before = await retained();
      for (let i = 0; i < 20; i++) await engine.render({ html, options: { format: "A4" } });
      expect(size).toBeGreaterThan(100_000);
      expect(await retained()).toBeLessThan(before + 5 * size);
    } finally {
      await engine.close();
    }
  });

  it("prints a hostile organisation name literally in the running header", async () => {
    const name = 'A & B <Care> "Ltd" \\ </style><script>x</script> *bold*';
    const policy = policyMd({ code: "TST1", title: "Test Policy", version: '"1.0"' }, "\nRun by <<org_field_name>>.\n");
    const org = orgYaml({ name: JSON.stringify(name) });
    const dir = await workspace({ "policies/TST1-test.md": policy, "orgs/test-care.yaml": org }, { examples: false });
    expect((await runCli(["build", "--format", "pdf", "--as-of", "2026-11-24"], dir)).code).toBe(0);
    const text = pdftotext(join(dir, "output", "test-care", "TST1-test.pdf"), 1);
    expect(text.split("\n")[0]).toContain(name);
    expect(text).toContain(`Run by ${name}.`);
  });

  it("restarts a crashed browser and prints the document on the second try", async () => {
    const browser = findBrowser(process.env);
    if ("error" in browser) throw new Error(browser.error);
    const engine = await PdfEngine.launch({ executablePath: browser.path, pages: 1, timeoutMs: 20_000 });
    try {
      const job = { html: "<!doctype html><title>t</title><p>Hello</p>", options: { format: "A4" as const } };
      expect((await engine.render(job)).data.length).toBeGreaterThan(500);
      const before = engine.pid;
      process.kill(before as number, "SIGKILL");
      expect((await engine.render(job)).data.length).toBeGreaterThan(500);
      expect(engine.pid).not.toBe(before);
    } finally {
      await engine.close();
    }
  });

  it("exits 2 with the install command when no browser is found", async () => {
    const run = await runCli(["build", "--format", "pdf"], await workspace(), { CHROME_PATH: "/nonexistent/chromium" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("apt-get install -y chromium-headless-shell");
  });
});

describe("cross-references in PDFs", () => {
  it("link to the sibling PDF in a policy, and to the cited policy's first page in the manual", async () => {
    const dir = await workspace();
    expect(
      (await runCli(["build", "--format", "pdf", "--org", "afon-homecare", "--as-of", "2026-11-24"], dir)).code,
    ).toBe(0);
    const pack = join(dir, "output", "afon-homecare");
    const policyLinks = (await links(join(pack, "DCW38-using-social-media-platforms.pdf"))).map(([, action]) => action);
    expect(policyLinks).toContain("/GoToR DCW13-safeguarding-adults.pdf");
    const manual = join(pack, "afon-homecare-policy-pack.pdf");
    const contents = [...pdftotext(manual, 2).matchAll(/^(DCW\d+)\s+.+?\s+(\d+)$/gm)];
    const start = Number(contents.find((m) => m[1] === "DCW13")?.[2]);
    const manualLinks = await links(manual);
    expect(manualLinks).toContainEqual([2, `/GoTo page ${start}`]); // the contents entry
    expect(manualLinks.filter(([page, action]) => page > 2 && action === `/GoTo page ${start}`).length).toBeGreaterThan(
      5,
    );
    expect(manualLinks.filter(([, action]) => action.includes("GoToR"))).toEqual([]);
  });
});

describe("the manual after one policy changed", () => {
  it("is updated, not joined again: the changed policy's pages copied in, numbered and listed anew, the old ones gone, and still accessible", async () => {
    const dir = await workspace({}, { welsh: false });
    const org = "afon-homecare";
    const pack = join(dir, "output", org);
    const manual = join(pack, `${org}-policy-pack.pdf`);
    const build = async (...args: string[]) => {
      const run = await runCli(["build", "--format", "pdf", "--org", org, "--as-of", "2026-11-24", ...args], dir);
      expect(run.stderr).not.toMatch(/error|warning/i);
      expect(run.code).toBe(0);
    };
    await build();
    const before = await readFile(manual);
    const pagesBefore = Number(pdfinfo(manual).Pages);
    // Two pages longer: every policy after it starts further on, and every page's total changes.
    const policy = join(dir, "policies", "DCW13-safeguarding-adults.md");
    const added = "A paragraph added to the policy, long enough to take several lines of the page. ".repeat(6);
    await writeFile(
      policy,
      (await readFile(policy, "utf8")).replace("## 1. Purpose\n", `## 1. Purpose\n\n${`${added}\n\n`.repeat(14)}`),
    );
    await build();
    const after = await readFile(manual);
    // One file, not the old one with an update appended; the replaced policy's objects are gone.
    const raw = (file: Buffer) => file.toString("latin1");
    const parts = (file: Buffer) => raw(file).match(/\/S \/Part\b/g)?.length ?? 0;
    expect(crossReferenceCheck(before).mismatches).toEqual([]);
    const firstUpdate = crossReferenceCheck(after);
    expect(firstUpdate.mismatches).toEqual([]);
    // The changed policy's copy takes the numbers of the one it replaces first: a manual updated
    // again and again does not number its objects ever higher (each update used to add a
    // policy's worth of numbers no object has).
    expect(firstUpdate.size - firstUpdate.inUse).toBeLessThan(100);
    expect(parts(before)).toBe(7);
    expect(parts(after)).toBe(7);
    expect(after.length - before.length).toBeLessThan(before.length / 5);
    const pages = Number(pdfinfo(manual).Pages);
    expect(pages).toBeGreaterThan(pagesBefore + 1);
    expect(execFileSync("pdfinfo", [manual], { encoding: "utf8", stdio: "pipe" })).not.toMatch(/error/i);

    await expectManualNumberedAndListed(pack, org);
    await expectManualMadeOfItsPolicies(pack, org);
    const doc = await loadPdfFile(manual);
    expect(parentTreeMismatches(doc)).toEqual([]);
    expect(parentLinkMismatches(doc)).toEqual([]);
    for (const page of untagged(doc)) expect(page.text, `page ${page.page}`).toBe(0);
    // The replaced policy's old elements are gone from the tree, and every link is described.
    expect(structure(doc).filter((e) => e.role === "Part").length).toBe(7);
    const titles = structure(doc).filter((e) => e.role === "H1").length;
    for (const link of linkAnnotations(doc)) expect(link.contents, `page ${link.page}`).toMatch(/\S/);
    // Cross-references, from the changed policy and to it, go to the cited policy's first page.
    const contents = [...pdftotext(manual, 2).matchAll(/^(DCW\d+)\s+.+?\s+(\d+)$/gm)];
    const start = (code: string) => Number(contents.find((m) => m[1] === code)?.[2]);
    const jumps = await links(manual);
    expect(jumps).toContainEqual([2, `/GoTo page ${start("DCW13")}`]);
    expect(
      jumps.filter(([page, action]) => page > start("DCW28") && action === `/GoTo page ${start("DCW13")}`).length,
    ).toBeGreaterThan(2);
    expect(
      jumps.filter(([page]) => page >= start("DCW13") && page < start("DCW28")).map(([, action]) => action),
    ).toContain(`/GoTo page ${start("DCW38")}`);
    expect(jumps.filter(([, action]) => action.includes("GoToR"))).toEqual([]);

    // A second update on top of the first: a word of the last policy, which moves no page, so
    // that the cover and contents are not printed again.
    const last = join(dir, "policies", "DCW38-using-social-media-platforms.md");
    await writeFile(last, (await readFile(last, "utf8")).replace("responsible, ethical,", "responsible, honest,"));
    const pageNumbers = async () => (await loadPdfFile(manual)).getPages().map((page) => page.ref.objectNumber);
    const pagesBeforeLast = (await pageNumbers()).slice(0, start("DCW38") - 1);
    const numberResources = async () => (await loadPdfFile(manual)).getPages().map(numberFormResources);
    const numbersBefore = await numberResources();
    await build();
    const again = await readFile(manual);
    expect(parts(again)).toBe(7);
    const secondUpdate = crossReferenceCheck(again);
    expect(secondUpdate.mismatches).toEqual([]);
    expect(secondUpdate.size - secondUpdate.inUse).toBeLessThan(100);
    // Updated, not joined again: the pages of the policies before it keep their objects' numbers.
    expect((await pageNumbers()).slice(0, pagesBeforeLast.length)).toEqual(pagesBeforeLast);
    // No page moved and the total is the same: the numbers drawn before are kept, with the font
    // they draw with, though this build printed its "Page N of M" again (Chromium dates each print).
    expect(await numberResources()).toEqual(numbersBefore);
    await expectManualNumberedAndListed(pack, org);
    expect(parentTreeMismatches(await loadPdfFile(manual))).toEqual([]);

    // The same pages as a manual joined anew, in a file of about the same size.
    const text = (file: string) => execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    const updated = text(manual);
    await build("--force");
    expect(text(manual)).toBe(updated);
    expect(structure(await loadPdfFile(manual)).filter((e) => e.role === "H1").length).toBe(titles);
    const anew = (await readFile(manual)).length;
    expect(Math.abs(again.length - anew) / anew).toBeLessThan(0.01);
  });
});
