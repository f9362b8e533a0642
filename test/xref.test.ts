import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { select, selectAll } from "hast-util-select";
import { toText } from "hast-util-to-text";
import { describe, expect, it } from "vitest";
import { quotedTitleBefore } from "../src/xref/extract.ts";
import { orgYaml, policyMd, readHtml, runCli, workspace } from "./helpers.ts";

const SAFEGUARDING = policyMd(
  { code: "DCW13", title: "Safeguarding Adults Policy", version: '"1.0"' },
  "\n## 1. Purpose\n\nRead with the Disciplinary Policy (DCW31).\n",
);
const DISCIPLINARY = policyMd(
  { code: "DCW31", title: "Disciplinary Policy", version: '"1.0"' },
  "\n## 1. Purpose\n\nRead with the Safeguarding Adults Policy (DCW13).\n",
);

/** `check` on a two-policy library plus `extra` files; the org's pack is both policies unless overridden. */
async function check(extra: Record<string, string>, args: string[] = []) {
  const dir = await workspace(
    {
      "policies/DCW13-safeguarding.md": SAFEGUARDING,
      "policies/DCW31-disciplinary.md": DISCIPLINARY,
      "orgs/test-care.yaml": orgYaml(),
      ...extra,
    },
    { examples: false },
  );
  return runCli(["check", "--as-of", "2026-11-24", ...args], dir);
}

const withBody = (code: string, title: string, body: string) => policyMd({ code, title, version: '"1.0"' }, body);

describe("cross-reference checks", () => {
  it("the example library has no cross-reference problems", async () => {
    const run = await runCli(["check", "--as-of", "2026-11-24"], await workspace());
    expect(run.stderr).not.toContain("xref-");
    expect(run.code).toBe(0);
  });

  it("a code not in the library is an error at its position, with a did-you-mean from the quoted title", async () => {
    const body = "\nSee the Disciplinary Policy (DCW32) and DCW99.\n";
    const run = await check({
      "policies/DCW13-safeguarding.md": withBody("DCW13", "Safeguarding Adults Policy", body),
    });
    expect(run.stderr).toContain(
      "policies/DCW13-safeguarding.md:7:30: error xref-unknown: DCW32 is not a policy in the library",
    );
    expect(run.stderr).toContain("hint: did you mean DCW31 (Disciplinary Policy)?");
    expect(run.stderr).toContain(
      "policies/DCW13-safeguarding.md:7:41: error xref-unknown: DCW99 is not a policy in the library",
    );
    expect(run.code).toBe(1);
  });

  it("a quoted title that differs from the library's is a warning showing both", async () => {
    const body = "\nSee the Staff Discipline Policy (DCW31), and the disciplinary (DCW31).\n";
    const run = await check({
      "policies/DCW13-safeguarding.md": withBody("DCW13", "Safeguarding Adults Policy", body),
    });
    expect(run.stderr).toContain(
      'policies/DCW13-safeguarding.md:7:34: warning xref-title: DCW31 is quoted as "Staff Discipline Policy", but its title is "Disciplinary Policy"',
    );
    expect(run.stderr.match(/xref-title/g)).toHaveLength(1); // "the disciplinary (DCW31)" is not a quoted title
    expect(run.code).toBe(0);
  });

  it("ignores case, punctuation and a trailing 'Policy' when comparing titles", async () => {
    const body = "\nSee the DISCIPLINARY (DCW31) and the Disciplinary, Policy (DCW31).\n";
    const run = await check({
      "policies/DCW13-safeguarding.md": withBody("DCW13", "Safeguarding Adults Policy", body),
    });
    expect(run.stderr).not.toContain("xref-title");
  });

  it("a policy citing itself is a warning", async () => {
    const body = "\nThis is the Safeguarding Adults Policy (DCW13). See also DCW31.\n";
    const run = await check({
      "policies/DCW13-safeguarding.md": withBody("DCW13", "Safeguarding Adults Policy", body),
    });
    expect(run.stderr).toContain("policies/DCW13-safeguarding.md:7:41: warning xref-self: DCW13 cites itself");
  });

  it("the same code twice in Related Policies is a warning at the second", async () => {
    const body =
      "\n## 5. Related Policies\n\n- Disciplinary Policy (DCW31)\n- Disciplinary Policy (DCW31)\n\n## 6. Review\n\nDCW31 again.\n";
    const run = await check({
      "policies/DCW13-safeguarding.md": withBody("DCW13", "Safeguarding Adults Policy", body),
    });
    expect(run.stderr).toContain(
      "policies/DCW13-safeguarding.md:10:24: warning xref-duplicate: DCW31 is listed twice in Related Policies",
    );
    expect(run.stderr.match(/xref-duplicate/g)).toHaveLength(1);
  });

  it("a citation of a policy outside the org's pack is an error for that org, naming the policy line", async () => {
    const org = `${orgYaml()}policies:\n  - DCW13\n`;
    const run = await check({ "orgs/test-care.yaml": org });
    expect(run.stderr).toContain(
      "orgs/test-care.yaml:13:1: error xref-outside-pack: DCW13 cites DCW31 at policies/DCW13-safeguarding.md:9:36, but DCW31 is not in this pack",
    );
    expect(run.code).toBe(1);
  });

  it("--references-outside-pack warning, or the citing policy's front matter, lowers it to a warning", async () => {
    const org = `${orgYaml()}policies:\n  - DCW13\n`;
    const flag = await check({ "orgs/test-care.yaml": org }, ["--references-outside-pack", "warning"]);
    expect(flag.stderr).toContain("warning xref-outside-pack");
    expect(flag.code).toBe(0);
    const lowered = policyMd(
      { code: "DCW13", title: "Safeguarding Adults Policy", version: '"1.0"', references_outside_pack: "warning" },
      "\n## 1. Purpose\n\nRead with the Disciplinary Policy (DCW31).\n",
    );
    const front = await check({ "orgs/test-care.yaml": org, "policies/DCW13-safeguarding.md": lowered });
    expect(front.stderr).toContain("warning xref-outside-pack");
    expect(front.code).toBe(0);
  });

  it("reads the title before '(CODE)' the way policies cite each other", () => {
    expect(quotedTitleBefore("in line with the Safeguarding Adults from Abuse and Improper Treatment Policy (")).toBe(
      "Safeguarding Adults from Abuse and Improper Treatment Policy",
    );
    expect(quotedTitleBefore("Confidentiality and Data Protection (GDPR) Policy (")).toBe(
      "Confidentiality and Data Protection (GDPR) Policy",
    );
    expect(quotedTitleBefore("read alongside: Equality, Diversity, and Inclusion Policy (")).toBe(
      "Equality, Diversity, and Inclusion Policy",
    );
    expect(quotedTitleBefore("the policy (")).toBeUndefined();
    expect(quotedTitleBefore("see DCW13")).toBeUndefined();
  });
});

