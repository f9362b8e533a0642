import { readFileSync } from "node:fs";
import { h } from "hastscript";
import rehypeStringify from "rehype-stringify";
import { unified } from "unified";
import { formatIso, formatLong } from "../../dates/calendar.ts";
import type { CalendarDate, Org, Policy, Review } from "../../types.ts";
import { fontFaceCss } from "../fonts.ts";

const POLICY_CSS = readFileSync(new URL("policy.css", import.meta.url), "utf8");
const stringify = unified().use(rehypeStringify);

export interface PackEntry {
  policy: Policy;
  review: Review;
  /** File names of this policy's outputs in the pack folder, by format. */
  files: Partial<Record<"html" | "pdf" | "docx", string>>;
}

const STATUS_LABEL: Record<Review["status"], string> = {
  current: "Current",
  due: "Due for review",
  overdue: "Overdue",
};
const FORMAT_LABEL = { html: "Web page", pdf: "PDF", docx: "Word" } as const;

/** The page a care home opens: every policy in its pack, review dates and download links. */
export function renderPackPage(org: Org, entries: PackEntry[], buildDate: CalendarDate): string {
  const name = String(org.data.name);
  const rows = entries.map(({ policy, review, files }) =>
    h("tr", [
      h("td", policy.code),
      h("td", files.html ? h("a", { href: files.html }, policy.title) : policy.title),
      h("td", policy.version),
      h("td", h("time", { dateTime: formatIso(review.lastReviewed) }, formatLong(review.lastReviewed))),
      h("td", h("time", { dateTime: formatIso(review.nextReview) }, formatLong(review.nextReview))),
      h("td", { className: [`status-${review.status}`] }, STATUS_LABEL[review.status]),
      h(
        "td",
        (["html", "pdf", "docx"] as const)
          .filter((format) => files[format])
          .flatMap((format, i) => [
            i > 0 ? " · " : "",
            h(
              "a",
              { href: files[format], ariaLabel: `${policy.title} (${FORMAT_LABEL[format]})` },
              FORMAT_LABEL[format],
            ),
          ]),
      ),
    ]),
  );
  const page = h("html", { lang: "en-GB" }, [
    h("head", [
      h("meta", { charset: "utf-8" }),
      h("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
      h("title", `Policy pack – ${name}`),
      h(
        "style",
        `${fontFaceCss()}\n${POLICY_CSS}\n.page{max-width:70rem}.status-overdue{color:#8a1c1c;font-weight:700}.status-due{color:#7a4b00;font-weight:700}`,
      ),
    ]),
    h("body", [
      h("div.page", [
        h("header.org-header", [
          org.logo ? h("img", { src: org.logo.dataUri, alt: `${name} logo` }) : null,
          h("div", [h("p.org-name", name), h("p.org-meta", `Registration Number: ${org.data.registration_no}`)]),
        ]),
        h("main", [
          h("h1", "Policy pack"),
          h("p", `${entries.length} policies · pack date ${formatLong(buildDate)}`),
          h("table", [
            h("caption.sr-only", "Policies in this pack"),
            h(
              "thead",
              h(
                "tr",
                ["Code", "Policy", "Version", "Reviewed on", "Next review", "Status", "Download"].map((label) =>
                  h("th", { scope: "col" }, label),
                ),
              ),
            ),
            h("tbody", rows),
          ]),
        ]),
      ]),
    ]),
  ]);
  return stringify.stringify({ type: "root", children: [{ type: "doctype" }, page] });
}
