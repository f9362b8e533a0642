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

/** An http, https, mailto or tel address, or a relative one. */
export function isPublishableLink(url: string): boolean {
  const scheme = urlScheme(url);
  return scheme === undefined || LINK_SCHEMES.includes(scheme);
}
