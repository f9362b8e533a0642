import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Element, ElementContent, Root as HastRoot, Nodes } from "hast";
import { h } from "hastscript";
import type { Link, Root, RootContent } from "mdast";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { type Labels, labelsFor } from "../../labels/index.ts";
import type { Language, Logo, Org, PolicyDocument, Theme } from "../../types.ts";
import { fontFaceCss } from "../fonts.ts";
import {
  copyrightLine,
  documentControl,
  footerLine,
  isDraft,
  labelsOf,
  orgName,
  orgValue,
  READ_AND_SIGN_ROWS,
  readAndSign,
  signSheetAfter,
  versionHistory,
} from "../layout.ts";
import { themeCss } from "../theme.ts";
import { logoFile } from "./files.ts";
import { serialize } from "./serialize.ts";
import { safeUrlHandlers } from "./urls.ts";

export const POLICY_CSS = readFileSync(new URL("policy.css", import.meta.url), "utf8");

// Raw HTML in a policy is dropped (allowDangerousHtml stays off): every byte of markup comes from
// here, and links and images go through the URL rules of urls.ts.
const markdownToHast = (language: Language) => {
  const l = labelsFor(language);
  return unified().use(remarkRehype, {
    handlers: safeUrlHandlers,
    footnoteLabel: l.footnotes,
    footnoteBackLabel: (reference: number) => l.backToReference(reference + 1),
  });
};
const toHast = { en: markdownToHast("en"), cy: markdownToHast("cy") } satisfies Record<Language, unknown>;

export const toHtml = (tree: HastRoot): string => serialize(tree);

function* elements(node: Nodes): Generator<Element> {
  if (node.type === "element") yield node;
  if ("children" in node) for (const child of node.children) yield* elements(child);
}

const textOf = (node: Element) => node.children.map((child) => (child.type === "text" ? child.value : "")).join("");
/** A CSP source expression that allows exactly this script or style text. */
export const cspHash = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * The page's Content-Security-Policy: nothing from the network, images only the pack's own files
 * (the logo) or data: (images in a policy's text; the PDFs' logo), fonts only the pack's own
 * files, and no script or style but the page's own, pinned by their hashes.
 */
