// Bad input the load and check stages meet: characters no document can carry, files that are not
// UTF-8 or not files at all, unsafe links, logos from outside orgs/, and input deep or large enough
// to hang or overflow a parser. Each must be a diagnostic at its file:line:column, never a hang.
import { execFileSync } from "node:child_process";
import { appendFile, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostileCase } from "./case.ts";

const ORG = "orgs/afon-homecare.yaml";
const POLICY = "policies/DCW13-safeguarding-adults.md";
const PNG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]);

/** Rewrites the example organisation's file. */
const editOrg =
  (edit: (text: string) => string | Uint8Array) =>
  async (dir: string): Promise<void> => {
    await writeFile(join(dir, ORG), edit(await readFile(join(dir, ORG), "utf8")));
  };

/** Replaces the organisation's `name` line (line 2) with `line`. */
const nameLine = (line: string) => editOrg((text) => text.replace(/^name: .*$/m, line));

/** Appends Markdown to the end of a policy; `policyLines` + 2 is the first appended line. */
const appendToPolicy = (markdown: string) => async (dir: string) => {
  await appendFile(join(dir, POLICY), `\n${markdown}\n`);
};

/** The line the text appended by appendToPolicy starts on (the example DCW13 has this many lines, plus the blank). */
const POLICY_LINES = (await readFile(join(import.meta.dirname, "..", "..", POLICY), "utf8")).split("\n").length;
const appendedAt = (offset = 0) => POLICY_LINES + 1 + offset;

const check = ["check", "--as-of", "2026-11-24"];
const mkfifo = (path: string) => execFileSync("mkfifo", [path]);

const characterCases: HostileCase[] = [
  {
    name: "a NUL character in an organisation's name",
    setup: nameLine("name: Afon\u0000 Homecare"),
    args: check,
    exit: 1,
    says: /orgs\/afon-homecare\.yaml:2:11: error character: the control character U\+0000 cannot appear/,
  },
  {
    name: "U+FFFE in an organisation value",
    setup: nameLine("name: Afon \uFFFE Homecare"),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:2:12: error character: the non-character U\+FFFE/,
  },
  {
    name: "the tool's own private-use token characters in a value",
    setup: nameLine("name: Afon \uE0000\uE001 Homecare"),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:2:12: error character: the private-use character U\+E000[^\n]*\n\s+hint: delete it/,
  },
  {
    name: "a lone surrogate written as a YAML escape",
    setup: nameLine('name: "Afon \\uD800 Homecare"'),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:2:7: error character: this value holds a lone surrogate U\+D800/,
  },
  {
    name: "a NUL written as a YAML escape",
    setup: nameLine('name: "Afon \\0 Homecare"'),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:2:7: error character: this value holds the control character U\+0000/,
  },
  {
    name: "a vertical tab in a policy body",
    setup: appendToPolicy("Text with a \u000B vertical tab."),
    args: check,
    exit: 1,
    says: new RegExp(
      `DCW13-safeguarding-adults\\.md:${appendedAt()}:13: error character: the control character U\\+000B`,
    ),
  },
  {
    name: "a 1 MB organisation name is a schema error, not a hang",
    setup: nameLine(`name: ${"A".repeat(1024 * 1024)}`),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:2:7: error schema: `name` is 1048576 characters long; at most 200 are allowed/,
  },
  {
    name: "a 1 MB organisation name stops only its own pack",
    setup: nameLine(`name: ${"A".repeat(1024 * 1024)}`),
    args: ["build", "--as-of", "2026-11-24", "--format", "html"],
    exit: 1,
    says: /afon-homecare\.yaml:2:7: error schema[\s\S]*gofal-tyr-ysgol: \d+ built/,
  },
  {
    name: "a 201-character name",
    setup: nameLine(`name: ${"A".repeat(201)}`),
    args: check,
    exit: 1,
    says: /`name` is 201 characters long; at most 200 are allowed/,
  },
];

