import type { Element } from "hast";
import { h } from "hastscript";
import { formatIso, formatLong } from "../../dates/calendar.ts";
import { DUE_WINDOW_DAYS, reviewReason } from "../../dates/review.ts";
import { type Labels, labelsFor } from "../../labels/index.ts";
import type { CalendarDate, Language, Org, Policy, Review, Theme } from "../../types.ts";
import { orgValue, reviewedBy } from "../layout.ts";
import { preparedBy } from "../theme.ts";
import { cspHash, orgHeader, standalonePage, toHtml } from "./page.ts";

export interface PackEntry {
  /** The policy in the page's language (or in English, when it has no translation yet). */
  policy: Policy;
  review: Review;
  /** File names of this policy's outputs in the pack folder, by format. */
  files: Partial<Record<"html" | "pdf" | "docx", string>>;
  /** The same policy in the pack's other language, in a bilingual pack. */
  other?: { policy: Policy; files: Partial<Record<"html" | "pdf" | "docx", string>> };
}

/** The language of a pack page, and where the same pack is in the other language (bilingual packs). */
export interface PackEdition {
  language: Language;
  other?: { language: Language; index: string };
}

/** Whole-pack downloads, by file name in the pack folder. */
export interface PackDownloads {
  manual?: string;
  /** Every policy's staff read-and-sign sheet, for an org with `read_and_sign: true`. */
  signSheets?: string;
  zip?: string;
}

const PACK_CSS = `
.page { max-width: 72rem; }
main > h1 { margin-top: 1.5rem; }
.status-overdue { color: #8a1c1c; font-weight: 700; }
.status-due { color: #7a4b00; font-weight: 700; }
.status-overdue .when, .status-due .when, .why, .by { display: block; font-weight: 400; }
#policies tr.row-overdue > * { background: #fbeaea; }
#policies tr.row-due > * { background: #fdf3e1; }
#policies tr.row-overdue > th { box-shadow: inset 5px 0 #8a1c1c; }
#policies tr.row-due > th { box-shadow: inset 5px 0 #b86e00; }
.summary { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; padding: 0; list-style: none; }
.downloads a { font-weight: 600; }
.also, .only { display: block; font-size: 0.85rem; }
.language-switch { margin: 0.5rem 0 0; }
.prepared-by { margin-top: 2rem; color: var(--muted); font-size: 0.85rem; }
#filter-form { margin: 1rem 0; }
#filter-form input { font: inherit; padding: 0.3rem 0.5rem; width: 20rem; max-width: 100%; border: 1px solid var(--muted); border-radius: 3px; }
a:focus-visible, input:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
@media screen and (max-width: 48rem) {
  .stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .stack, .stack tbody, .stack tr, .stack th, .stack td { display: block; width: auto; }
  .stack tr { margin: 0 0 0.75rem; border: 1px solid var(--rule); border-radius: 4px; }
  .stack tr[hidden] { display: none; }
  .stack th, .stack td { border: 0; border-top: 1px solid var(--rule); }
  .stack tr > :first-child { border-top: 0; }
  .stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  .stack tbody tr:nth-child(even) td { background: transparent; }
  #policies tr.row-overdue > th, #policies tr.row-due > th { box-shadow: none; }
  #policies tr.row-overdue { border-left: 5px solid #8a1c1c; }
  #policies tr.row-due { border-left: 5px solid #b86e00; }
}
@media screen and (min-width: 64rem) { #policies time, #policies .when { white-space: nowrap; } }
@media print { #filter-form, .downloads { display: none; } tr[hidden] { display: table-row; } }
`;

// The page works without it: the filter form stays hidden unless the script runs. The page's CSP
// allows this script and no other, by its hash.
export const FILTER_SCRIPT = `
const form = document.getElementById("filter-form");
const input = document.getElementById("filter");
const count = document.getElementById("filter-count");
const rows = [...document.querySelectorAll("#policies tbody tr")];
form.hidden = false;
input.addEventListener("input", () => {
  const query = input.value.trim().toLowerCase();
  let shown = 0;
  for (const row of rows) {
    row.hidden = !row.dataset.search.includes(query);
    if (!row.hidden) shown++;
  }
  count.textContent = query ? count.dataset.template.replace("{shown}", shown).replace("{total}", rows.length) : "";
});`;

/** The CSP source that allows the filter script, for `serve`'s header. */
export const FILTER_SCRIPT_HASH = cspHash(FILTER_SCRIPT);

export function statusCounts(reviews: readonly Review[]): Record<Review["status"], number> {
  const counts = { current: 0, due: 0, overdue: 0 };
  for (const review of reviews) counts[review.status]++;
  return counts;
}

const dayNumber = (date: CalendarDate) => Date.UTC(date.year, date.month - 1, date.day) / 86_400_000;

/**
 * "12 days overdue", "due in 3 days", "due today"; nothing for a current policy. A policy due
 * because a law changed says which, not a countdown to its cycle's date.
 */
