import { readFileSync } from "node:fs";
import type { Element, ElementContent, Root as HastRoot } from "hast";
import { h } from "hastscript";
import type { Root } from "mdast";
import rehypeStringify from "rehype-stringify";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import type { Org, PolicyDocument } from "../../types.ts";
import { fontFaceCss } from "../fonts.ts";
import { copyrightLine, documentControl, footerLine } from "../layout.ts";

export const POLICY_CSS = readFileSync(new URL("policy.css", import.meta.url), "utf8");

// Raw HTML in a policy is dropped (allowDangerousHtml stays off): every byte of markup comes from here.
const toHast = unified().use(remarkRehype);
const stringify = unified().use(rehypeStringify);

// The embedded fonts are 200 kB of base64: the stringifier would walk them character by character
// on every page, so they go in as a marker that is swapped for the CSS afterwards.
const FONTS_MARKER = "/*<policypack-fonts>*/"; // "<" is escaped everywhere but in <style>

export const toHtml = (tree: HastRoot): string => stringify.stringify(tree).replace(FONTS_MARKER, () => fontFaceCss());

/**
 * A standalone page: fonts, CSS and logo embedded, no scripts, no requests. Pages are built as
 * hast trees, so org values are text nodes and always escaped.
 */
export function standalonePage(
  title: string,
  author: string,
  css: string,
  body: ElementContent[],
  { embedFonts = true } = {},
): HastRoot {
  return {
    type: "root",
    children: [
      { type: "doctype" },
      h("html", { lang: "en-GB" }, [
        h("head", [
          h("meta", { charset: "utf-8" }),
          h("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
          h("title", title),
          h("meta", { name: "author", content: author }),
          h("meta", { name: "generator", content: "policypack" }),
          h("style", `${embedFonts ? FONTS_MARKER : ""}\n${POLICY_CSS}${css}`),
        ]),
        h("body", body),
      ]),
    ],
  };
}

export function orgHeader(org: Org): Element {
  const name = String(org.data.name);
  return h("header.org-header", [
    org.logo ? h("img", { src: org.logo.dataUri, alt: `${name} logo` }) : null,
    h("div", [h("p.org-name", name), h("p.org-meta", `Registration Number: ${org.data.registration_no}`)]),
  ]);
}

/** Where a cross-reference link points: the sibling page by default; the manual uses in-document anchors. */
export type XrefHref = (xref: { code: string; slug: string }) => string;

function retargetLinks(tree: Root, href: XrefHref): Root {
  const copy = structuredClone(tree);
  const visit = (node: { type: string; url?: string; data?: unknown; children?: unknown[] }) => {
    const xref = (node.data as { xref?: { code: string; slug: string } } | undefined)?.xref;
    if (node.type === "link" && xref) node.url = href(xref);
    for (const child of node.children ?? []) visit(child as typeof node);
  };
  visit(copy as never);
  return copy;
}

/** The policy itself: code and category, title, document control, the text. */
export function policyArticle(doc: PolicyDocument, href?: XrefHref, id = "policy-title"): Element {
  const { policy } = doc;
  const body = toHast.runSync(href ? retargetLinks(doc.tree, href) : doc.tree) as HastRoot;
  const control = h("table.doc-control", [
    h("caption", "Document control"),
    h(
      "tbody",
      documentControl(doc).map(([label, value]) =>
        h("tr", [
          h("th", { scope: "row" }, label),
          h("td", label === "Status" && policy.status === "draft" ? h("span.status-draft", value) : value),
        ]),
      ),
    ),
  ]);
  return h("article.policy", { ariaLabelledBy: id }, [
    h("p.kicker", [policy.code, policy.category ? ` · ${policy.category}` : ""]),
    h(`h1#${id}`, policy.title),
    control,
    ...(body.children as Element[]),
  ]);
}

/**
 * `print`: for Chromium's PDFs, which take the font from fontconfig rather than embedded web
 * fonts, and link cross-references through `href`.
 */
export function policyPage(doc: PolicyDocument, print?: { css: string; href: XrefHref }): HastRoot {
  const { org, policy } = doc;
  const footer = h("footer.doc-footer", [h("p", `${policy.title} · ${footerLine(doc)}`), h("p", copyrightLine(doc))]);
  return standalonePage(
    `${policy.title} – ${org.data.name}`,
    String(org.data.name),
    print?.css ?? "",
    [
      h("a.skip", { href: "#content" }, "Skip to the policy"),
      h("div.page", [orgHeader(org), h("main#content", [policyArticle(doc, print?.href)]), footer]),
    ],
    { embedFonts: !print },
  );
}

export function renderHtml(doc: PolicyDocument): string {
  return toHtml(policyPage(doc));
}
