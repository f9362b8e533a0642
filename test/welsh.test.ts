import { execFileSync } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { fromHtml } from "hast-util-from-html";
import { select, selectAll } from "hast-util-select";
import { toString as hastText } from "hast-util-to-string";
import { PDFName } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cy } from "../src/labels/cy.ts";
import { en } from "../src/labels/en.ts";
import { REPO, runCli, workspace } from "./helpers.ts";
import { loadPdfFile } from "./pdf-read.ts";

const DCW38 = "DCW38-using-social-media-platforms";

/** The English labels that differ from their Welsh: none may be left in a Welsh document. */
const ENGLISH_LABELS = Object.entries(en)
  .filter(([key, value]) => typeof value === "string" && value !== cy[key as keyof typeof cy])
  .map(([, value]) => (value as string).trim())
  // One-word labels ("Policy", "Status") also occur in an org's own English data (a role).
  .filter((label) => label.includes(" "));

describe("the label tables", () => {
  it("have the same labels in English and Welsh, none empty", () => {
    expect(Object.keys(cy).sort()).toEqual(Object.keys(en).sort());
    for (const [key, value] of Object.entries(cy)) {
      const sample = typeof value === "function" ? (value as (...a: unknown[]) => string)("X", "Y", "Z") : value;
      expect(JSON.stringify(sample), key).not.toBe('""');
    }
  });
});

