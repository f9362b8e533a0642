import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { select } from "hast-util-select";
import { toString as hastText } from "hast-util-to-string";
import { beforeAll, describe, expect, it } from "vitest";
import { findBrowser } from "../src/render/pdf/browser.ts";
import { readHtml, runCli, workspace } from "./helpers.ts";

// The consultancy's house style: policies/theme.yaml changes colours, font and cover in every
// format, and the default theme is the look policypack ships with.

const AS_OF = ["--as-of", "2026-11-24"];
const chromium = "path" in findBrowser(process.env);

const THEME = `# The consultancy's house style
consultancy:
  name: Polisi Cymru Ltd
  logo: theme/polisi.svg
  website: https://polisi.example/
colours:
  accent: "#7a1f3d"
  tint: "#f7e9ee"
font: "@expo-google-fonts/source-sans-3"
cover:
  title: Policy handbook
  text: Written for you, and kept under review, by Polisi Cymru Ltd.
`;
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#7a1f3d"/></svg>`;

const pdfText = (file: string, page?: number) =>
  execFileSync("pdftotext", ["-layout", ...(page ? ["-f", String(page), "-l", String(page)] : []), file, "-"], {
    encoding: "utf8",
  });
const word = async (file: string) =>
  Object.fromEntries(Object.entries(unzipSync(await readFile(file))).map(([name, bytes]) => [name, strFromU8(bytes)]));

describe.skipIf(!chromium)("a theme", () => {
  let dir: string;
  let pack: string;
  beforeAll(async () => {
    dir = await workspace({ "policies/theme.yaml": THEME, "policies/theme/polisi.svg": LOGO });
    const run = await runCli(["build", ...AS_OF, "--org", "afon-homecare"], dir);
    expect(run.code, run.stderr).toBe(0);
    pack = join(dir, "output", "afon-homecare");
  }, 180_000);

  it("gives web pages its colours and its font, as WOFF2 files beside them, and says who prepared the pack", async () => {
    const page = await readFile(join(pack, "DCW13-safeguarding-adults.html"), "utf8");
    expect(page).toContain("--accent: #7a1f3d");
    expect(page).toContain('font-family: "Source Sans 3"');
    expect(page).toContain('@font-face{font-family:"Source Sans 3";font-style:normal;font-weight:400;');
    const fonts = (await readdir(pack)).filter((name) => name.endsWith(".woff2"));
    expect(fonts).toEqual(expect.arrayContaining(["source-sans-3-400-normal.woff2", "source-sans-3-700-normal.woff2"]));
    expect(fonts.filter((name) => name.startsWith("ibm-plex"))).toEqual([]);
    for (const name of fonts) expect((await readFile(join(pack, name))).subarray(0, 4).toString()).toBe("wOF2");
    const index = await readHtml(join(pack, "index.html"));
    const footer = select(".prepared-by a", index);
    expect(footer?.properties.href).toBe("https://polisi.example/");
    expect(hastText(footer ?? index)).toBe("Prepared by Polisi Cymru Ltd");
    expect(hastText(select(".prepared-by", await readHtml(join(dir, "output", "index.html"))) ?? index)).toBe(
      "Prepared by Polisi Cymru Ltd",
    );
  });

  it("prints PDFs in its font and the manual with its cover", async () => {
    const fonts = execFileSync("pdffonts", [join(pack, "DCW13-safeguarding-adults.pdf")], { encoding: "utf8" });
    // The text is set in the theme's font (the org's SVG logo draws its own lettering).
    expect(fonts).toMatch(/SourceSans3-Regular/);
    expect(fonts).toMatch(/SourceSans3-Bold/);
    expect(pdfText(join(pack, "DCW13-safeguarding-adults.pdf"), 1)).toContain("Safeguarding Adults");
    const cover = pdfText(join(pack, "afon-homecare-policy-pack.pdf"), 1);
    expect(cover).toContain("Policy handbook");
    expect(cover).toContain("Written for you, and kept under review, by Polisi Cymru Ltd.");
    expect(cover).toContain("Prepared by Polisi Cymru Ltd");
    expect(cover).not.toContain("Policy pack\n");
  });

  it("gives Word files its colours and embeds its font", async () => {
    const parts = await word(join(pack, "DCW13-safeguarding-adults.docx"));
    expect(parts["word/styles.xml"]).toContain('w:val="7A1F3D"');
    expect(parts["word/styles.xml"]).not.toContain('w:val="0F4C5C"');
    expect(parts["word/styles.xml"]).toContain('w:ascii="Source Sans 3"');
    expect(parts["word/fontTable.xml"]).toMatch(/<w:font w:name="Source Sans 3">.*<w:embedRegular /s);
    expect(Object.keys(parts).filter((name) => name.startsWith("word/fonts/")).length).toBeGreaterThanOrEqual(2);
  });

  it("the default theme is the look policypack ships with", async () => {
    const plain = await workspace();
    const run = await runCli(["build", ...AS_OF, "--org", "afon-homecare", "--format", "html,docx"], plain);
    expect(run.code, run.stderr).toBe(0);
    const out = join(plain, "output", "afon-homecare");
    expect(await readFile(join(out, "DCW13-safeguarding-adults.html"), "utf8")).toContain("--accent: #0f4c5c");
    expect(await readFile(join(out, "index.html"), "utf8")).not.toContain("Prepared by");
    const parts = await word(join(out, "DCW13-safeguarding-adults.docx"));
    expect(parts["word/fontTable.xml"]).toContain('w:name="IBM Plex Sans"');
  });
});