const encodingCases: HostileCase[] = [
  {
    name: "an organisation file in Windows-1252",
    setup: editOrg((text) => Buffer.from(text.replace("Afon Homecare Ltd", "Caf\u00e9 Homecare Ltd"), "latin1")),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:2:10: error encoding: byte 0xe9 is not UTF-8 text[^\n]*\n\s+hint: save it as UTF-8/,
  },
  {
    name: "an organisation file in UTF-16 with a byte-order mark",
    setup: editOrg((text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:1:1: error encoding: the file is UTF-16 text[^\n]*\n\s+hint: save it as UTF-8/,
  },
  {
    name: "a policy in Latin-1",
    setup: async (dir) => {
      const text = await readFile(join(dir, POLICY), "utf8");
      await writeFile(join(dir, POLICY), Buffer.from(`${text}\nCaf\u00e9.\n`, "latin1"));
    },
    args: check,
    exit: 1,
    says: new RegExp(`DCW13-safeguarding-adults\\.md:${appendedAt()}:4: error encoding: byte 0xe9`),
  },
  {
    name: "an organisation schema in UTF-16 is an environment error",
    setup: async (dir) => {
      const text = await readFile(join(dir, "orgs/org.schema.json"), "utf8");
      await writeFile(
        join(dir, "orgs/org.schema.json"),
        Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]),
      );
    },
    args: check,
    exit: 2,
    says: /org\.schema\.json: the file is UTF-16 text[^\n]*save it as UTF-8/,
  },
];

/** Each link on its own paragraph, from the first appended line, and the scheme reported for it. */
const UNSAFE_LINKS = [
  ["[click](javascript:alert(1))", "javascript"],
  ["[click](JaVaScRiPt:alert(1))", "javascript"],
  ["[click](java&#x09;script:alert(1))", "javascript"],
  ["[click](javascript&colon;alert(1))", "javascript"],
  ["[click](data:text/html,<script>alert(1)</script>)", "data"],
  ["[click](vbscript:msgbox)", "vbscript"],
  ["[click](file:///etc/passwd)", "file"],
  ["<javascript:alert(1)>", "javascript"],
  ["[x]: javascript:alert(1)", "javascript"],
  ["![x](data:image/png;base64,iVBORw0KGgo=)", "image-data"],
];
/** Remote images, each on its own paragraph; the last is reported at its definition. */
const REMOTE_IMAGES = [
  "![pixel](http://tracker.example/p.png)",
  "![pixel](HTTPS://tracker.example/p.png)",
  "![pixel](//tracker.example/p.png)",
  "![pixel][p]",
  "[p]: https://tracker.example/p.png",
];
/** A pattern that matches only when every one of `parts` occurs, in any order. */
const allOf = (parts: string[]) => new RegExp(parts.map((part) => `(?=[\\s\\S]*${part})`).join(""));

const linkCases: HostileCase[] = [
  {
    name: "javascript:, data:, vbscript: and file: links, however written, in a policy body",
    setup: appendToPolicy(UNSAFE_LINKS.map(([markdown]) => markdown).join("\n\n")),
    args: check,
    exit: 1,
    says: allOf(
      UNSAFE_LINKS.map(([, scheme], i) =>
        scheme === "image-data"
          ? `md:${appendedAt(2 * i)}:1: error link-scheme: an image with a data: address`
          : `md:${appendedAt(2 * i)}:1: error link-scheme: a link to a ${scheme}: address[^\\n]*\\n\\s+hint: link to a web page`,
      ),
    ),
  },
  {
    name: "remote images in a policy body",
    setup: appendToPolicy(REMOTE_IMAGES.join("\n\n")),
    args: check,
    exit: 1,
    says: allOf(
      [0, 1, 2, 4].map(
        (i) =>
          `md:${appendedAt(2 * i)}:1: error remote-image: [^\\n]*never makes the reader's browser fetch anything\\n\\s+hint: put the image in the library and reference it relatively, or remove it`,
      ),
    ),
  },
  {
    name: "https, mailto, tel and relative links are fine",
    setup: appendToPolicy("[a](https://x.example) [b](mailto:a@x.example) [c](tel:+441234) [d](other.html) [e](#top)"),
    args: check,
    exit: 0,
  },
];