describe("codes written loosely", () => {
  const FILE = "policies/DCW13-safeguarding.md";
  const checkBody = (body: string) =>
    check({ [FILE]: withBody("DCW13", "Safeguarding Adults Policy", body) }).then((run) => ({
      ...run,
      loose: run.stderr.split("\n").filter((line) => line.includes("xref-loose")),
    }));

  it.each([
    ["DCW 31", "a space"],
    ["dcw31", "lower case"],
    ["Dcw31", "mixed case"],
    ["DCW-31", "a hyphen"],
    ["DCW – 31", "a spaced en dash"],
    ["DCW\u00A031", "a no-break space"],
    ["DCW031", "a leading zero"],
    ["ＤＣＷ３１", "full-width letters and digits"],
    ["DCW３１", "full-width digits"],
  ])("%s (%s) is a warning at its line and column, with the canonical code", async (variant) => {
    const run = await checkBody(`\nRead with the policy ${variant} today.\n`);
    expect(run.loose).toEqual([
      `${FILE}:7:22: warning xref-loose: "${variant}" is DCW31 (Disciplinary Policy) written loosely, so it is not linked`,
    ]);
    expect(run.stderr).toContain(`written loosely, so it is not linked\n  hint: write DCW31\n`);
    expect(run.stderr).not.toContain("xref-unknown"); // DCW031 is DCW31, not an unknown code
    expect(run.code).toBe(0);
  });

  it("DCW31a is not a code: a warning naming the nearest, DCW31", async () => {
    const run = await checkBody("\nRead with DCW31a.\n");
    expect(run.loose).toEqual([
      `${FILE}:7:11: warning xref-loose: "DCW31a" is not a code; the nearest is DCW31 (Disciplinary Policy)`,
    ]);
    expect(run.stderr).toContain("hint: write DCW31\n");
  });

  it("reports each variant of a line at its own column, after full-width text and on later lines", async () => {
    const run = await checkBody("\nＤＣＷ３１ and dcw13, then DCW 31.\n\n- *See* DCW-13 (or DCW 31a)\n");
    expect(run.loose.map((line) => line.split(": warning")[0])).toEqual([
      `${FILE}:7:1`,
      `${FILE}:7:11`,
      `${FILE}:7:23`,
      `${FILE}:9:9`,
      `${FILE}:9:20`,
    ]);
  });

  it("finds codes in a paragraph whose web address GFM links only after parsing (https\\://, as import writes it)", async () => {
    const run = await checkBody("\nSee https\\://example.org/dcw31 for DCW99 and dcw31.\n");
    expect(run.stderr).toContain(`${FILE}:7:36: error xref-unknown: DCW99 is not a policy in the library`);
    expect(run.loose).toEqual([
      `${FILE}:7:46: warning xref-loose: "dcw31" is DCW31 (Disciplinary Policy) written loosely, so it is not linked`,
    ]);
  });

  it("leaves canonical codes, unknown numbers, code, addresses, file names and longer words alone", async () => {
    const body = [
      "",
      "Read with DCW31 and DCW13 (DCW31, DCW13).",
      "",
      "DCW 99 and dcw 4000 are no policy's number; XDCW31, DCW31ab and 2DCW31 are other words.",
      "",
      "Type `dcw31` or `DCW 31`; see https://example.org/dcw31, <https://example.org/DCW-31>,",
      "www.example.org/dcw-31, [the form](https://example.org/dcw31), dcw31@example.org and dcw31.pdf.",
      "",
      "```",
      "DCW 31",
      "```",
      "",
      "<!-- dcw31 -->",
      "",
    ].join("\n");
    const run = await checkBody(body);
    expect(run.loose).toEqual([]);
    expect(run.stderr).not.toContain("xref-unknown");
    expect(run.code).toBe(0);
  });

  it("only canonical codes become links; variants stay text", async () => {
    const body = "\n## 1. Purpose\n\nSee DCW31, DCW 31, dcw31, DCW031 and ＤＣＷ３１.\n";
    const dir = await workspace(
      {
        [FILE]: withBody("DCW13", "Safeguarding Adults Policy", body),
        "policies/DCW31-disciplinary.md": DISCIPLINARY,
        "orgs/test-care.yaml": orgYaml(),
      },
      { examples: false },
    );
    const run = await runCli(["build", "--format", "html", "--as-of", "2026-11-24"], dir);
    expect(run.code, run.stderr).toBe(0);
    const html = await readHtml(join(dir, "output", "test-care", "DCW13-safeguarding.html"));
    const paragraph = selectAll("main p", html).find((p) => toText(p).startsWith("See DCW31"));
    expect(toText(paragraph ?? html)).toBe("See DCW31, DCW 31, dcw31, DCW031 and ＤＣＷ３１.");
    expect(selectAll("a", paragraph ?? html).map((a) => toText(a))).toEqual(["DCW31"]);
  });
});