describe("changing the theme", () => {
  it("rebuilds every page of every pack; building again with it unchanged writes nothing", async () => {
    const dir = await workspace();
    const html = ["build", ...AS_OF, "--format", "html", "--json"];
    const built = async () =>
      (JSON.parse((await runCli(html, dir)).stdout) as { packs: { built: string[] }[] }).packs.flatMap((p) => p.built);
    await built();
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(dir, "policies", "theme.yaml"), `colours:\n  accent: "#224466"\n`);
    const again = await built();
    // Afon's 6 policies and pack page; Gofal's in Welsh and English.
    expect(again.filter((name) => name.endsWith(".html"))).toHaveLength(7 + 2 * 7);
    expect(await readFile(join(dir, "output", "afon-homecare", "DCW13-safeguarding-adults.html"), "utf8")).toContain(
      "--accent: #224466",
    );
    expect(await built()).toEqual([]);
  });
});

describe("checking a theme", () => {
  it("reports a misspelt key, a colour that is not #rrggbb and a font that is not installed, at their lines; no pack is built", async () => {
    const dir = await workspace({
      "policies/theme.yaml": `colors:\n  accent: teal\nfont: "@expo-google-fonts/not-a-font"\n`,
    });
    let run = await runCli(["check", "--json", ...AS_OF], dir);
    expect(run.code).toBe(1);
    const found = (
      JSON.parse(run.stdout) as { file: string; line: number; column: number; message: string; hint?: string }[]
    )
      .map((d) => `${d.file}:${d.line}:${d.column} ${d.message} ${d.hint ?? ""}`)
      .join("\n");
    expect(found).toContain("policies/theme.yaml:1:1 unknown key `colors` did you mean `colours`?");

    await import("node:fs/promises").then((fs) =>
      fs.writeFile(join(dir, "policies", "theme.yaml"), `colours:\n  accent: teal\n`),
    );
    run = await runCli(["check", ...AS_OF], dir);
    expect(run.stderr).toMatch(/policies\/theme\.yaml:2:11: error schema: .*accent/);

    await import("node:fs/promises").then((fs) =>
      fs.writeFile(join(dir, "policies", "theme.yaml"), `font: "@expo-google-fonts/not-a-font"\n`),
    );
    run = await runCli(["build", ...AS_OF, "--format", "html"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "policies/theme.yaml:1:7: error theme: the font package @expo-google-fonts/not-a-font is not installed",
    );
    expect(run.stderr).toContain("npm install @expo-google-fonts/not-a-font");
    expect(run.stderr).toContain("skipped afon-homecare");
  });
});