const logoCases: HostileCase[] = [
  {
    name: "a logo outside the organisations folder",
    setup: async (dir) => {
      await writeFile(join(dir, "outside.png"), PNG);
      await editOrg((text) => text.replace(/^logo: .*$/m, "logo: ../outside.png"))(dir);
    },
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:4:7: error logo: logo \.\.\/outside\.png is outside the organisations folder/,
  },
  {
    name: "a logo at an absolute path",
    setup: editOrg((text) => text.replace(/^logo: .*$/m, "logo: /etc/passwd.png")),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:4:7: error logo: logo file \/etc\/passwd\.png not found/,
  },
  {
    name: "a logo symlinked to a file outside",
    setup: async (dir) => {
      await writeFile(join(dir, "outside.png"), PNG);
      await symlink(join(dir, "outside.png"), join(dir, "orgs/logos/evil.png"));
      await editOrg((text) => text.replace(/^logo: .*$/m, "logo: logos/evil.png"))(dir);
    },
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:4:7: error logo: logo logos\/evil\.png is outside the organisations folder/,
  },
  {
    name: "a logo symlinked to /dev/zero",
    setup: async (dir) => {
      await symlink("/dev/zero", join(dir, "orgs/logos/zero.png"));
      await editOrg((text) => text.replace(/^logo: .*$/m, "logo: logos/zero.png"))(dir);
    },
    args: check,
    exit: 1,
    says: /error logo: logo logos\/zero\.png is outside the organisations folder/,
  },
  {
    name: "a logo that is a FIFO",
    setup: async (dir) => {
      mkfifo(join(dir, "orgs/logos/fifo.png"));
      await editOrg((text) => text.replace(/^logo: .*$/m, "logo: logos/fifo.png"))(dir);
    },
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:4:7: error logo: logo logos\/fifo\.png: \S+ is not a regular file/,
  },
  {
    name: "a logo that is a folder",
    setup: async (dir) => {
      await mkdir(join(dir, "orgs/logos/folder.png"));
      await editOrg((text) => text.replace(/^logo: .*$/m, "logo: logos/folder.png"))(dir);
    },
    args: check,
    exit: 1,
    says: /error logo: logo logos\/folder\.png: \S+ is a folder, not a file/,
  },
  {
    name: "a 6 MB logo",
    setup: async (dir) => {
      await writeFile(join(dir, "orgs/logos/big.png"), Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024)]));
      await editOrg((text) => text.replace(/^logo: .*$/m, "logo: logos/big.png"))(dir);
    },
    args: check,
    exit: 1,
    says: /error logo: logo logos\/big\.png: \S+ is 6\.0 MB, more than the 5\.0 MB allowed/,
  },
  {
    name: "a text file named .png",
    setup: async (dir) => {
      await writeFile(join(dir, "orgs/logos/fake.png"), "not a picture");
      await editOrg((text) => text.replace(/^logo: .*$/m, "logo: logos/fake.png"))(dir);
    },
    args: check,
    exit: 1,
    says: /error logo: logo logos\/fake\.png is not really a image\/png image/,
  },
];

