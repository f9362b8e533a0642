import {
  AlignmentType,
  BorderStyle,
  convertMillimetersToTwip,
  type IStylesOptions,
  LevelFormat,
  LineRuleType,
  type NumberingDefinition,
} from "docx";
import type { Theme, ThemeColours } from "../../types.ts";
import { fontFamily, wordColour } from "../theme.ts";

// The look of the Word document, in Word's own styles so that a care home can restyle it there.
// Colours follow the HTML stylesheet (policy.css).

/** The theme's colours as Word writes them (RRGGBB). */
export function wordColours(theme: Theme): ThemeColours {
  const { ink, muted, accent, rule, tint } = theme.colours;
  return {
    ink: wordColour(ink),
    muted: wordColour(muted),
    accent: wordColour(accent),
    rule: wordColour(rule),
    tint: wordColour(tint),
  };
}

export const CODE_FONT = "Courier New";

/** A4 with 18 mm margins, in twips. */
export const PAGE = {
  width: convertMillimetersToTwip(210),
  height: convertMillimetersToTwip(297),
  margin: convertMillimetersToTwip(18),
  headerFooter: convertMillimetersToTwip(9),
};
export const TEXT_WIDTH = PAGE.width - 2 * PAGE.margin;
/** The text width in pixels at 96 to the inch, the unit docx sizes images in. */
export const TEXT_WIDTH_PX = Math.floor((TEXT_WIDTH / 1440) * 96);

/** Half-points, the unit of Word's font sizes. */
const pt = (points: number) => points * 2;
/** Line spacing as a multiple of single. The rule is explicit: LibreOffice reads a bare line as exact. */
export const lines = (multiple: number) => ({ line: Math.round(multiple * 240), lineRule: LineRuleType.AUTO });

/** How far a block quote is indented, in twips. */
export const QUOTE_INDENT = 400;

/** The gap after a paragraph, and after a list as a whole (its items sit closer together). */
export const PARAGRAPH_AFTER = 140;

export const STYLE = { quote: "Quote", code: "SourceCode", codeChar: "VerbatimChar", small: "SmallPrint" } as const;

/**
 * Word's styles in the theme's colours and font. The font is the PDF's and the web page's; every
 * document embeds it (fonts.ts), so Word need not substitute a font of its own choosing.
 */
export function wordStyles(theme: Theme, wordLanguage: string): IStylesOptions {
  const COLOR = wordColours(theme);
  const FONT = fontFamily(theme);
  return {
    default: {
      document: {
        run: { font: FONT, size: pt(11), color: COLOR.ink, language: { value: wordLanguage } },
        paragraph: { spacing: { after: PARAGRAPH_AFTER, ...lines(1.15) } },
      },
      title: {
        run: { font: FONT, size: pt(24), bold: true, color: COLOR.accent },
        paragraph: { spacing: { before: 60, after: 240 }, keepNext: true },
      },
      heading1: {
        run: { font: FONT, size: pt(15), bold: true, color: COLOR.accent },
        paragraph: {
          outlineLevel: 0,
          spacing: { before: 360, after: 120 },
          keepNext: true,
          keepLines: true,
          border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: COLOR.rule, space: 2 } },
        },
      },
      heading2: {
        run: { font: FONT, size: pt(12.5), bold: true, color: COLOR.ink },
        paragraph: {
          outlineLevel: 1,
          spacing: { before: 260, after: 100 },
          keepNext: true,
          keepLines: true,
        },
      },
      heading3: {
        run: { font: FONT, size: pt(11), bold: true, color: COLOR.ink },
        paragraph: {
          outlineLevel: 2,
          spacing: { before: 200, after: 80 },
          keepNext: true,
          keepLines: true,
        },
      },
      heading4: {
        run: { font: FONT, size: pt(11), bold: true, italics: true, color: COLOR.ink },
        paragraph: {
          outlineLevel: 3,
          spacing: { before: 160, after: 60 },
          keepNext: true,
        },
      },
      heading5: {
        run: { font: FONT, size: pt(11), italics: true, color: COLOR.ink },
        paragraph: {
          outlineLevel: 4,
          spacing: { before: 160, after: 60 },
          keepNext: true,
        },
      },
      // List items sit close together; the list as a whole keeps the paragraph gap after it.
      listParagraph: { paragraph: { spacing: { after: 60 } } },
      hyperlink: { run: { color: COLOR.accent, underline: { type: "single" } } },
      footnoteText: { run: { size: pt(9) }, paragraph: { spacing: { after: 40, ...lines(1) } } },
    },
    paragraphStyles: [
      {
        id: STYLE.quote,
        name: "Quote",
        basedOn: "Normal",
        next: "Normal",
        quickFormat: true,
        run: { color: COLOR.muted },
        paragraph: {
          indent: { left: QUOTE_INDENT, right: QUOTE_INDENT },
          border: { left: { style: BorderStyle.SINGLE, size: 18, color: COLOR.accent, space: 10 } },
        },
      },
      {
        id: STYLE.code,
        name: "Source Code",
        basedOn: "Normal",
        run: { font: CODE_FONT, size: pt(9.5) },
        paragraph: { spacing: { after: 0, ...lines(1) }, shading: { type: "clear", fill: COLOR.tint } },
      },
      {
        id: STYLE.small,
        name: "Small Print",
        basedOn: "Normal",
        run: { size: pt(9), color: COLOR.muted },
        paragraph: { spacing: { after: 0, ...lines(1) } },
      },
    ],
    characterStyles: [{ id: STYLE.codeChar, name: "Verbatim Char", run: { font: CODE_FONT, size: pt(10) } }],
  };
}

/** Where the text of a list item at `level` starts, in twips from the margin. */
export const listIndent = (level: number) => 360 * (level + 1) + 60;
export const HANGING = 300;
const BULLETS = ["•", "◦", "▪"];
// IBM Plex Sans has no ◦ or ▪: bullets are set in Arial, which every Word has (and LibreOffice
// replaces with Liberation Sans), and which has all three.
const BULLET_FONT = "Arial";

/** Word's levels for a list: bullets, or decimal numbers from `start` (every list has its own instance). */
export function listDefinition(
  reference: string,
  ordered: boolean,
  start: number,
  accent: string,
): NumberingDefinition {
  return {
    reference,
    levels: Array.from({ length: 9 }, (_, level) => ({
      level,
      format: ordered ? LevelFormat.DECIMAL : LevelFormat.BULLET,
      text: ordered ? `%${level + 1}.` : (BULLETS[level % BULLETS.length] as string),
      start,
      alignment: AlignmentType.LEFT,
      style: {
        paragraph: { indent: { left: listIndent(level), hanging: HANGING } },
        ...(ordered ? {} : { run: { font: BULLET_FONT, color: accent } }),
      },
    })),
  };
}