describe("a title quoted with another policy's code", () => {
  it("is an error whose hint names the code of the policy with that title", async () => {
    const body = "\nSee the Disciplinary Policy (DCW13) and our Safeguarding Adults Policy (DCW31).\n";
    const run = await check({ "policies/DCW50-lone-working.md": withBody("DCW50", "Lone Working Policy", body) });
    expect(run.stderr).toContain(
      'policies/DCW50-lone-working.md:7:30: error xref-wrong-code: DCW13 is quoted as "Disciplinary Policy", which is the title of DCW31; DCW13 is "Safeguarding Adults Policy"\n  hint: write DCW31, the code of "Disciplinary Policy"\n',
    );
    expect(run.stderr).toContain(
      'policies/DCW50-lone-working.md:7:73: error xref-wrong-code: DCW31 is quoted as "Safeguarding Adults Policy", which is the title of DCW13; DCW31 is "Disciplinary Policy"\n  hint: write DCW13, the code of "Safeguarding Adults Policy"\n',
    );
    expect(run.stderr).not.toContain("xref-title"); // not also a warning to change the title
    expect(run.code).toBe(1);
  });

  it("names the policy the title names most exactly", async () => {
    const grievance = withBody("DCW32", "Grievance Policy", "\nA grievance.\n");
    const staff = withBody("DCW33", "Staff Grievance Policy", "\nA staff grievance.\n");
    const body = "\nSee the Staff Grievance Policy (DCW31).\n";
    const run = await check({
      "policies/DCW32-grievance.md": grievance,
      "policies/DCW33-staff-grievance.md": staff,
      "policies/DCW50-lone-working.md": withBody("DCW50", "Lone Working Policy", body),
    });
    expect(run.stderr).toContain('hint: write DCW33, the code of "Staff Grievance Policy"');
  });

  it("is only a warning when the quote just ends like another policy's title: more likely its own title misquoted", async () => {
    const dataProtection = withBody("DCW40", "Data Protection Policy", "\nData.\n");
    const body = "\nSee the Confidentiality and Data Protection Policy (DCW41).\n";
    const run = await check({
      "policies/DCW40-data-protection.md": dataProtection,
      "policies/DCW41-confidentiality.md": withBody(
        "DCW41",
        "Confidentiality and Data Protection (GDPR) Policy",
        "\nSecrets.\n",
      ),
      "policies/DCW50-lone-working.md": withBody("DCW50", "Lone Working Policy", body),
    });
    expect(run.stderr).not.toContain("xref-wrong-code");
    expect(run.stderr).toContain('warning xref-title: DCW41 is quoted as "Confidentiality and Data Protection Policy"');
  });
});

