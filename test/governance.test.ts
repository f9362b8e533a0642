import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { selectAll } from "hast-util-select";
import { toString as hastText } from "hast-util-to-string";
import { describe, expect, it } from "vitest";
import { compareVersions } from "../src/check/history.ts";
import { orgYaml, policyMd, readHtml, runCli, workspace } from "./helpers.ts";

const AS_OF = ["--as-of", "2026-11-24"];

const HISTORY = `
  - version: "3.10"
    date: 2026-03-01
    changes: Updated for the Social Care Wales Code of Professional Practice (2026)
    approved_by: Elin Wyn Hughes
    role: Responsible Individual
  - version: "3.9"
    date: 2025-06-02
    changes: Reporting to the local authority within 24 hours
    approved_by: Gareth Lloyd
    role: Policy Lead
  - version: "1.0"
    date: 2019-01-07
    changes: First issue`;

/** One policy with the given front matter and history, and one organisation. */
function library(front: Record<string, string> = {}, history = HISTORY, org = orgYaml()) {
  return workspace(
    {
      "policies/TST1-test.md": policyMd(
        { code: "TST1", title: "Test Policy", version: '"3.10"', ...front, ...(history ? { history } : {}) },
        "\n## 1. Purpose\n\nThis policy belongs to <<org_field_name>>.\n",
      ),
      "orgs/test-care.yaml": org,
    },
    { examples: false },
  );
}

const wordParts = async (file: string) =>
  Object.fromEntries(Object.entries(unzipSync(await readFile(file))).map(([name, bytes]) => [name, strFromU8(bytes)]));
/** The text of a Word part, paragraph by paragraph. */
const wordText = (xml: string) =>
  [...xml.matchAll(/<w:p[ >].*?<\/w:p>/gs)].map((p) =>
    [...p[0].matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)]
      .map((t) => t[1] as string)
      .join("")
      .replace(
        /&(apos|quot|lt|gt|amp);/g,
        (_, name: string) => ({ apos: "'", quot: '"', lt: "<", gt: ">", amp: "&" })[name] as string,
      ),
  );
const pdfText = (file: string, page?: number) =>
  execFileSync("pdftotext", ["-layout", ...(page ? ["-f", String(page), "-l", String(page)] : []), file, "-"], {
    encoding: "utf8",
  });

