// The files a pack folder holds beside its web pages: the logo and the web fonts. Light to load:
// a rebuild that renders nothing still lists them.
import type { Logo, Policy, Theme } from "../../types.ts";
import { fontFiles } from "../fonts.ts";
import { picture } from "../images.ts";

const LOGO_EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg" };

/** The org-header logo's largest size on a web page, in CSS pixels (policy.css: .org-header img). */
const WEB_LOGO_BOX = { width: 192, height: 56 };

/**
 * The logo as the one file every web page of a pack shows (pages would otherwise carry it as
 * base64, once each): logo.png or logo.jpg. An SVG is published drawn as a PNG, never as an SVG
 * file, which would run any script it holds when opened on its own. PDFs keep the data: URI:
 * Chromium prints with no base URL, loads nothing and runs no script.
 */
export function logoFile(logo: Logo): { name: string; data: Uint8Array } | undefined {
  // Every page of a pack asks (webLogoSrc): decode or draw each org's logo once.
  if (logoFiles.has(logo)) return logoFiles.get(logo);
  let file: { name: string; data: Uint8Array } | undefined;
  if (logo.mediaType === "image/svg+xml") {
    const drawn = picture(logo.dataUri, WEB_LOGO_BOX.width, WEB_LOGO_BOX.height, true);
    file = typeof drawn === "string" ? undefined : { name: "logo.png", data: drawn.image.data };
  } else {
    const extension = LOGO_EXTENSIONS[logo.mediaType];
    const data = Buffer.from(logo.dataUri.slice(logo.dataUri.indexOf(",") + 1), "base64");
    file = extension ? { name: `logo.${extension}`, data } : undefined;
  }
  logoFiles.set(logo, file);
  return file;
}

const logoFiles = new WeakMap<Logo, { name: string; data: Uint8Array } | undefined>();

/**
 * The font files a pack folder needs beside its pages: the italic ones only if a policy has
 * emphasis. The check found which have; a policy that did not go through it is parsed here.
 */
export async function packFontFiles(policies: readonly Policy[], theme: Theme) {
  let italic = policies.some((policy) => policy.emphasis);
  const unchecked = policies.filter((policy) => policy.emphasis === undefined);
  // The Markdown parser is loaded only for a policy the check did not see (a rebuild loads none).
  if (!italic && unchecked.length > 0) {
    const { hasEmphasis } = await import("../../template/source-tree.ts");
    italic = unchecked.some((policy) => hasEmphasis(policy.body));
  }
  return fontFiles({ italic }, theme.font);
}
