import { h } from "hastscript";
import { formatLong } from "../../dates/calendar.ts";
import { labelsFor } from "../../labels/index.ts";
import { type CalendarDate, DEFAULT_THEME, type Language, type Org, type PolicyDocument } from "../../types.ts";
import { readAndSignSheet, standalonePage } from "../html/page.ts";
import { orgValue } from "../layout.ts";
import { linkTexts, makeAccessible } from "./accessibility.ts";
import type { PdfEngine, PdfOutput } from "./engine.ts";
import { loadPdf, PDF_OPTIONS, printable, printCss, savePdf, setProperties } from "./layout.ts";
import { numberPages } from "./page-numbers.ts";

// Each sheet starts a page; the first needs no break before it.
const CSS = `.read-and-sign:first-of-type { break-before: auto; }`;

/** Every policy's read-and-sign sheet in one PDF, a page each, for the manager to print for the team. */
export async function renderSignSheets(
  org: Org,
  docs: PolicyDocument[],
  buildDate: CalendarDate,
  engine: PdfEngine,
  language: Language = "en",
): Promise<PdfOutput> {
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const theme = docs[0]?.theme ?? DEFAULT_THEME;
  const css =
    printCss(org, theme, {
      headerRight: `${l.registrationNumber}: ${org.data.registration_no}`,
      footerLeft: l.signSheetsFooter(name, formatLong(buildDate, language)),
      language,
    }) + CSS;
  const sheets = docs.map((doc) => readAndSignSheet(doc, `${doc.policy.slug}--read-and-sign`));
  const page = standalonePage(
    `${l.readAndSignTitle} – ${name}`,
    name,
    css,
    // The running header names the organisation on every page.
    [h("div.page", [h("main", sheets)])],
    { embedFonts: false, theme, language },
  );
  const texts = linkTexts(page);
  const output = await engine.render({ html: printable(page), options: PDF_OPTIONS, urgent: true });
  const pdf = await loadPdf(output.data);
  makeAccessible(pdf, (target) => texts.get(target) ?? l.linkTo(target));
  setProperties(pdf, {
    headings: docs.map(() => l.readAndSignTitle),
    title: `${l.readAndSignTitle} – ${name}`,
    author: name,
    subject: l.signSheetsSubject(name, docs.length),
    keywords: docs.map(({ policy }) => policy.code),
    date: buildDate,
    language,
  });
  await numberPages(pdf, engine, { theme, language });
  return { data: savePdf(pdf), blocked: output.blocked };
}