describe("version history", () => {
  it("compares dotted versions as numbers", () => {
    expect(compareVersions("3.10", "3.9")).toBeGreaterThan(0);
    expect(compareVersions("3.2", "3.2.0")).toBe(0);
    expect(compareVersions("2", "10")).toBeLessThan(0);
  });

  it("is checked at file:line:column: version is the newest entry, versions go down, dates are real and in order", async () => {
    const wrong = `
  - version: "3.2"
    date: 2026-03-01
    changes: newest
    approved_by: A
  - version: "3.10"
    date: 2026-01-01
    changes: out of order
  - version: "3.0"
    date: 2026-02-01
    changes: dated after the one above`;
    let run = await runCli(["check", ...AS_OF], await library({ version: '"3.3"' }, wrong));
    expect(run.stderr).toContain(
      'policies/TST1-test.md:4:10: error history: version is "3.3", but the newest entry of `history` is "3.2"',
    );
    expect(run.stderr).toContain(
      "policies/TST1-test.md:10:14: error history: `history` is newest first, but 3.10 is listed below 3.2",
    );
    expect(run.stderr).toContain(
      "policies/TST1-test.md:11:11: error history: version 3.10 is dated 1 January 2026, before version 3.0 (1 February 2026)",
    );
    expect(run.code).toBe(1);

    run = await runCli(["check", ...AS_OF], await library({}, HISTORY.replace("2025-06-02", "2025-02-29")));
    expect(run.stderr).toContain(
      'policies/TST1-test.md:12:11: error schema: `history.1.date` is "2025-02-29", which is not a calendar date',
    );
    run = await runCli(["check", ...AS_OF], await library({}, HISTORY.replace('"3.9"', "3.9")));
    expect(run.stderr).toContain("policies/TST1-test.md:11:14: error schema: `history.1.version` must be a string");
    run = await runCli(["check", ...AS_OF], await library({}, HISTORY.replace('"3.9"', '"3.9 beta"')));
    expect(run.stderr).toContain("policies/TST1-test.md:11:14: error schema: `history.1.version` must match pattern");
    run = await runCli(["check", ...AS_OF], await library({}, HISTORY.replace("    changes: First issue", "")));
    expect(run.stderr).toContain("error schema: missing required key `changes`");
  });

  it("warns about a date after the build date, and about an approved policy with no history", async () => {
    let run = await runCli(["check", "--as-of", "2026-02-01"], await library());
    expect(run.stderr).toContain(
      "policies/TST1-test.md:7:11: warning history-date-in-future: version 3.10 is dated 1 March 2026, after the build date 1 February 2026",
    );
    expect(run.code).toBe(0);
    run = await runCli(["check", ...AS_OF], await library({}, ""));
    expect(run.stderr).toContain("policies/TST1-test.md:4:1: warning history-missing: no version history");
    expect(run.code).toBe(0);
    run = await runCli(["check", ...AS_OF], await library({ status: "draft" }, ""));
    expect(run.stderr).not.toContain("history-missing");
  });

  it("every format shows a Version history table after the document control block, newest first", async () => {
    const dir = await library();
    const run = await runCli(["build", ...AS_OF, "--out", "out"], dir);
    expect(run.code, run.stderr).toBe(0);
    const expected = [
      [
        "3.10",
        "1 March 2026",
        "Updated for the Social Care Wales Code of Professional Practice (2026)",
        "Elin Wyn Hughes, Responsible Individual",
      ],
      ["3.9", "2 June 2025", "Reporting to the local authority within 24 hours", "Gareth Lloyd, Policy Lead"],
      ["1.0", "7 January 2019", "First issue", ""],
    ];

    const html = await readHtml(join(dir, "out", "test-care", "TST1-test.html"));
    const tables = selectAll("article table", html);
    expect(tables[0]?.properties.className).toContain("doc-control");
    expect(tables[1]?.properties.className).toContain("version-history");
    expect(hastText(selectAll("caption", tables[1])[0] ?? tables[1])).toBe("Version history");
    const rows = selectAll("tbody tr", tables[1]).map((tr) => selectAll("th, td", tr).map((cell) => hastText(cell)));
    expect(rows).toEqual(expected);

    const word = wordText(
      (await wordParts(join(dir, "out", "test-care", "TST1-test.docx")))["word/document.xml"] as string,
    );
    const heading = word.indexOf("Version history");
    expect(heading).toBeGreaterThan(word.indexOf("Document control"));
    expect(word.slice(heading + 1, heading + 5)).toEqual(["Version", "Date", "Changes", "Approved by"]);
    expect(word.slice(heading + 5, heading + 17)).toEqual(expected.flat());
    expect(heading).toBeLessThan(word.indexOf("1. Purpose"));

    const pdf = pdfText(join(dir, "out", "test-care", "TST1-test.pdf"), 1).replace(/\s+/g, " ");
    const at = pdf.indexOf("VERSION HISTORY");
    expect(at).toBeGreaterThan(pdf.indexOf("DOCUMENT CONTROL"));
    expect(at).toBeLessThan(pdf.indexOf("1. Purpose"));
    for (const text of ["3.10 1 March 2026", "3.9 2 June 2025", "1.0 7 January 2019 First issue"]) {
      expect(pdf.indexOf(text), text).toBeGreaterThan(at);
    }
    expect(pdf.indexOf("3.10 1 March 2026")).toBeLessThan(pdf.indexOf("3.9 2 June 2025"));
  });
});