// Gofal Tŷ'r Ysgol is bilingual: Welsh first, English beside it.
describe("a bilingual pack", () => {
  let dir: string;
  let pack: string;

  beforeAll(async () => {
    dir = await workspace();
    const run = await runCli(["build", "--as-of", "2026-11-24", "--org", "gofal-tyr-ysgol"], dir);
    expect(run.code, run.stderr).toBe(0);
    pack = join(dir, "output", "gofal-tyr-ysgol");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const page = async (name: string) => fromHtml(await readFile(join(pack, name), "utf8"));

  it("opens on the Welsh pack page, which offers the English one", async () => {
    const welsh = await page("index.html");
    expect(select("html", welsh)?.properties.lang).toBe("cy");
    expect(hastText(select("h1", welsh) as never)).toBe("Pecyn polisïau");
    expect(hastText(welsh)).toContain("Dyddiad y pecyn: 24 Tachwedd 2026");
    const toEnglish = select("nav.language-switch a", welsh);
    expect(toEnglish?.properties).toMatchObject({ href: "index.en.html", lang: "en-GB" });
    const row = selectAll("#policies tbody tr", welsh).find((tr) => hastText(tr).includes("DCW38"));
    expect(hastText(row as never)).toContain("Polisi Defnyddio Platfformau Cyfryngau Cymdeithasol");
    const links = selectAll("a", row as never).map((a) => a.properties.href);
    expect(links).toEqual(
      expect.arrayContaining([`${DCW38}.cy.html`, `${DCW38}.cy.pdf`, `${DCW38}.cy.docx`, `${DCW38}.html`]),
    );
    const english = await page("index.en.html");
    expect(select("html", english)?.properties.lang).toBe("en-GB");
    expect(hastText(select("h1", english) as never)).toBe("Policy pack");
    expect(select("nav.language-switch a", english)?.properties).toMatchObject({ href: "index.html", lang: "cy" });
  });

  it("gives each policy's web page in Welsh, with Welsh labels and dates and no English label", async () => {
    const welsh = await page(`${DCW38}.cy.html`);
    expect(select("html", welsh)?.properties.lang).toBe("cy");
    const text = hastText(welsh);
    for (const label of ["Rheoli'r ddogfen", "Dyddiad yr adolygiad nesaf", "15 Rhagfyr 2026", "Cedwir pob hawl"]) {
      expect(text).toContain(label);
    }
    for (const label of ENGLISH_LABELS) expect(text, label).not.toContain(label);
    // The switch to the same policy in English, and the draft translation said plainly.
    expect(select("a.language-switch", welsh)?.properties).toMatchObject({ href: `${DCW38}.html`, lang: "en-GB" });
    expect(text).toContain("Cyfieithiad drafft, heb ei gymeradwyo eto");
    // A cross-reference in a Welsh policy goes to the Welsh policy it cites.
    const xrefs = selectAll("main a", welsh).map((a) => String(a.properties.href));
    expect(xrefs).toContain("DCW31-disciplinary-and-grievance.cy.html");
    expect(xrefs.filter((href) => /^DCW\d+-[a-z-]+\.html$/.test(href))).toEqual([]);
  });

  it("prints the Welsh PDF in Welsh: /Lang cy, Welsh running footer and dates", async () => {
    const pdf = await loadPdfFile(join(pack, `${DCW38}.cy.pdf`));
    expect(pdf.catalog.get(PDFName.of("Lang"))?.toString()).toBe("(cy)");
    const text = execFileSync("pdftotext", ["-layout", join(pack, `${DCW38}.cy.pdf`), "-"], { encoding: "utf8" });
    expect(text).toMatch(/Tudalen 1 o \d/);
    expect(text).toContain("adolygiad nesaf 15 Rhagfyr 2026");
    expect(text).toContain("Rhif Cofrestru: SIN-00067890-ABCD");
    for (const label of [...ENGLISH_LABELS, "Page 1 of"]) expect(text, label).not.toContain(label);
    const manual = execFileSync("pdftotext", [join(pack, "gofal-tyr-ysgol-policy-pack.cy.pdf"), "-"], {
      encoding: "utf8",
    });
    expect(manual).toContain("Cynnwys");
    expect(manual).toContain("Pecyn polisïau");
    const english = await loadPdfFile(join(pack, `${DCW38}.pdf`));
    expect(english.catalog.get(PDFName.of("Lang"))?.toString()).toBe("(en-GB)");
  });

  it("writes the Welsh Word file for Welsh proofing, with Welsh labels and page numbers", async () => {
    const files = unzipSync(await readFile(join(pack, `${DCW38}.cy.docx`)));
    const part = (name: string) => new TextDecoder().decode(files[name]);
    expect(part("word/styles.xml")).toContain('w:lang w:val="cy-GB"');
    expect(part("word/document.xml")).toContain("Rheoli&apos;r ddogfen");
    const footer = Object.keys(files).find((name) => /^word\/footer\d*\.xml$/.test(name)) as string;
    expect(part(footer)).toContain("Tudalen ");
    for (const label of ENGLISH_LABELS) expect(part("word/document.xml"), label).not.toContain(label);
    expect(
      new TextDecoder().decode(unzipSync(await readFile(join(pack, `${DCW38}.docx`)))["word/styles.xml"]),
    ).toContain('w:lang w:val="en-GB"');
  });
});

describe("a Welsh pack's review calendar", () => {
  it("names its events in Welsh, with Welsh titles and dates", async () => {
    const run = await runCli(["reviews", "--format", "ics", "--org", "gofal-tyr-ysgol", "--as-of", "2026-11-24"], REPO);
    const ics = run.stdout.replace(/\r\n[ \t]/g, "");
    expect(ics).toContain("X-WR-CALNAME:Adolygiadau polisi – Gofal Tŷ'r Ysgol & Partners");
    expect(ics).toContain("SUMMARY:Adolygu DCW38 Polisi Defnyddio Platfformau Cyfryngau Cymdeithasol");
    expect(ics).toContain("Adolygiad nesaf: 15 Rhagfyr 2026");
    expect(ics).toContain("Adolygiad polisi yn ddyledus ymhen 30 diwrnod");
    expect(ics).not.toMatch(/Next review|Last reviewed|SUMMARY:Review/);
  });
});

describe("keeping a translation in step", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await workspace();
    // One sentence of English DCW38 changes, in section 3.3.
    const file = join(dir, "policies", `${DCW38}.md`);
    const text = await readFile(file, "utf8");
    const changed = text.replace(
      "all content must be reviewed and approved before publishing",
      "all content must be reviewed and approved in writing before publishing",
    );
    expect(changed).not.toBe(text);
    await writeFile(file, changed);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("check reports the Welsh DCW38 stale at the changed section, and export writes just that block", async () => {
    const run = await runCli(["check", "--as-of", "2026-11-24", "--json"], dir);
    const stale = JSON.parse(run.stdout).filter((d: { rule: string }) => d.rule === "translation-stale");
    expect(stale).toHaveLength(1);
    const welsh = await readFile(join(dir, "policies", "cy", `${DCW38}.md`), "utf8");
    const line = welsh.split("\n").findIndex((l) => l.startsWith("### 3.3 ")) + 1;
    expect(stale[0]).toMatchObject({ file: `policies/cy/${DCW38}.md`, line, severity: "warning" });
    expect(stale[0].message).toContain('"3.3 Managing Official Social Media Accounts"');

    const exported = await runCli(["translate", "export", "--lang", "cy", "--out", "cy.xlf"], dir);
    expect(exported.code, exported.stderr).toBe(0);
    const xliff = await readFile(join(dir, "cy.xlf"), "utf8");
    const units = [...xliff.matchAll(/<trans-unit id="([^"]+)"/g)].map((m) => m[1]);
    expect(units).toHaveLength(1);
    expect(units[0]).toMatch(/^DCW38\/6\.\d+\/[0-9a-f]{8}$/);
    expect(xliff).toContain("approved in writing before publishing");
  });

  it("refuses a returned file whose placeholder tag was lost, naming the unit, and writes nothing", async () => {
    const welsh = join(dir, "policies", "cy", `${DCW38}.md`);
    const before = await readFile(welsh, "utf8");
    const xliff = await readFile(join(dir, "cy.xlf"), "utf8");
    const id = /<trans-unit id="([^"]+)"/.exec(xliff)?.[1] as string;
    // The translator's tool returns the target with its first tag deleted.
    const damaged = xliff.replace(/(<target>[\s\S]*?)<x id="1"[^>]*\/>/, "$1");
    expect(damaged).not.toBe(xliff);
    await writeFile(join(dir, "damaged.xlf"), damaged);
    const run = await runCli(["translate", "import", "damaged.xlf"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`unit ${id} is refused`);
    expect(await readFile(welsh, "utf8")).toBe(before);
  });

  it("imports the translated unit back: the Welsh has the new sentence and is no longer stale", async () => {
    const xliff = await readFile(join(dir, "cy.xlf"), "utf8");
    const translated = xliff.replace(
      /<target>([\s\S]*?)<\/target>/,
      (_, target: string) =>
        `<target>${target.replace("adolygu a chymeradwyo'r", "adolygu a chymeradwyo'n ysgrifenedig yr")}</target>`,
    );
    expect(translated).not.toBe(xliff);
    await writeFile(join(dir, "done.xlf"), translated);
    const run = await runCli(["translate", "import", "done.xlf"], dir);
    expect(run.code, run.stderr).toBe(0);
    const welsh = await readFile(join(dir, "policies", "cy", `${DCW38}.md`), "utf8");
    expect(welsh).toContain("rhaid adolygu a chymeradwyo'n ysgrifenedig yr holl gynnwys cyn ei gyhoeddi");
    const check = await runCli(["check", "--as-of", "2026-11-24", "--json"], dir);
    expect(JSON.parse(check.stdout).filter((d: { rule: string }) => d.rule.startsWith("translation-"))).toEqual([]);
    const again = await runCli(["translate", "export", "--lang", "cy", "--out", "again.xlf"], dir);
    expect(again.stderr).toContain("nothing to translate");
  });
});