describe("cross-references in the built packs", () => {
  it("every link in every HTML file of output/ reaches a file that exists", async () => {
    const dir = await workspace();
    expect((await runCli(["build", "--as-of", "2026-11-24"], dir)).code).toBe(0);
    const out = join(dir, "output");
    const pages = (await readdir(out, { recursive: true })).filter((f) => f.endsWith(".html"));
    expect(pages.length).toBeGreaterThanOrEqual(14);
    let followed = 0;
    for (const page of pages) {
      const html = await readHtml(join(out, page));
      for (const a of selectAll("a[href]", html)) {
        const href = String(a.properties.href);
        if (href.startsWith("#")) {
          expect(select(`[id="${href.slice(1)}"]`, html), `${page} → ${href}`).toBeDefined();
          continue;
        }
        expect(href, `${page} links outside the pack`).not.toMatch(/^[a-z]+:/);
        const target = join(out, dirname(page), decodeURIComponent(href.split("#")[0] as string));
        expect(existsSync(target), `${page} → ${relative(out, target)}`).toBe(true);
        followed++;
      }
    }
    expect(followed).toBeGreaterThan(100);
  });

  it("links each cited code to its page and lists who cites a policy", async () => {
    const dir = await workspace();
    await runCli(["build", "--org", "afon-homecare", "--as-of", "2026-11-24"], dir);
    const html = await readHtml(join(dir, "output", "afon-homecare", "DCW38-using-social-media-platforms.html"));
    const link = selectAll("main a", html).find((a) => toText(a) === "DCW13");
    expect(link?.properties.href).toBe("DCW13-safeguarding-adults.html");
    const headings = selectAll("main h2", html).map((h) => toText(h));
    expect(headings.at(-1)).toBe("Referenced by");
    const citedBy = selectAll("main > article > ul:last-child li", html).map((li) => toText(li));
    expect(citedBy).toContain("Safeguarding Adults from Abuse and Improper Treatment Policy (DCW13)");
    expect(citedBy).not.toContain("Using Social Media Platforms Policy (DCW38)");
  });
});

describe("organisation values are never cross-references", () => {
  it("a code inside an organisation's name stays text; the policy's own citation still links", async () => {
    const body = "\n## 1. Purpose\n\n<<org_field_name>> follows the Disciplinary Policy (DCW31).\n";
    const dir = await workspace(
      {
        "policies/DCW13-safeguarding.md": withBody("DCW13", "Safeguarding Adults Policy", body),
        "policies/DCW31-disciplinary.md": DISCIPLINARY,
        "orgs/test-care.yaml": orgYaml({ name: "Care DCW31 Ltd" }),
      },
      { examples: false },
    );
    const run = await runCli(["build", "--format", "html", "--as-of", "2026-11-24"], dir);
    expect(run.code, run.stderr).toBe(0);
    const html = await readHtml(join(dir, "output", "test-care", "DCW13-safeguarding.html"));
    const paragraph = selectAll("main p", html).find((p) => toText(p).includes("follows the Disciplinary"));
    expect(toText(paragraph ?? html)).toContain("Care DCW31 Ltd follows the Disciplinary Policy (DCW31).");
    const links = selectAll("a", paragraph ?? html).map((a) => [toText(a), a.properties.href]);
    expect(links).toEqual([["DCW31", "DCW31-disciplinary.html"]]);
  });
});

describe("policypack xref", () => {
  it("prints the graph as a table, JSON or Graphviz dot, with the policies nobody cites", async () => {
    const orphan = withBody("DCW50", "Lone Working Policy", "\nSee the Safeguarding Adults Policy (DCW13).\n");
    const dir = await workspace(
      {
        "policies/DCW13-safeguarding.md": SAFEGUARDING,
        "policies/DCW31-disciplinary.md": DISCIPLINARY,
        "policies/DCW50-lone-working.md": orphan,
        "orgs/test-care.yaml": orgYaml(),
      },
      { examples: false },
    );
    const table = await runCli(["xref"], dir);
    expect(table.stdout).toMatch(/^DCW13\s+Safeguarding Adults Policy\s+DCW31\s+DCW31 DCW50$/m);
    expect(table.stdout).toContain("Not cited by any policy: DCW50");
    const json = JSON.parse((await runCli(["xref", "--format", "json"], dir)).stdout);
    expect(json.uncited).toEqual(["DCW50"]);
    expect(json.policies.find((p: { code: string }) => p.code === "DCW50").cites).toEqual(["DCW13"]);
    expect((await runCli(["xref", "--format", "dot"], dir)).stdout).toContain('"DCW50" -> "DCW13";');
    expect((await runCli(["xref", "--format", "svg"], dir)).code).toBe(2);
  });
});