export function contentSecurityPolicy(scripts: string[], styles: string[]): string {
  return [
    "default-src 'none'",
    "img-src 'self' data:",
    "font-src 'self'",
    `style-src ${styles.map(cspHash).join(" ") || "'none'"}`,
    `script-src ${scripts.map(cspHash).join(" ") || "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/**
 * A standalone page: CSS inline, web fonts and logo from the files beside it (embedFonts; the
 * font stack falls back to system fonts when they are missing), and a CSP that allows nothing
 * else. Pages are built as hast trees to the end, so org values are text nodes, always escaped.
 */
export function standalonePage(
  title: string,
  author: string,
  css: string,
  body: ElementContent[],
  { embedFonts = true, theme, language }: { embedFonts?: boolean; theme: Theme; language: Language },
): HastRoot {
  const bodyElement = h("body", body);
  const italic = [...elements(bodyElement)].some((e) => e.tagName === "em" || e.tagName === "i");
  const fonts = embedFonts ? `${fontFaceCss({ italic }, theme.font)}\n` : "";
  const style = h("style", `${fonts}${POLICY_CSS}${themeCss(theme)}${css}`);
  const scripts = [...elements(bodyElement)].filter((e) => e.tagName === "script").map(textOf);
  return {
    type: "root",
    children: [
      { type: "doctype" },
      h("html", { lang: labelsFor(language).tag }, [
        h("head", [
          h("meta", { charset: "utf-8" }),
          h("meta", { httpEquiv: "Content-Security-Policy", content: contentSecurityPolicy(scripts, [textOf(style)]) }),
          h("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
          h("title", title),
          h("meta", { name: "author", content: author }),
          h("meta", { name: "generator", content: "policypack" }),
          style,
        ]),
        bodyElement,
      ]),
    ],
  };
}

/** Where web pages find the logo: its file in the pack folder, or inline when it has none (an SVG that cannot be drawn). */
export const webLogoSrc = (logo: Logo): string => logoFile(logo)?.name ?? logo.dataUri;

/**
 * `logo`: "file" for web pages (the pack folder's logo file, by relative URL; a page sent on its
 * own shows the alt text beside the name), "inline" for printing (the data: URI).
 */
export function orgHeader(org: Org, logo: "file" | "inline", language: Language): Element {
  const name = orgValue(org, "name", language);
  const labels = labelsFor(language);
  return h("header.org-header", [
    org.logo
      ? h("img", { src: logo === "file" ? webLogoSrc(org.logo) : org.logo.dataUri, alt: labels.logoAlt(name) })
      : null,
    h("div", [h("p.org-name", name), h("p.org-meta", `${labels.registrationNumber}: ${org.data.registration_no}`)]),
  ]);
}

/** Where a cross-reference link points: the sibling page by default; the manual uses in-document anchors. */
export type XrefHref = (xref: { code: string; slug: string }) => string;

/**
 * The HTML tree of `tree` with its cross-reference links pointing where `href` says; the links
 * are given back as they were after: the tree is the document's, shared by its other outputs
 * (rather than a copy, which took 4-5 ms of every PDF).
 */
function toHastWithXrefs(tree: Root, href: XrefHref, language: Language): HastRoot {
  const links: Link[] = [];
  xrefLinks(tree, links);
  const urls = links.map((link) => link.url);
  for (const link of links) link.url = href((link.data as { xref: { code: string; slug: string } }).xref);
  try {
    return toHast[language].runSync(tree) as HastRoot;
  } finally {
    for (const [i, link] of links.entries()) link.url = urls[i] as string;
  }
}

/** The links of `node` that are cross-references, into `links` (module-level: see README, Benchmarks). */
function xrefLinks(node: Root | RootContent, links: Link[]): void {
  if (node.type === "link" && (node.data as { xref?: unknown } | undefined)?.xref) links.push(node);
  if ("children" in node) for (const child of node.children) xrefLinks(child, links);
}

/** Table cell alignment as classes: the `align` attribute is obsolete, and the CSP allows no style attributes. */
function alignToClass(tree: HastRoot): void {
  for (const element of elements(tree)) {
    const align = element.properties.align;
    if (typeof align !== "string") continue;
    delete element.properties.align;
    element.properties.className = [`align-${align}`];
  }
}

/** The policy itself: code and category, title, document control, the text. */
export function policyArticle(doc: PolicyDocument, href?: XrefHref): Element {
  const { policy } = doc;
  const body = href
    ? toHastWithXrefs(doc.tree, href, policy.language)
    : (toHast[policy.language].runSync(doc.tree) as HastRoot);
  alignToClass(body);
  const l = labelsOf(doc);
  const control = h("table.doc-control", [
    h("caption", l.documentControl),
    h(
      "tbody",
      documentControl(doc).map(([label, value]) =>
        h("tr", [
          h("th", { scope: "row" }, label),
          h("td", label === l.status && policy.status === "draft" ? h("span.status-draft", value) : value),
        ]),
      ),
    ),
  ]);
  const history = versionHistory(doc);
  return h("article.policy", { ariaLabelledBy: "policy-title" }, [
    h("p.kicker", [policy.code, policy.category ? ` · ${policy.category}` : ""]),
    h("h1#policy-title", policy.title),
    control,
    history.length > 0
      ? h("table.version-history", [
          h("caption", l.versionHistory),
          h(
            "thead",
            h(
              "tr",
              l.versionHistoryColumns.map((column) => h("th", { scope: "col" }, column)),
            ),
          ),
          h(
            "tbody",
            // Labelled, so that on a phone, where each version is a card, every value says what it is.
            history.map(([version, ...rest]) =>
              h("tr", [
                h("th", { scope: "row", dataLabel: l.versionHistoryColumns[0] }, version),
                ...rest.map((cell, i) => h("td", { dataLabel: l.versionHistoryColumns[i + 1] }, cell)),
              ]),
            ),
          ),
        ])
      : null,
    ...(body.children as Element[]),
  ]);
}

/** The logo placed in a policy's text (`<<org_field_logo>>`) as the pack's logo file too, on a web page. */
function logoAsFile(article: Element, logo: Logo | undefined): Element {
  if (!logo) return article;
  for (const img of elements(article)) {
    if (img.tagName === "img" && img.properties.src === logo.dataUri) img.properties.src = webLogoSrc(logo);
  }
  return article;
}

/** The staff acknowledgement sheet printed after a policy (PDF only), on a page of its own. */
export function readAndSignSheet(doc: PolicyDocument, id = "read-and-sign"): Element {
  const sheet = readAndSign(doc);
  const { readAndSignTitle, readAndSignColumns } = labelsOf(doc);
  return h("section.read-and-sign", { ariaLabelledBy: id }, [
    h(`h2#${id}`, readAndSignTitle),
    h(
      "dl",
      sheet.details.flatMap(([term, value]) => [h("dt", term), h("dd", value)]),
    ),
    sheet.changes ? h("p.changes", sheet.changes) : null,
    h("p.statement", sheet.statement),
    h("table.signatures", [
      h(
        "thead",
        h(
          "tr",
          readAndSignColumns.map((column) => h("th", { scope: "col" }, column)),
        ),
      ),
      h(
        "tbody",
        Array.from({ length: READ_AND_SIGN_ROWS }, () =>
          h(
            "tr",
            readAndSignColumns.map(() => h("td")),
          ),
        ),
      ),
    ]),
  ]);
}