describe("an English policy that grows", () => {
  it("exports just the new section and paragraph, and imports them in their places", async () => {
    const dir = await workspace();
    const file = join(dir, "policies", `${DCW38}.md`);
    const english = (await readFile(file, "utf8"))
      .replace(
        "## 6. Policy Review",
        "## 6. Training\n\nEvery employee completes social media training.\n\n## 7. Policy Review",
      )
      .replace("## 2. Scope\n", "## 2. Scope\n\nThis policy also covers messaging apps such as WhatsApp.\n");
    await writeFile(file, english);
    const checked = await runCli(["check", "--as-of", "2026-11-24", "--json"], dir);
    const found = JSON.parse(checked.stdout) as { rule: string; severity: string; message: string }[];
    expect(found.filter((d) => d.severity === "error")).toEqual([]);
    const stale = found.filter((d) => d.rule === "translation-stale").map((d) => d.message);
    expect(stale.some((m) => m.includes('"6. Training"') && m.includes("is new"))).toBe(true);
    expect(stale.some((m) => m.includes('"2. Scope"') && m.includes("1 block is new or reworded"))).toBe(true);

    expect((await runCli(["translate", "export", "--out", "cy.xlf"], dir)).code).toBe(0);
    const xliff = await readFile(join(dir, "cy.xlf"), "utf8");
    const sources = [...xliff.matchAll(/<source>([^<]*)<\/source>/g)].map((m) => m[1]);
    expect(sources.sort()).toEqual([
      "6. Training",
      "7. Policy Review",
      "Every employee completes social media training.",
      "This policy also covers messaging apps such as WhatsApp.",
    ]);
    const welsh: Record<string, string> = {
      "6. Training": "6. Hyfforddiant",
      "7. Policy Review": "7. Adolygu'r Polisi",
      "Every employee completes social media training.":
        "Mae pob cyflogai yn cwblhau hyfforddiant ar y cyfryngau cymdeithasol.",
      "This policy also covers messaging apps such as WhatsApp.":
        "Mae'r polisi hwn hefyd yn cwmpasu apiau negeseua fel WhatsApp.",
    };
    const translated = xliff.replace(
      /<source>([^<]*)<\/source>(<target>[^<]*<\/target>|<target\/>)?/g,
      (_, source: string) => `<source>${source}</source><target>${welsh[source]}</target>`,
    );
    await writeFile(join(dir, "done.xlf"), translated);
    const imported = await runCli(["translate", "import", "done.xlf"], dir);
    expect(imported.code, imported.stderr).toBe(0);
    const result = await readFile(join(dir, "policies", "cy", `${DCW38}.md`), "utf8");
    expect(result).toMatch(
      /## 2\. Cwmpas\n\nMae'r polisi hwn hefyd yn cwmpasu apiau negeseua fel WhatsApp\.\n\nMae'r polisi hwn yn berthnasol i:/,
    );
    expect(result).toMatch(
      /## 6\. Hyfforddiant\n\nMae pob cyflogai yn cwblhau hyfforddiant ar y cyfryngau cymdeithasol\.\n\n## 7\. Adolygu'r Polisi\n/,
    );
    const again = await runCli(["check", "--as-of", "2026-11-24", "--json"], dir);
    expect(JSON.parse(again.stdout).filter((d: { rule: string }) => d.rule.startsWith("translation-"))).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });
});

