import type { Labels } from "../labels/index.ts";
import type { Theme } from "../types.ts";
import { FONT_FAMILY } from "./fonts.ts";

// What every format takes from the consultancy's theme, so HTML, PDF and Word look alike.

/** The typeface of every document: the theme's font, else the house font. */
export const fontFamily = (theme: Theme) => theme.font?.family ?? FONT_FAMILY;

/** A theme colour as Word writes it: RRGGBB, no #. */
export const wordColour = (hex: string) => hex.slice(1).toUpperCase();

/** The theme's colours and font as CSS, after policy.css (whose :root holds the default theme). */
export function themeCss(theme: Theme): string {
  const { ink, muted, accent, rule, tint } = theme.colours;
  const font = theme.font
    ? `\nhtml { font-family: ${JSON.stringify(theme.font.family)}, system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }`
    : "";
  return `\n:root { --ink: ${ink}; --muted: ${muted}; --accent: ${accent}; --rule: ${rule}; --tint: ${tint}; }${font}`;
}

/** "Prepared by Polisi Cymru Ltd", or undefined in a theme without a consultancy. */
export const preparedBy = (theme: Theme, l: Labels) => theme.consultancy && l.preparedBy(theme.consultancy.name);