export function urgency(review: Review, buildDate: CalendarDate, l: Labels = labelsFor("en")): string | undefined {
  const left = dayNumber(review.nextReview) - dayNumber(buildDate);
  if (review.status === "overdue") return l.urgency.overdue(-left);
  if (review.status === "due" && left > DUE_WINDOW_DAYS) return undefined;
  if (review.status === "due") return left === 0 ? l.urgency.dueToday : l.urgency.dueIn(left);
  return undefined;
}

const RANK: Record<Review["status"], number> = { overdue: 0, due: 1, current: 2 };

/** Overdue first (most overdue first), then due (soonest first), then the rest by code. */
export function byUrgency(entries: readonly PackEntry[]): PackEntry[] {
  return [...entries].sort(
    (a, b) =>
      RANK[a.review.status] - RANK[b.review.status] ||
      (a.review.status === "current" ? 0 : dayNumber(a.review.nextReview) - dayNumber(b.review.nextReview)) ||
      a.policy.code.localeCompare(b.policy.code, "en", { numeric: true }),
  );
}

function statusCell(review: Review, buildDate: CalendarDate, language: Language): Element {
  const l = labelsFor(language);
  const when = urgency(review, buildDate, l);
  const why = reviewReason(review, language);
  const label = l.reviewStatus[review.status];
  return h("td", { className: [`status-${review.status}`], dataLabel: l.columns.status }, [
    // The space keeps label and countdown apart for screen readers; the countdown shows on its own line.
    when || why ? `${label} ` : label,
    when ? h("span.when", when) : null,
    why ? h("span.why", `${when ? " " : ""}${why}`) : null,
  ]);
}

/** A link to a document in another language than the page's, marked as such for screen readers. */
function inLanguage(href: string, language: Language, text: string): Element {
  const tag = labelsFor(language).tag;
  return h("a", { href, lang: tag, hrefLang: tag }, text);
}

/** The page a care home opens: every policy in its pack, its review status, and the downloads. */
export function renderPackPage(
  org: Org,
  entries: PackEntry[],
  downloads: PackDownloads,
  buildDate: CalendarDate,
  theme: Theme,
  edition: PackEdition = { language: "en" },
): string {
  const { language } = edition;
  const l = labelsFor(language);
  const name = orgValue(org, "name", language);
  const date = (d: CalendarDate) => formatLong(d, language);
  const counts = statusCounts(entries.map((e) => e.review));
  const rows = byUrgency(entries).map(({ policy, review, files, other }) => {
    // A policy not yet translated is listed in English, and says so in the page's language.
    const own = policy.language === language;
    return h(
      "tr",
      {
        className: review.status === "current" ? [] : [`row-${review.status}`],
        dataSearch: [policy.code, policy.title, other?.policy.title ?? ""].join(" ").toLowerCase(),
      },
      [
        h("th", { scope: "row" }, policy.code),
        h("td", { dataLabel: l.columns.policy }, [
          !files.html
            ? policy.title
            : own
              ? h("a", { href: files.html }, policy.title)
              : inLanguage(files.html, policy.language, policy.title),
          own ? null : [" ", h("span.only", l.englishOnly)],
          // The space keeps the title and the other language's link apart for screen readers too.
          other?.files.html
            ? [
                " ",
                h(
                  "span.also",
                  inLanguage(other.files.html, other.policy.language, labelsFor(other.policy.language).name),
                ),
              ]
            : null,
        ]),
        h("td", { dataLabel: l.columns.version }, policy.version),
        h("td", { dataLabel: l.columns.lastReviewed }, [
          h("time", { dateTime: formatIso(review.lastReviewed) }, date(review.lastReviewed)),
          reviewedBy(review, l) ? h("span.by", ` ${reviewedBy(review, l)}`) : null,
        ]),
        h(
          "td",
          { dataLabel: l.columns.nextReview },
          h("time", { dateTime: formatIso(review.nextReview) }, date(review.nextReview)),
        ),
        statusCell(review, buildDate, language),
        h(
          "td",
          { dataLabel: l.columns.download },
          (["html", "pdf", "docx"] as const)
            .filter((format) => files[format])
            .flatMap((format, i) => [
              i > 0 ? " · " : "",
              h(
                "a",
                { href: files[format], ariaLabel: `${policy.code} ${policy.title}, ${l.formats[format]}` },
                l.formats[format],
              ),
            ]),
        ),
      ],
    );
  });
  const downloadLinks = [
    downloads.manual ? h("li", h("a", { href: downloads.manual }, l.manualLink)) : null,
    downloads.signSheets ? h("li", h("a", { href: downloads.signSheets }, l.signSheetsLink)) : null,
    downloads.zip ? h("li", h("a", { href: downloads.zip }, l.zipLink)) : null,
  ].filter((item) => item !== null);
  const other = edition.other;
  const page = standalonePage(
    l.packOf(name),
    name,
    PACK_CSS,
    [
      h("div.page", [
        orgHeader(org, "file", language),
        other
          ? h(
              "nav.language-switch",
              { ariaLabel: l.languageNav },
              inLanguage(other.index, other.language, labelsFor(other.language).packInOtherLanguage),
            )
          : null,
        h("main", [
          h("h1", l.policyPack),
          h("ul.summary", [
            h("li", `${l.packDate}: ${date(buildDate)}`),
            h("li", l.summary.policies(entries.length)),
            h("li", { className: counts.overdue ? ["status-overdue"] : [] }, l.summary.overdue(counts.overdue)),
            h("li", { className: counts.due ? ["status-due"] : [] }, l.summary.due(counts.due)),
          ]),
          downloadLinks.length > 0
            ? h("section.downloads", { ariaLabelledBy: "downloads" }, [
                h("h2#downloads", l.downloads),
                h("ul", downloadLinks),
              ])
            : null,
          h("section", { ariaLabelledBy: "policies-heading" }, [
            h("h2#policies-heading", l.policies),
            h("p", l.orderNote),
            h("div#filter-form", { hidden: true, role: "search" }, [
              h("label", { htmlFor: "filter" }, `${l.filterLabel} `),
              h("input#filter", { type: "search", autocomplete: "off" }),
              h("span#filter-count", { ariaLive: "polite", dataTemplate: l.filterShown }),
            ]),
            h("table#policies.stack", [
              h("caption.sr-only", l.tableCaption(name, date(buildDate))),
              h(
                "thead",
                h(
                  "tr",
                  Object.values(l.columns).map((label) => h("th", { scope: "col" }, label)),
                ),
              ),
              h("tbody", rows),
            ]),
          ]),
        ]),
        preparedByFooter(theme, l),
      ]),
      h("script", FILTER_SCRIPT),
    ],
    { theme, language },
  );
  return toHtml(page);
}

