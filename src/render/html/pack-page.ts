import { h } from "hastscript";
import { formatIso, formatLong } from "../../dates/calendar.ts";
import type { CalendarDate, Org, Policy, Review } from "../../types.ts";
import { orgHeader, standalonePage, toHtml } from "./page.ts";

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
  const css =
    ".page{max-width:70rem}.status-overdue{color:#8a1c1c;font-weight:700}.status-due{color:#7a4b00;font-weight:700}";
  const page = standalonePage(`Policy pack – ${name}`, name, css, [
    h("div.page", [
      orgHeader(org),
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
  ]);
  return toHtml(page);
}