/** The other files of this policy in its pack folder, for the links at the top of its page. */
export interface SiblingFiles {
  pdf?: string;
  docx?: string;
  /** The pack page of this language ("index.html" unless the pack has one per language). */
  index?: string;
  /** The same policy's web page in the pack's other language, for the language switch. */
  other?: { language: Language; html: string };
}

function packNav(files: SiblingFiles, draft: boolean, l: Labels): Element {
  const other = files.other && labelsFor(files.other.language);
  return h("nav.doc-nav", { ariaLabel: l.policyPack }, [
    // A draft is in no pack, so its preview has no pack page to go back to.
    draft ? null : h("a", { href: files.index ?? "index.html" }, l.allPolicies),
    files.pdf ? h("a", { href: files.pdf }, l.downloadPdf) : null,
    files.docx ? h("a", { href: files.docx }, l.downloadWord) : null,
    // The switch names the other language in that language, as bilingual sites in Wales do.
    files.other && other
      ? h("a.language-switch", { href: files.other.html, lang: other.tag, hrefLang: other.tag }, other.name)
      : null,
  ]);
}

/**
 * `print`: for Chromium's PDFs, which take the font from fontconfig rather than web fonts, and
 * link cross-references through `href`. `files`: the pack's other files of this policy (web only).
 */
export function policyPage(
  doc: PolicyDocument,
  print?: { css: string; href: XrefHref },
  files: SiblingFiles = {},
): HastRoot {
  const { org, policy } = doc;
  const l = labelsOf(doc);
  const footer = h("footer.doc-footer", [h("p", `${policy.title} · ${footerLine(doc)}`), h("p", copyrightLine(doc))]);
  return standalonePage(
    `${policy.title} – ${orgName(doc)}`,
    orgName(doc),
    print?.css ?? "",
    [
      h("a.skip", { href: "#content" }, l.skipToPolicy),
      h("div.page", [
        isDraft(doc) ? h("p.draft-banner", { role: "note" }, l.draftMark) : null,
        orgHeader(org, print ? "inline" : "file", policy.language),
        print || (isDraft(doc) && !files.pdf && !files.docx) ? null : packNav(files, isDraft(doc), l),
        h("main#content", [print ? policyArticle(doc, print.href) : logoAsFile(policyArticle(doc), org.logo)]),
        footer,
        print && signSheetAfter(doc) ? readAndSignSheet(doc) : null,
      ]),
    ],
    { embedFonts: !print, theme: doc.theme, language: policy.language },
  );
}

export function renderHtml(doc: PolicyDocument, files: SiblingFiles = {}): string {
  return toHtml(policyPage(doc, undefined, files));
}
