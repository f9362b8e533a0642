// Hostile and broken files given to `policypack import`: each is refused (or cleaned) with a
// sentence naming the file and the fix, never a stack trace, an internal error or a hang.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { documentXml, docx, lyingDocx, para, zip, zipBomb } from "../import-files.ts";
import type { HostileCase } from "./case.ts";

const valid = docx(documentXml(para("Lone Working Policy") + para("Staff working alone stay safe.")));
/** UTF-16 (little-endian, with a byte-order mark), as an XML part may be saved. */
const utf16 = (text: string) =>
  Uint8Array.from([0xff, 0xfe, ...[...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const damaged = valid.slice();
for (let i = 40; i < 120; i++) damaged[i] = (damaged[i] as number) ^ 0x5a;

const importing = (file: string, content: string | Uint8Array | undefined, says: RegExp, exit = 1): HostileCase => ({
  name: `import ${file}: ${says.source.replace(/\\/g, "")}`,
  ...(content === undefined ? {} : { files: { [file]: content } }),
  args: ["import", file, "--code", "DCW90"],
  exit,
  says,
  // Each takes a second or two alone; the margin is for a loaded machine running many cases at once.
  // (inside vitest's 60 s test timeout, so a hang is reported as one)
  seconds: 50,
});

export const cases: HostileCase[] = [
  importing("bomb.docx", zipBomb(101), /bomb\.docx unpacks to 101\.1 MB, more than the 100 MB/),
  importing("liar.docx", lyingDocx(documentXml(para("x".repeat(100_000))), 500), /longer than the archive says/),
  importing(
    "crowded.docx",
    zip(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`word/part${i}.xml`, "<x/>"]))),
    /crowded\.docx has 1001 files inside its archive/,
  ),
  importing(
    "xxe.docx",
    docx(documentXml(para("&xxe;"), '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')),
    /xxe\.docx is refused: its part word\/document\.xml declares a DOCTYPE with entities/,
  ),
  importing(
    "laughs.docx",
    docx(
      documentXml(
        para("&lol3;"),
        '<!DOCTYPE d [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;">]>',
      ),
    ),
    /declares a DOCTYPE with entities/,
  ),
  importing(
    "xxe16.docx",
    docx(utf16(documentXml(para("&xxe;"), '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'))),
    /xxe16\.docx is refused: its part word\/document\.xml declares a DOCTYPE with entities/,
  ),
  importing(
    "wordy.docx",
    docx(documentXml(para("x".repeat(9 * 1024 * 1024)))),
    /wordy\.docx has 9\.1 MB of text and formatting \(its XML parts\), more than the 8 MB import reads/,
  ),
  importing("empty.docx", zip({ "[Content_Types].xml": "<Types/>" }), /a zip archive without word\/document\.xml/),
  importing(
    "sheet.docx",
    zip({ "xl/workbook.xml": "<workbook/>" }),
    /sheet\.docx is not a Word document: it is an Excel workbook/,
  ),
  importing(
    "notes.docx",
    "Just some notes\n",
    /notes\.docx is a text file, not what its name says \(\.docx\)[\s\S]*rename it to notes\.txt/,
  ),
  importing(
    "old.docx",
    new Uint8Array([...OLE, ...new Array(1000).fill(0)]),
    /old\.docx is a Word 97–2003 document[\s\S]*rename it to old\.doc and import that/,
  ),
  importing("cut.docx", valid.subarray(0, valid.length - 40), /cut\.docx is not a readable Word document/),
  // 50,000 field starts then 50,000 ends: pairing them up by pattern would take minutes.
  importing(
    "fields.docx",
    docx(
      documentXml(
        `<w:p>${'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'.repeat(50_000)}${'<w:r><w:fldChar w:fldCharType="end"/></w:r>'.repeat(50_000)}</w:p>`,
      ),
    ),
    /fields\.docx is not a readable Word document: its part word\/document\.xml is not well formed \(fields \(w:fldChar\) that do not pair up\)/,
  ),
  importing("damaged.docx", damaged, /damaged\.docx is not a readable Word document/),
  importing(
    "nested.docx",
    docx(documentXml(`${"<w:tbl><w:tr><w:tc>".repeat(3000)}${para("x")}${"</w:tc></w:tr></w:tbl>".repeat(3000)}`)),
    /nested\.docx: its part word\/document\.xml nests elements more than 100 deep/,
  ),
  importing(
    "policy.pdf",
    "%PDF-1.4\n",
    // Without pdftotext, the command to install; with it, what it said about the damage.
    /cannot import policy\.pdf[\s\S]*pdftotext -layout "policy\.pdf"[\s\S]*install poppler-utils|policy\.pdf could not be converted by pdftotext/,
  ),
  importing(
    "policy.odt",
    valid,
    /policy\.odt is a Word \.docx, not what its name says \(\.odt\)[\s\S]*rename it to policy\.docx/,
  ),
  importing(
    "policy.txt",
    valid,
    /policy\.txt is a Word \.docx, not what its name says \(\.txt\)[\s\S]*rename it to policy\.docx/,
  ),
  importing(
    "deep.html",
    `<html><body>${"<div>".repeat(10_000)}x${"</div>".repeat(10_000)}</body></html>`,
    /deep\.html:1:\d+: error import-limit: deep\.html nests HTML elements more than 100 deep/,
  ),
  importing(
    "bold.html",
    `<html><body><h1>Bold Policy</h1>${"<b>".repeat(10_000)}x</body></html>`,
    /bold\.html nests HTML elements more than 100 deep/,
  ),
  importing("quotes.md", `# Quotes Policy\n\n${"> ".repeat(10_000)}x\n`, /quotes\.md:3:1: .*nests quotes or lists/),
  importing(
    "stars.md",
    `# Stars Policy\n\n${"*a ".repeat(5_000)}x${" b*".repeat(5_000)}\n`,
    /stars\.md:3:1: .*more than 500 emphasis and link marks/,
  ),
  {
    ...importing("huge.html", undefined, /huge\.html is 20 MB, more than the 1 MB import reads/),
    setup: (dir) => writeFile(join(dir, "huge.html"), `<p>${"policy text ".repeat((20 * 1024 * 1024) / 12)}</p>`),
  },
  {
    ...importing("huge.docx", undefined, /huge\.docx is 21 MB, more than the 20 MB/),
    setup: (dir) => writeFile(join(dir, "huge.docx"), new Uint8Array(21 * 1024 * 1024)),
  },
  {
    ...importing("pipe.txt", undefined, /pipe\.txt is not a regular file/),
    setup: async (dir) => {
      execFileSync("mkfifo", [join(dir, "pipe.txt")]);
    },
  },
  {
    ...importing("folder.html", undefined, /folder\.html is a folder/),
    setup: (dir) => mkdir(join(dir, "folder.html")).then(() => undefined),
  },
  importing(
    "utf16.txt",
    Uint8Array.from([
      0xff,
      0xfe,
      ...[..."Visiting Policy\n\nVisitors sign in.\n"].flatMap((c) => [c.charCodeAt(0), 0]),
    ]),
    /wrote policies\/DCW90-visiting\.md/,
    0,
  ),
  importing(
    "charset.html",
    '<meta charset="klingon"><h1>Charset Policy</h1>',
    /charset\.html declares the character set "klingon", which is not one browsers know/,
  ),
  importing(
    "links.html",
    `<h1>Links Policy</h1><p>Read <a href="JaVa&#x09;ScRiPt:alert(1)">the guidance</a> and <a href="data:text/html,x">this</a>.</p>`,
    /dropped a javascript: link, kept its text "the guidance"[\s\S]*dropped a data: link/,
    0,
  ),
];
