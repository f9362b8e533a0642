import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { select, selectAll } from "hast-util-select";
import { toText } from "hast-util-to-text";
import { beforeAll, describe, expect, it } from "vitest";
import { orgYaml, REPO, readHtml, runCli, workspace } from "./helpers.ts";

const norm = (text: string) => text.replace(/\s+/g, " ").trim();

describe("building the example packs", () => {
  let dir: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    dir = await workspace();
    run = await runCli(["build", "--format", "html", "--as-of", "2026-11-24"], dir);
  });

  it("writes an HTML page for every organisation × policy, and exits 0", async () => {
    expect(run.code).toBe(0);
    const policies = (await readdir(join(REPO, "policies"))).filter((f) => f.endsWith(".md"));
    expect(policies.length).toBeGreaterThanOrEqual(6);
    for (const org of ["afon-homecare", "gofal-tyr-ysgol"]) {
      const files = await readdir(join(dir, "output", org));
      for (const policy of policies) expect(files).toContain(policy.replace(/\.md$/, ".html"));
      expect(files).toContain("index.html");
      expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    }
  });

  it("keeps the seed policy's text, with the organisation's details filled in", async () => {
    // The seed: the real published page this library started from (../shared/seed/000_56d52930a08f6065.txt).
    const seed = await readFile(join(REPO, "test", "fixtures", "seed-social-media-policy.txt"), "utf8");
    const html = await readHtml(join(dir, "output", "gofal-tyr-ysgol", "DCW38-using-social-media-platforms.html"));
    const text = norm(toText(select("main", html) ?? html));
    const body = seed.slice(seed.indexOf("1. Purpose"), seed.indexOf("Responsible Person:"));
    const sentences = norm(body.replaceAll("{{org_field_name}}", "Gofal Tŷ'r Ysgol & Partners"))
      .split(/(?<=[.:])\s+(?=[A-Z0-9])/)
      .filter((s) => !/^\d+(\.\d+)? /.test(s) && !s.includes("(DCW34), Safeguarding"));
    expect(sentences.length).toBeGreaterThan(60);
    const missing = sentences.filter((s) => !text.includes(s.replace(/[.:]$/, "")));
    expect(missing).toEqual([]);
    // The seed's comma-separated "read alongside" sentence became a list with the library's titles.
    const letters = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
    const related = selectAll("li", html).map((li) => letters(toText(li)));
    const seedRelated = /read alongside: (.*)\./.exec(body)?.[1]?.split(/(?<=\)),\s*/) ?? [];
    expect(seedRelated).toHaveLength(5);
    for (const title of seedRelated) expect(related).toContain(letters(title));
  });

  it("computes the reviewed-on and next-review dates per policy", async () => {
    const control = async (org: string, file: string) => {
      const html = await readHtml(join(dir, "output", org, file));
      return Object.fromEntries(
        selectAll(".doc-control tr", html).map((tr) => [
          toText(select("th", tr) ?? tr),
          toText(select("td", tr) ?? tr),
        ]),
      );
    };
    // gofal's review log records a review of the whole pack on 2025-12-15; DCW38 is annual.
    expect(await control("gofal-tyr-ysgol", "DCW38-using-social-media-platforms.html")).toMatchObject({
      "Last reviewed": "15 December 2025 by Elin Wŷn Hughes (Responsible Individual) — no changes",
      "Next review date": "15 December 2026",
      "Responsible person": "Gwenllïan Ap Rhys, Registered Manager",
    });
    // afon has a per-policy date for DCW13 (2026-01-31), and DCW30 has a 24-month cycle from 2026-03-31.
    expect(await control("afon-homecare", "DCW13-safeguarding-adults.html")).toMatchObject({
      "Last reviewed": "31 January 2026",
      "Next review date": "31 January 2027",
    });
    expect(await control("afon-homecare", "DCW30-equality-diversity-and-inclusion.html")).toMatchObject({
      "Last reviewed": "31 March 2026",
      "Next review date": "31 March 2028",
      "Review cycle": "Every 24 months",
    });
  });

  it("makes standalone, accessible pages: lang, one h1, main landmark, the pack's logo file, nothing fetched", async () => {
    const path = join(dir, "output", "afon-homecare", "DCW13-safeguarding-adults.html");
    const source = await readFile(path, "utf8");
    const html = await readHtml(path);
    expect(select("html", html)?.properties.lang).toBe("en-GB");
    expect(selectAll("h1", html)).toHaveLength(1);
    expect(select("main", html)).toBeDefined();
    expect(select(".org-header img", html)?.properties).toMatchObject({
      src: "logo.png",
      alt: "Afon Homecare Ltd logo",
    });
    expect(selectAll("script, link, iframe", html)).toEqual([]);
    expect(source).not.toMatch(/(src|href)="https?:/);
    expect(source).toContain("Copyright © 2026 – Afon Homecare Ltd. All rights reserved.");
  });

  it("lists every policy of the pack on its index page", async () => {
    const html = await readHtml(join(dir, "output", "gofal-tyr-ysgol", "index.html"));
    const codes = selectAll("tbody tr", html).map((tr) => toText(select("th", tr) ?? tr));
    // Due for review first (gofal's annual policies, due 15 December 2026), then DCW30, reviewed
    // again after the new Code came into force.
    expect(codes).toEqual(["DCW13", "DCW28", "DCW31", "DCW34", "DCW38", "DCW30"]);
  });
});

