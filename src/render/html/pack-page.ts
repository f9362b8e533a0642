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

/** Whole-pack downloads, by file name in the pack folder. */
export interface PackDownloads {
  manual?: string;
  zip?: string;
}

const STATUS_LABEL: Record<Review["status"], string> = {
  current: "Current",
  due: "Due for review",
  overdue: "Overdue",
};
const FORMAT_LABEL = { html: "Web page", pdf: "PDF", docx: "Word" } as const;

const PACK_CSS = `
.page { max-width: 72rem; }
main > h1 { margin-top: 1.5rem; }
.status-overdue { color: #8a1c1c; font-weight: 700; }
.status-due { color: #7a4b00; font-weight: 700; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.summary { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; padding: 0; list-style: none; }
.downloads a { font-weight: 600; }
#filter-form { margin: 1rem 0; }
#filter-form input { font: inherit; padding: 0.3rem 0.5rem; width: 20rem; max-width: 100%; border: 1px solid var(--muted); border-radius: 3px; }
a:focus-visible, input:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
@media print { #filter-form, .downloads { display: none; } tr[hidden] { display: table-row; } }
`;

// The page works without it: the filter form stays hidden unless the script runs.
const FILTER_SCRIPT = `
const form = document.getElementById("filter-form");
const input = document.getElementById("filter");
const count = document.getElementById("filter-count");
const rows = [...document.querySelectorAll("#policies tbody tr")];
form.hidden = false;
form.addEventListener("submit", (event) => event.preventDefault());
input.addEventListener("input", () => {
  const query = input.value.trim().toLowerCase();
  let shown = 0;
  for (const row of rows) {
    row.hidden = !row.dataset.search.includes(query);
    if (!row.hidden) shown++;
  }
  count.textContent = query ? shown + " of " + rows.length + " policies shown" : "";
});`;

export function statusCounts(reviews: readonly Review[]): Record<Review["status"], number> {
  const counts = { current: 0, due: 0, overdue: 0 };
  for (const review of reviews) counts[review.status]++;
  return counts;
}

/** The page a care home opens: every policy in its pack, its review status, and the downloads. */
export function renderPackPage(
  org: Org,
  entries: PackEntry[],
  downloads: PackDownloads,
  buildDate: CalendarDate,
): string {
  const name = String(org.data.name);
  const counts = statusCounts(entries.map((e) => e.review));
  const rows = entries.map(({ policy, review, files }) =>
    h("tr", { dataSearch: `${policy.code} ${policy.title}`.toLowerCase() }, [
      h("th", { scope: "row" }, policy.code),
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
              { href: files[format], ariaLabel: `${policy.code} ${policy.title}, ${FORMAT_LABEL[format]}` },
              FORMAT_LABEL[format],
            ),
          ]),
      ),
    ]),
  );
  const downloadLinks = [
    downloads.manual
      ? h("li", h("a", { href: downloads.manual }, "The whole pack as one PDF (cover, contents, every policy)"))
      : null,
    downloads.zip ? h("li", h("a", { href: downloads.zip }, "Every file of the pack (.zip)")) : null,
  ].filter((item) => item !== null);
  const page = standalonePage(`Policy pack – ${name}`, name, PACK_CSS, [
    h("div.page", [
      orgHeader(org),
      h("main", [
        h("h1", "Policy pack"),
        h("ul.summary", [
          h("li", `Pack date: ${formatLong(buildDate)}`),
          h("li", `${entries.length} policies`),
          h("li", `${counts.overdue} overdue for review`),
          h("li", `${counts.due} due within 30 days`),
        ]),
        downloadLinks.length > 0
          ? h("section.downloads", { ariaLabelledBy: "downloads" }, [
              h("h2#downloads", "Downloads"),
              h("ul", downloadLinks),
            ])
          : null,
        h("section", { ariaLabelledBy: "policies-heading" }, [
          h("h2#policies-heading", "Policies"),
          h("form#filter-form", { hidden: true, role: "search" }, [
            h("label", { htmlFor: "filter" }, "Filter by code or title "),
            h("input#filter", { type: "search", autocomplete: "off" }),
            h("span#filter-count", { ariaLive: "polite" }),
          ]),
          h("table#policies", [
            h("caption.sr-only", `Policies in the pack of ${name}, with review status as of ${formatLong(buildDate)}`),
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
    h("script", FILTER_SCRIPT),
  ]);
  return toHtml(page);
}

export interface OverviewRow {
  org: Org;
  /** Reviews of the policies in its pack; undefined when the pack was not built (input errors). */
  reviews?: Review[];
}

/** The consultancy's page: every client, its pack, and what is due or overdue. */
export function renderOverview(rows: OverviewRow[], buildDate: CalendarDate): string {
  const body = rows.map(({ org, reviews }) => {
    const name = String(org.data.name);
    if (!reviews) {
      return h("tr", [
        h("th", { scope: "row" }, name),
        h(
          "td",
          { colSpan: 3 },
          "Not built: its organisation file or a policy in its pack has errors (run policypack check)",
        ),
      ]);
    }
    const counts = statusCounts(reviews);
    return h("tr", [
      h("th", { scope: "row" }, h("a", { href: `${org.id}/index.html` }, name)),
      h("td", String(reviews.length)),
      h("td", { className: counts.due ? ["status-due"] : [] }, String(counts.due)),
      h("td", { className: counts.overdue ? ["status-overdue"] : [] }, String(counts.overdue)),
    ]);
  });
  const page = standalonePage("Policy packs", "policypack", PACK_CSS, [
    h("div.page", [
      h("main", [
        h("h1", "Policy packs"),
        h("p", `${rows.length} organisations · review status as of ${formatLong(buildDate)}`),
        h("table", [
          h("caption.sr-only", "Every organisation's pack"),
          h(
            "thead",
            h(
              "tr",
              ["Organisation", "Policies", "Due within 30 days", "Overdue"].map((label) =>
                h("th", { scope: "col" }, label),
              ),
            ),
          ),
          h("tbody", body),
        ]),
      ]),
    ]),
  ]);
  return toHtml(page);
}
