// What a published document may link to, for every stage that meets a link: `check` reports any
// other link, every renderer prints it as plain text, and `import` drops it.

const LINK_SCHEMES = ["http", "https", "mailto", "tel"];

/**
 * The scheme a browser would see: it ignores tabs and newlines anywhere in a URL and strips
 * leading spaces and controls, so `java&#x09;script:` (decoded by the parser) is javascript:.
 * Removing every space and control is stricter still. undefined for a relative address.
 */
export function urlScheme(url: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop these from URLs.
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
  return /^([a-z][a-z0-9+.-]*):/.exec(compact)?.[1];
}

/** The URL as followed: tabs and newlines anywhere, and leading spaces and controls, are ignored. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop these from URLs.
const followed = (url: string) => url.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+/, "");

/**
 * A path from the root (`/etc/x`) or to another server without a scheme (`//host/x`, `\\host\x`):
 * the first names a file on whichever machine or site shows the page, the second a share that
 * Word opens over the network, sending the reader's Windows credentials.
 */
const isRooted = (url: string): boolean => /^[/\\]/.test(followed(url));

/** An http, https, mailto or tel address, or a path relative to the document. */
export function isPublishableLink(url: string): boolean {
  const scheme = urlScheme(url);
  return scheme === undefined ? !isRooted(url) : LINK_SCHEMES.includes(scheme);
}

/** How messages name a link that is not published: "javascript:", "//host" or "root-path". */
export function refusedKind(url: string): string {
  const scheme = urlScheme(url);
  if (scheme !== undefined) return `${scheme}:`;
  return /^[/\\]{2}/.test(followed(url)) ? "//host" : "root-path";
}