describe("organisation values are text, never markup", () => {
  const HOSTILE = "A & B <Care> *Ltd* <script>alert(1)</script> [link](javascript:x) {{x}} <<org_field_email>>";

  it("prints a hostile name exactly as typed in the title, header, body and footer", async () => {
    const policy = [
      "---",
      "code: TST1",
      "title: Test Policy",
      'version: "1.0"',
      "---",
      "",
      "## 1. Purpose",
      "",
      "**<<org_field_name>>** runs this service.",
      "",
      "- Managed by <<org_field_name>>",
      "",
    ].join("\n");
    const dir = await workspace(
      { "policies/TST1-test.md": policy, "orgs/test-care.yaml": orgYaml({ name: JSON.stringify(HOSTILE) }) },
      { examples: false },
    );
    const run = await runCli(["build", "--format", "html", "--as-of", "2026-11-24"], dir);
    expect(run.code).toBe(0);
    const html = await readHtml(join(dir, "output", "test-care", "TST1-test.html"));
    expect(selectAll("script, em", html)).toEqual([]);
    expect(selectAll("main a", html)).toEqual([]);
    expect(toText(select("title", html) ?? html)).toBe(`Test Policy – ${HOSTILE}`);
    expect(toText(select(".org-name", html) ?? html)).toBe(HOSTILE);
    expect(toText(select("main strong", html) ?? html)).toBe(HOSTILE);
    expect(toText(select("main li", html) ?? html)).toBe(`Managed by ${HOSTILE}`);
    expect(toText(select(".doc-footer", html) ?? html)).toContain(`Copyright © 2026 – ${HOSTILE}.`);
  });
});

describe("one broken organisation does not stop the others", () => {
  it("builds the good packs, skips the broken one, and exits 1", async () => {
    const dir = await workspace({
      "orgs/broken-care.yaml": orgYaml({ email: "not-an-email", reviewed_on: "2026-02-30" }),
    });
    const run = await runCli(["build", "--format", "html", "--as-of", "2026-11-24"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("orgs/broken-care.yaml:12:14: error schema:");
    expect(run.stderr).toContain("skipped broken-care");
    expect(existsSync(join(dir, "output", "broken-care"))).toBe(false);
    expect(existsSync(join(dir, "output", "afon-homecare", "DCW13-safeguarding-adults.html"))).toBe(true);
    expect(existsSync(join(dir, "output", "gofal-tyr-ysgol", "DCW13-safeguarding-adults.html"))).toBe(true);
  });

  it("--org builds only the named organisation", async () => {
    const dir = await workspace();
    const run = await runCli(["build", "--format", "html", "--org", "gofal-tyr-ysgol", "--as-of", "2026-11-24"], dir);
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, "output", "gofal-tyr-ysgol", "index.html"))).toBe(true);
    expect(existsSync(join(dir, "output", "afon-homecare"))).toBe(false);
  });
});