const fileCases: HostileCase[] = [
  {
    name: "a folder named x.yaml in orgs/",
    setup: async (dir) => {
      await mkdir(join(dir, "orgs/x.yaml"));
    },
    args: check,
    exit: 1,
    says: /orgs\/x\.yaml:1:1: error file: orgs\/x\.yaml is a folder, not a file/,
  },
  {
    name: "a FIFO named x.yaml in orgs/",
    setup: async (dir) => {
      mkfifo(join(dir, "orgs/x.yaml"));
    },
    args: check,
    exit: 1,
    says: /orgs\/x\.yaml:1:1: error file: orgs\/x\.yaml is not a regular file/,
  },
  {
    name: "a FIFO as the legislation register",
    setup: async (dir) => {
      await rm(join(dir, "policies/legislation.yaml"), { force: true });
      mkfifo(join(dir, "policies/legislation.yaml"));
    },
    args: check,
    exit: 1,
    says: /policies\/legislation\.yaml:1:1: error file: \S+ is not a regular file/,
  },
  {
    name: "the legislation register in UTF-16",
    setup: async (dir) => {
      const file = join(dir, "policies/legislation.yaml");
      const text = await readFile(file, "utf8").catch(() => "laws: []\n");
      await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    },
    args: check,
    exit: 1,
    says: /policies\/legislation\.yaml:1:1: error encoding: the file is UTF-16 text/,
  },
  {
    name: "a folder named like a policy",
    setup: async (dir) => {
      await mkdir(join(dir, "policies/DCW99-folder.md"));
    },
    args: check,
    exit: 1,
    says: /policies\/DCW99-folder\.md:1:1: error file: \S+ is a folder, not a file/,
  },
  {
    name: "a policy larger than 1 MB",
    setup: appendToPolicy("Words and more words. ".repeat(55_000)),
    args: check,
    exit: 1,
    says: /DCW13-safeguarding-adults\.md:1:1: error file: \S+ is 1\.\d MB, more than the 1\.0 MB allowed/,
  },
  {
    name: "one organisation in two files, afon-homecare.yaml and afon-homecare.yml",
    setup: async (dir) => {
      const text = await readFile(join(dir, ORG), "utf8");
      await writeFile(join(dir, "orgs/afon-homecare.yml"), text.replace("Afon Homecare Ltd", "Other Care Ltd"));
    },
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:1:1: error duplicate-org: orgs\/afon-homecare\.yml also gives the organisation id "afon-homecare"[\s\S]*afon-homecare\.yml:1:1: error duplicate-org: orgs\/afon-homecare\.yaml also gives/,
  },
];