/** "Prepared by Polisi Cymru Ltd", linked to its website, under a pack page; nothing in the default theme. */
function preparedByFooter(theme: Theme, l: Labels): Element | null {
  const text = preparedBy(theme, l);
  if (!text) return null;
  const website = theme.consultancy?.website;
  return h("footer.prepared-by", h("p", website ? h("a", { href: website }, text) : text));
}

export interface OverviewRow {
  org: Org;
  /** Reviews of the policies in its pack; undefined when the pack was not built (input errors). */
  reviews?: { policy: Policy; review: Review }[];
}

/** "review needed: Data (Use and Access) Act 2025 in force 19 June 2025 (DCW34, DCW38)", one per law. */
function overviewReasons(reviews: { policy: Policy; review: Review }[]): string[] {
  const byLaw = new Map<string, string[]>();
  for (const { policy, review } of reviews) {
    for (const item of review.legislation ?? []) {
      const why = reviewReason({ ...review, legislation: [item] }) as string;
      byLaw.set(why, [...(byLaw.get(why) ?? []), policy.code]);
    }
  }
  return [...byLaw].map(([why, codes]) => `${why} (${codes.join(", ")})`);
}

/** The consultancy's page: every client, its pack, and what is due or overdue. Fallback fonts: no font files sit beside it. */
export function renderOverview(rows: OverviewRow[], buildDate: CalendarDate, theme: Theme): string {
  const body = rows.map(({ org, reviews }) => {
    const name = String(org.data.name);
    if (!reviews) {
      return h("tr", [
        h("th", { scope: "row" }, name),
        h(
          "td",
          { colSpan: 4 },
          "Not built: its organisation file or a policy in its pack has errors (run policypack check)",
        ),
      ]);
    }
    const counts = statusCounts(reviews.map((r) => r.review));
    const reasons = overviewReasons(reviews);
    return h("tr", [
      h("th", { scope: "row" }, h("a", { href: `${org.id}/index.html` }, name)),
      h("td", { dataLabel: "Policies" }, String(reviews.length)),
      h("td", { className: counts.due ? ["status-due"] : [], dataLabel: "Due for review" }, String(counts.due)),
      h("td", { className: counts.overdue ? ["status-overdue"] : [], dataLabel: "Overdue" }, String(counts.overdue)),
      h(
        "td",
        { dataLabel: "Legislation" },
        reasons.length
          ? h(
              "ul",
              reasons.map((why) => h("li", why)),
            )
          : "",
      ),
    ]);
  });
  const page = standalonePage(
    "Policy packs",
    "policypack",
    PACK_CSS,
    [
      h("div.page", [
        h("main", [
          h("h1", "Policy packs"),
          h("p", `${rows.length} organisations · review status as of ${formatLong(buildDate)}`),
          h("table.stack", [
            h("caption.sr-only", "Every organisation's pack"),
            h(
              "thead",
              h(
                "tr",
                ["Organisation", "Policies", "Due for review", "Overdue", "Legislation"].map((label) =>
                  h("th", { scope: "col" }, label),
                ),
              ),
            ),
            h("tbody", body),
          ]),
        ]),
        preparedByFooter(theme, labelsFor("en")),
      ]),
    ],
    { embedFonts: false, theme, language: "en" },
  );
  return toHtml(page);
}
