import { readFileSync } from "node:fs";
import type { Element, Root as HastRoot } from "hast";
import { h } from "hastscript";
import rehypeStringify from "rehype-stringify";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import type { PolicyDocument } from "../../types.ts";
import { fontFaceCss } from "../fonts.ts";
import { copyrightLine, documentControl, footerLine } from "../layout.ts";

const POLICY_CSS = readFileSync(new URL("policy.css", import.meta.url), "utf8");

// Raw HTML in a policy is dropped (allowDangerousHtml stays off): every byte of markup comes from here.
const toHast = unified().use(remarkRehype);
const stringify = unified().use(rehypeStringify);

/**
 * A standalone HTML page for one policy: fonts, CSS and logo embedded, no scripts, no requests.
 * The layout is built as a hast tree, so org values are text nodes and always escaped.
 */
export function policyPage(doc: PolicyDocument, extraCss = ""): HastRoot {
  const { org, policy } = doc;
  const orgName = String(org.data.name);
  const body = toHast.runSync(doc.tree) as HastRoot;
  const header = h("header.org-header", [
    org.logo ? h("img", { src: org.logo.dataUri, alt: `${orgName} logo` }) : null,
    h("div", [h("p.org-name", orgName), h("p.org-meta", `Registration Number: ${org.data.registration_no}`)]),
  ]);
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
  const article = h("article", { ariaLabelledBy: "policy-title" }, [
    h("p.kicker", [policy.code, policy.category ? ` · ${policy.category}` : ""]),
    h("h1#policy-title", policy.title),
    control,
    ...(body.children as Element[]),
  ]);
  const footer = h("footer.doc-footer", [h("p", `${policy.title} · ${footerLine(doc)}`), h("p", copyrightLine(doc))]);
  return {
    type: "root",
    children: [
      { type: "doctype" },
      h("html", { lang: "en-GB" }, [
        h("head", [
          h("meta", { charset: "utf-8" }),
          h("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
          h("title", `${policy.title} – ${orgName}`),
          h("meta", { name: "author", content: orgName }),
          h("meta", { name: "description", content: `${policy.code} ${policy.title}, version ${policy.version}` }),
          h("meta", { name: "generator", content: "policypack" }),
          h("style", `${fontFaceCss()}\n${POLICY_CSS}${extraCss}`),
        ]),
        h("body", [
          h("a.skip", { href: "#content" }, "Skip to the policy"),
          h("div.page", [header, h("main#content", [article]), footer]),
        ]),
      ]),
    ],
  };
}

export function renderHtml(doc: PolicyDocument): string {
  return stringify.stringify(policyPage(doc));
}