const ALIAS_BOMB = [
  "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
  ...["b", "c", "d", "e", "f", "g", "h", "i"].map(
    (name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(", ")}]`,
  ),
].join("\n");

const limitCases: HostileCase[] = [
  {
    name: "5,000 nested blockquotes",
    setup: appendToPolicy(`${"> ".repeat(5000)}deep`),
    args: check,
    exit: 1,
    says: new RegExp(
      `DCW13-safeguarding-adults\\.md:${appendedAt()}:65: error markdown-depth: quotes and lists are nested more than 32 levels`,
    ),
  },
  {
    name: "1,000 nested blockquotes, one more per line",
    setup: appendToPolicy(Array.from({ length: 1000 }, (_, i) => `${">".repeat(i + 1)} level ${i}`).join("\n")),
    args: check,
    exit: 1,
    says: new RegExp(`DCW13-safeguarding-adults\\.md:${appendedAt(32)}:33: error markdown-depth`),
  },
  {
    name: "700 nested lists, two columns more per line (1 MB)",
    setup: appendToPolicy(Array.from({ length: 700 }, (_, i) => `${"  ".repeat(i)}- level ${i}`).join("\n")),
    args: check,
    exit: 1,
    says: /error markdown-depth: quotes and lists are nested more than 32 levels/,
  },
  {
    name: "5,000 nested lists on one line",
    setup: appendToPolicy(`${"- ".repeat(5000)}deep`),
    args: check,
    exit: 1,
    says: new RegExp(
      `DCW13-safeguarding-adults\\.md:${appendedAt()}:65: error markdown-depth: quotes and lists are nested`,
    ),
  },
  {
    name: "50,000 nested brackets",
    setup: appendToPolicy(`${"![".repeat(50_000)}x${"](y)".repeat(50_000)}`),
    args: check,
    exit: 1,
    says: /error markdown-depth: more than 32 "\[" are open at once/,
  },
  {
    name: "emphasis nested 200 deep",
    setup: appendToPolicy(`${"*a _".repeat(100)}x${"_ b*".repeat(100)}`),
    args: check,
    exit: 1,
    says: /error markdown-depth: the Markdown is nested more than 64 levels deep/,
  },
  {
    name: "100,000 emphasis marks in one paragraph (the parser's pairing is quadratic)",
    setup: appendToPolicy(`${"a**".repeat(50_000)}\n`),
    args: check,
    exit: 1,
    says: /error markdown-depth: this paragraph has more than 500 emphasis and link marks/,
  },
  {
    name: "10,000 nested <<#if>> lines",
    setup: appendToPolicy(`${"<<#if org_field_website>>\n".repeat(10_000)}x\n${"<</if>>\n".repeat(10_000)}`),
    args: check,
    exit: 1,
    says: new RegExp(
      `DCW13-safeguarding-adults\\.md:${appendedAt(16)}:1: error block-depth: <<#if>> blocks are nested more than 16 deep`,
    ),
  },
  {
    name: "10,000 <<#if>> blocks one after another",
    setup: appendToPolicy("<<#if org_field_website>>x<</if>>\n".repeat(10_000)),
    args: check,
    exit: 0,
  },
  {
    name: "a billion-laughs alias bomb in an organisation",
    setup: editOrg((text) => `${text}${ALIAS_BOMB}\n`),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:\d+:\d+: error yaml-alias: the YAML's aliases \(\*name\) expand to more than 100 copies/,
  },
  {
    name: "a billion-laughs alias bomb in front matter",
    setup: async (dir) => {
      const text = await readFile(join(dir, POLICY), "utf8");
      await writeFile(join(dir, POLICY), text.replace("code: DCW13", `code: DCW13\n${ALIAS_BOMB}`));
    },
    args: check,
    exit: 1,
    says: /DCW13-safeguarding-adults\.md:\d+:\d+: error yaml-alias/,
  },
  {
    name: "100,000 nested YAML flow sequences",
    setup: editOrg((text) => `${text}deep: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:18:39: error yaml-depth: the YAML is nested more than 32 levels deep/,
  },
  {
    name: "1,000 nested YAML mappings",
    setup: editOrg(
      (text) => `${text}${Array.from({ length: 1000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} x\n`,
    ),
    args: check,
    exit: 1,
    says: /afon-homecare\.yaml:\d+:\d+: error yaml-depth/,
  },
  {
    name: "300,000 unclosed {{ in a policy",
    setup: appendToPolicy("{{ ".repeat(300_000)),
    args: check,
    exit: 0,
  },
];

// A spawned check takes 5-10 s on a busy two-core machine, and the runner runs five at once: the
// limit catches hangs (these inputs ran for minutes, or for ever), it does not time anything;
// test/limits.test.ts times the limits themselves.
// Dates in files are held to the years --as-of accepts: 0001-01-01 is a typing mistake, not a review.
const dateCases: HostileCase[] = [
  {
    name: "a review date in the year 1 is an error at its line",
    setup: editOrg((text) => text.replace(/^reviewed_on: .*$/m, "reviewed_on: 0001-01-01")),
    args: ["check"],
    exit: 1,
    says: /afon-homecare\.yaml:\d+:14: error schema: `reviewed_on` is "0001-01-01", which is outside the years 1900–2200/,
  },
];

export const cases: HostileCase[] = [
  ...characterCases,
  ...encodingCases,
  ...linkCases,
  ...logoCases,
  ...fileCases,
  ...limitCases,
  ...dateCases,
].map((hostile) => ({ ...hostile, seconds: 55 }));