const DRAFT = policyMd(
  { code: "DCW40", title: "Medication Policy", version: '"0.3"', status: "draft" },
  `
## 1. Purpose

<<org_field_name>> supports people with their medicines, in line with the Staff Conduct and Code of Ethics Policy (DCW28).

## 2. Procedure

${"Staff record every dose given, refused or missed on the medication administration record straight after it is given, and report any error to the registered manager at once.\n\n".repeat(40)}`,
);

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe("drafts never reach a client", () => {
  it("a draft is left out of every pack with a warning, and an org that lists it gets an error", async () => {
    const dir = await workspace({
      "policies/DCW40-medication.md": DRAFT,
      "orgs/test-care.yaml": `${orgYaml()}policies: [DCW13, DCW28, DCW30, DCW31, DCW34, DCW38, DCW40]\n`,
    });
    const run = await runCli(["check", ...AS_OF], dir);
    expect(run.stderr).toContain(
      "policies/DCW40-medication.md:5:9: warning draft: DCW40 is a draft: it is left out of every client pack",
    );
    expect(run.stderr).toContain(
      "orgs/test-care.yaml:13:54: error draft-in-pack: DCW40 is a draft (policies/DCW40-medication.md says status: draft)",
    );
    expect(run.code).toBe(1);
    // That org gets no pack, but its reviewers can still preview the draft it is waiting for.
    const build = await runCli(["build", ...AS_OF, "--format", "html", "--out", "out"], dir);
    expect(build.stderr).toContain("skipped test-care: its inputs have errors");
    const preview = await runCli(
      ["build", ...AS_OF, "--drafts", "--org", "test-care", "--format", "html", "--out", "out"],
      dir,
    );
    expect(preview.stderr).toContain("test-care: 7 built, 0 unchanged (out/_drafts/test-care/)");
    expect(await filesUnder(join(dir, "out", "_drafts", "test-care"))).toContain("DCW40-medication.html");
    expect(await filesUnder(join(dir, "out"))).not.toContain("test-care");
  });

  it("an approved policy citing a draft is an error for every pack: the draft is in none", async () => {
    const dir = await workspace({ "policies/DCW40-medication.md": DRAFT });
    const { appendFile } = await import("node:fs/promises");
    await appendFile(
      join(dir, "policies", "DCW38-using-social-media-platforms.md"),
      "\nSee the Medication Policy (DCW40).\n",
    );
    const run = await runCli(["check", ...AS_OF], dir);
    expect(run.stderr).toMatch(
      /orgs\/afon-homecare\.yaml:\d+:\d+: error xref-outside-pack: DCW38 cites DCW40 at policies\/DCW38-using-social-media-platforms\.md:\d+:\d+, but DCW40 is a draft, so it is in no pack/,
    );
    expect(run.stderr).toContain("hint: approve DCW40 (status: approved) before citing it");
  });

  it("is in no pack folder, pack page, manual, zip or overview; build --drafts previews it apart, watermarked in every format", async () => {
    const dir = await workspace({ "policies/DCW40-medication.md": DRAFT });
    let run = await runCli(["build", ...AS_OF, "--org", "afon-homecare", "--out", "out"], dir);
    expect(run.code, run.stderr).toBe(0);
    const pack = join(dir, "out", "afon-homecare");
    expect((await filesUnder(pack)).filter((name) => name.includes("DCW40"))).toEqual([]);
    expect(await readFile(join(pack, "index.html"), "utf8")).not.toMatch(/DCW40|Medication/);
    expect(await readFile(join(dir, "out", "index.html"), "utf8")).not.toMatch(/DCW40|Medication/);
    const zip = Object.keys(unzipSync(await readFile(join(pack, "afon-homecare-policy-pack.zip"))));
    expect(zip).toContain("DCW13-safeguarding-adults.pdf");
    expect(zip.filter((name) => name.includes("DCW40"))).toEqual([]);
    expect(pdfText(join(pack, "afon-homecare-policy-pack.pdf"))).not.toMatch(/DCW40|Medication Policy|DRAFT/);

    run = await runCli(["build", ...AS_OF, "--drafts", "--out", "out"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("afon-homecare: 10 built, 0 unchanged (out/_drafts/afon-homecare/)");
    // gofal-tyr-ysgol lists its policies, and DCW40 is not one of them: nothing to preview.
    expect(await filesUnder(join(dir, "out", "_drafts"))).not.toContain("gofal-tyr-ysgol");
    const preview = join(dir, "out", "_drafts", "afon-homecare");
    const files = await filesUnder(preview);
    expect(files.filter((name) => !name.endsWith(".woff2"))).toEqual([
      "DCW40-medication.docx",
      "DCW40-medication.html",
      "DCW40-medication.pdf",
      // The preview's web page shows the logo from beside it, as a pack's pages do.
      "logo.png",
      "manifest.json",
    ]);
    // The client pack and the overview are as they were.
    expect((await filesUnder(pack)).filter((name) => name.includes("DCW40"))).toEqual([]);
    expect(await readFile(join(dir, "out", "index.html"), "utf8")).not.toContain("DCW40");

    const pdf = join(preview, "DCW40-medication.pdf");
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [pdf], { encoding: "utf8" }))?.[1]);
    expect(pages).toBeGreaterThan(1);
    for (let page = 1; page <= pages; page++)
      expect(pdfText(pdf, page), `page ${page}`).toContain("DRAFT — not for use");

    const word = await wordParts(join(preview, "DCW40-medication.docx"));
    const headers = Object.keys(word).filter((name) => /^word\/header\d*\.xml$/.test(name));
    expect(headers.length).toBeGreaterThan(0);
    for (const header of headers) expect(wordText(word[header] as string)[0]).toBe("DRAFT — not for use");

    const html = await readHtml(join(preview, "DCW40-medication.html"));
    expect(selectAll(".draft-banner", html).map((node) => hastText(node))).toEqual(["DRAFT — not for use"]);
    // A draft is in no pack: its page does not link to a pack page.
    expect(selectAll('a[href="index.html"]', html)).toEqual([]);

    // A client build leaves the previews alone; a draft approved is previewed no more.
    run = await runCli(["build", ...AS_OF, "--format", "html", "--out", "out"], dir);
    expect(await filesUnder(preview)).toEqual(files);
    const { writeFile: write } = await import("node:fs/promises");
    await write(join(dir, "policies", "DCW40-medication.md"), DRAFT.replace("status: draft", "status: approved"));
    run = await runCli(["build", ...AS_OF, "--drafts", "--format", "html", "--out", "out"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(await filesUnder(preview)).toEqual(["manifest.json"]);
  }, 240_000);

  it("a draft's preview has no read-and-sign sheet, even for an org that asks for them: staff sign approved versions", async () => {
    const dir = await workspace({ "policies/DCW40-medication.md": DRAFT });
    const { appendFile } = await import("node:fs/promises");
    await appendFile(join(dir, "orgs", "afon-homecare.yaml"), "read_and_sign: true\n");
    const SIGN = "I have read and understood";
    let run = await runCli(
      ["build", ...AS_OF, "--drafts", "--org", "afon-homecare", "--format", "pdf,docx", "--out", "out"],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    const preview = join(dir, "out", "_drafts", "afon-homecare");
    expect(pdfText(join(preview, "DCW40-medication.pdf"))).not.toContain(SIGN);
    const draftWord = await wordParts(join(preview, "DCW40-medication.docx"));
    expect(wordText(draftWord["word/document.xml"] as string).join("\n")).not.toContain(SIGN);
    // The same org's approved policies end with one.
    run = await runCli(["build", ...AS_OF, "--org", "afon-homecare", "--format", "docx", "--out", "out"], dir);
    expect(run.code, run.stderr).toBe(0);
    const approved = await wordParts(join(dir, "out", "afon-homecare", "DCW13-safeguarding-adults.docx"));
    expect(wordText(approved["word/document.xml"] as string).join("\n")).toContain(SIGN);
  }, 120_000);

  it("previews only into a real _drafts folder: never through a link", async () => {
    const dir = await workspace({ "policies/DCW40-medication.md": DRAFT });
    const { mkdir, symlink } = await import("node:fs/promises");
    await mkdir(join(dir, "out"));
    await runCli(["build", ...AS_OF, "--format", "html", "--out", "out"], dir);
    await mkdir(join(dir, "elsewhere"));
    await symlink(join(dir, "elsewhere"), join(dir, "out", "_drafts"));
    const run = await runCli(["build", ...AS_OF, "--drafts", "--format", "html", "--out", "out"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error output-folder: out/_drafts is not a folder policypack made");
    expect(await filesUnder(join(dir, "elsewhere"))).toEqual([]);
  });
});

describe("read-and-sign sheets", () => {
  it("end every policy's PDF and Word file of an org that asks, with what changed since the previous version; one combined file on the pack page and in the zip; none for other orgs", async () => {
    // The example organisation Gofal Tŷ'r Ysgol asks for them; Afon Homecare does not.
    const dir = await workspace();
    expect(await readFile(join(dir, "orgs", "gofal-tyr-ysgol.yaml"), "utf8")).toMatch(/^read_and_sign: true /m);
    expect(await readFile(join(dir, "orgs", "afon-homecare.yaml"), "utf8")).not.toContain("read_and_sign");
    const run = await runCli(["build", ...AS_OF, "--format", "pdf,docx", "--out", "out"], dir);
    expect(run.code, run.stderr).toBe(0);
    const asks = join(dir, "out", "gofal-tyr-ysgol");
    const other = join(dir, "out", "afon-homecare");
    const pagesOf = (pdf: string) =>
      Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [pdf], { encoding: "utf8" }))?.[1]);
    const squash = (text: string) => text.replace(/\s+/g, " ");

    for (const [slug, version] of [
      ["DCW13-safeguarding-adults", "1.0"],
      ["DCW31-disciplinary-and-grievance", "2.4"],
    ] as const) {
      const pdf = join(asks, `${slug}.pdf`);
      const last = squash(pdfText(pdf, pagesOf(pdf)));
      expect(last).toContain("Read and sign: staff acknowledgement");
      expect(last).toContain(`I have read and understood this policy (${slug.slice(0, 5)}, version ${version})`);
      expect(last).toContain("Name Role Signature Date");
      // The sheet is a page of its own: the policy ends on the page before.
      expect(squash(pdfText(pdf, pagesOf(pdf) - 1))).not.toContain("Read and sign");
      const word = wordText((await wordParts(join(asks, `${slug}.docx`)))["word/document.xml"] as string);
      const at = word.indexOf("Read and sign: staff acknowledgement");
      expect(at).toBeGreaterThan(word.findIndex((p) => p.startsWith("Copyright ©")));
      expect(word.slice(at)).toContain(
        `I have read and understood this policy (${slug.slice(0, 5)}, version ${version}) and I will follow it.`,
      );
      expect(word.slice(at + 1, at + 4)).toEqual([
        "Organisation: Gofal Tŷ'r Ysgol & Partners",
        expect.stringMatching(/^Policy: DCW\d+ /),
        expect.stringMatching(new RegExp(`^Version: ${version.replace(".", "\\.")}, approved `)),
      ]);
      const xml = (await wordParts(join(asks, `${slug}.docx`)))["word/document.xml"] as string;
      const table = xml.slice(xml.lastIndexOf("<w:tbl>"));
      expect(table.match(/<w:tr[ >]/g)).toHaveLength(1 + 18); // the header and 18 rows to sign
    }
    // A new version says what changed since the one before; a first issue has nothing to say.
    const changed = "What changed since version 2.3: External referrals (section 5.9)";
    const dcw31 = join(asks, "DCW31-disciplinary-and-grievance.pdf");
    expect(squash(pdfText(dcw31, pagesOf(dcw31)))).toContain(changed);
    expect(
      wordText((await wordParts(join(asks, "DCW31-disciplinary-and-grievance.docx")))["word/document.xml"] as string),
    ).toContain(`${changed}: Social Care Wales fitness to practise and the duty to refer to the DBS`);
    const dcw13 = join(asks, "DCW13-safeguarding-adults.pdf");
    expect(pdfText(dcw13, pagesOf(dcw13))).not.toContain("What changed");

    // One file with every sheet, a page each, on the pack page and in the zip.
    const sheets = join(asks, "gofal-tyr-ysgol-read-and-sign.pdf");
    expect(pagesOf(sheets)).toBe(6);
    ["DCW13", "DCW28", "DCW30", "DCW31", "DCW34", "DCW38"].forEach((code, i) => {
      const page = squash(pdfText(sheets, i + 1));
      expect(page).toContain(`I have read and understood this policy (${code}, version`);
    });
    // Gofal is bilingual: its Welsh pack page (index.html) offers the Welsh sheets, its English one these.
    const links = selectAll(".downloads a", await readHtml(join(asks, "index.en.html")));
    expect(links.map((a) => a.properties.href)).toContain("gofal-tyr-ysgol-read-and-sign.pdf");
    const welshLinks = selectAll(".downloads a", await readHtml(join(asks, "index.html")));
    expect(welshLinks.map((a) => a.properties.href)).toContain("gofal-tyr-ysgol-read-and-sign.cy.pdf");
    expect(Object.keys(unzipSync(await readFile(join(asks, "gofal-tyr-ysgol-policy-pack.zip"))))).toContain(
      "gofal-tyr-ysgol-read-and-sign.pdf",
    );
    // The manual holds the sheets too, and still numbers every page, its contents giving the page
    // each policy's title is printed on.
    const manual = join(asks, "gofal-tyr-ysgol-policy-pack.pdf");
    expect(pdfText(manual)).toContain("Read and sign: staff acknowledgement");
    const total = pagesOf(manual);
    for (let page = 1; page <= total; page++) expect(pdfText(manual, page)).toContain(`Page ${page} of ${total}`);
    const contents = [...pdfText(manual, 2).matchAll(/^(DCW\d+)\s+.+?\s+(\d+)$/gm)];
    expect(contents).toHaveLength(6);
    for (const [, code, page] of contents) {
      expect(squash(pdfText(manual, Number(page))), code).toMatch(new RegExp(`${code} · .*DOCUMENT CONTROL`));
    }

    // An org that does not ask gets none, anywhere.
    for (const name of [
      "DCW13-safeguarding-adults.pdf",
      "DCW31-disciplinary-and-grievance.pdf",
      "afon-homecare-policy-pack.pdf",
    ]) {
      expect(pdfText(join(other, name)), name).not.toMatch(/Read and sign|I have read and understood/);
    }
    const word = (await wordParts(join(other, "DCW31-disciplinary-and-grievance.docx")))["word/document.xml"] as string;
    expect(word).not.toMatch(/Read and sign|I have read and understood/);
    expect((await filesUnder(other)).filter((name) => name.includes("read-and-sign"))).toEqual([]);
    const otherLinks = selectAll("a", await readHtml(join(other, "index.html")));
    expect(otherLinks.map((a) => String(a.properties.href)).filter((href) => href.includes("read-and-sign"))).toEqual(
      [],
    );
  }, 240_000);

  it("read_and_sign is a yes/no in the schema", async () => {
    const run = await runCli(["check", ...AS_OF], await library({}, HISTORY, `${orgYaml()}read_and_sign: "yes"\n`));
    expect(run.stderr).toContain("orgs/test-care.yaml:13:16: error schema: `read_and_sign` must be a boolean");
  });
});