describe("translations that do not match their English", () => {
  it("reports a placeholder left out at its section, and a missing translation for a Welsh org", async () => {
    const welshFile = `policies/cy/${DCW38}.md`;
    const welsh = (await readFile(join(REPO, welshFile), "utf8")).replace(
      "gan gyflogeion <<org_field_name>>",
      "gan gyflogeion",
    );
    const dir = await workspace({
      [welshFile]: welsh,
      "policies/cy/DCW31-disciplinary-and-grievance.md": "",
    });
    await rm(join(dir, "policies", "cy", "DCW31-disciplinary-and-grievance.md"));
    const run = await runCli(["check", "--as-of", "2026-11-24", "--json"], dir);
    const found = JSON.parse(run.stdout) as {
      rule: string;
      file: string;
      line: number;
      message: string;
      severity: string;
    }[];
    const placeholder = found.find((d) => d.rule === "translation-placeholders");
    expect(placeholder).toMatchObject({
      file: welshFile,
      line: welsh.split("\n").findIndex((l) => l.startsWith("## 1. ")) + 1,
    });
    expect(placeholder?.message).toContain("<<org_field_name>> missing");
    expect(found.find((d) => d.rule === "translation-missing")).toMatchObject({
      file: "orgs/gofal-tyr-ysgol.yaml",
      severity: "error",
    });
    expect(run.code).toBe(1);
    await rm(dir, { recursive: true, force: true });
  });

  it("gives the English text, marked, when the org allows it", async () => {
    const gofal = await readFile(join(REPO, "orgs", "gofal-tyr-ysgol.yaml"), "utf8");
    const dir = await workspace({ "orgs/gofal-tyr-ysgol.yaml": `${gofal}english_fallback: true\n` });
    await rm(join(dir, "policies", "cy", "DCW31-disciplinary-and-grievance.md"));
    const run = await runCli(["build", "--as-of", "2026-11-24", "--org", "gofal-tyr-ysgol", "--format", "html"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("warning translation-missing");
    const index = fromHtml(await readFile(join(dir, "output", "gofal-tyr-ysgol", "index.html"), "utf8"));
    const row = selectAll("#policies tbody tr", index).find((tr) => hastText(tr).includes("DCW31"));
    expect(hastText(row as never)).toContain("Yn Saesneg yn unig am y tro");
    expect(select("a", row as never)?.properties).toMatchObject({
      href: "DCW31-disciplinary-and-grievance.html",
      lang: "en-GB",
    });
    await rm(dir, { recursive: true, force: true });
  });
});
