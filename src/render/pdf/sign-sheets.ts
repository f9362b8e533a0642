import { h } from "hastscript";
import { formatLong } from "../../dates/calendar.ts";
import { type CalendarDate, DEFAULT_THEME, type Org, type PolicyDocument } from "../../types.ts";
import { readAndSignSheet, standalonePage } from "../html/page.ts";
import { READ_AND_SIGN_TITLE } from "../layout.ts";
import { linkTexts, makeAccessible } from "./accessibility.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import { loadPdf, PDF_OPTIONS, printable, printCss, savePdf, setProperties } from "./layout.ts";

// Each sheet starts a page; the first needs no break before it.
const CSS = `.read-and-sign:first-of-type { break-before: auto; }`;

/** The file name of a pack's combined read-and-sign sheets. */
export const signSheetsFile = (org: Org) => `${org.id}-read-and-sign.pdf`;

/** Every policy's read-and-sign sheet in one PDF, a page each, for the manager to print for the team. */
export async function renderSignSheets(
  org: Org,
  docs: PolicyDocument[],
  buildDate: CalendarDate,
  engine: PdfEngine,
): Promise<PdfOutput> {
  const name = String(org.data.name);
  const theme = docs[0]?.theme ?? DEFAULT_THEME;
  const css =
    printCss(org, theme, {
      headerRight: `Registration Number: ${org.data.registration_no}`,
      footerLeft: `${name} · read and sign · policy pack of ${formatLong(buildDate)}`,
    }) + CSS;
  const sheets = docs.map((doc) => readAndSignSheet(doc, `${doc.policy.slug}--read-and-sign`));
  const page = standalonePage(
    `${READ_AND_SIGN_TITLE} – ${name}`,
    name,
    css,
    // The running header names the organisation on every page.
    [h("div.page", [h("main", sheets)])],
    { embedFonts: false, theme },
  );
  const texts = linkTexts(page);
  const output = await engine.render({ html: printable(page), options: PDF_OPTIONS });
  const pdf = await loadPdf(output.data);
  makeAccessible(pdf, (target) => texts.get(target));
  setProperties(pdf, {
    headings: docs.map(() => READ_AND_SIGN_TITLE),
    title: `${READ_AND_SIGN_TITLE} – ${name}`,
    author: name,
    subject: `Read-and-sign sheets for the ${docs.length} policies of ${name}'s pack`,
    keywords: docs.map(({ policy }) => policy.code),
    date: buildDate,
  });
  return { data: await savePdf(pdf), blocked: output.blocked };
}
