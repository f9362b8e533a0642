// The heuristics that turn a legacy page's Markdown tree into a policy body. Each is a plain
// function over the tree that returns the guesses it made, so an editor can review every one.

import type {
  Heading,
  List,
  ListItem,
  Node,
  Paragraph,
  Parent,
  PhrasingContent,
  Root,
  RootContent,
  Table,
  TableCell,
  Text,
} from "mdast";
import { toString as nodeText } from "mdast-util-to-string";
import { didYouMean } from "../diagnostics/suggest.ts";
import { isPublishableLink, refusedKind, urlScheme } from "../links.ts";
import { COMPUTED_NAMES, ORG_PREFIX } from "../template/placeholders.ts";
import { lowerCaseName } from "./legacy-placeholders.ts";
import { type Guess, WORD_IMAGE } from "./types.ts";

const lineOf = (node: Node | undefined) => node?.position?.start.line ?? 1;
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
const quote = (text: string, max = 60) => {
  const flat = oneLine(text);
  return `"${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}"`;
};

function visitTexts(node: Node, visit: (text: Text) => void): void {
  if (node.type === "text") visit(node as Text);
  for (const child of (node as Parent).children ?? []) visitTexts(child, visit);
}

/**
 * `{{x}}` → `<<x>>`, `{{#if x}}` → `<<#if x>>`. Only a name that is neither an org field nor
 * computed is worth a guess line.
 */
export function convertPlaceholders(tree: Root, fields: readonly string[] = []): Guess[] {
  const guesses: Guess[] = [];
  visitTexts(tree, (text) => {
    text.value = text.value.replace(/\{\{\s*([^{}\n]+?)\s*\}\}/g, (_match, written: string) => {
      const name = lowerCaseName(written, fields);
      if (name !== written)
        guesses.push({
          line: lineOf(text),
          kind: "placeholder",
          message: `{{${written}}} → <<${name}>> (in lower case)`,
        });
      const field = name.startsWith(ORG_PREFIX) ? name.slice(ORG_PREFIX.length) : undefined;
      if (field !== undefined && fields.length > 0 && !fields.includes(field)) {
        const suggestion = didYouMean(field, fields);
        guesses.push({
          line: lineOf(text),
          kind: "placeholder",
          message: `<<${name}>> is not an organisation field${suggestion ? `: did you mean <<${ORG_PREFIX}${suggestion}>>?` : ""} (check will report it)`,
        });
      }
      const plainName = /^[\w.-]+$/.test(name) && name !== "else";
      if (plainName && !name.startsWith(ORG_PREFIX) && !(COMPUTED_NAMES as readonly string[]).includes(name)) {
        guesses.push({
          line: lineOf(text),
          kind: "placeholder",
          message: `{{${name}}} kept as <<${name}>>, which is neither an org field nor computed: check will report it`,
        });
      }
      return `<<${name}>>`;
    });
  });
  return guesses;
}

/**
 * Links other than http:, https:, mailto:, tel: and relative ones (javascript:, data:,
 * vbscript:, file:…) are never carried into a policy: the link goes, its text stays.
 */
export function dropUnsafeLinks(tree: Root): Guess[] {
  const guesses: Guess[] = [];
  const unsafeDefinitions = new Map<string, string | undefined>();
  tree.children = tree.children.filter((node) => {
    if (node.type !== "definition" || isPublishableLink(node.url)) return true;
    unsafeDefinitions.set(node.identifier, refusedKind(node.url));
    guesses.push({
      line: lineOf(node),
      kind: "link",
      message: `dropped the link definition [${node.label ?? node.identifier}]: its ${refusedKind(node.url)} address is never published`,
    });
    return false;
  });
  const visit = (node: Parent) => {
    node.children = node.children.flatMap((child) => {
      const unsafe =
        (child.type === "link" && !isPublishableLink(child.url)) ||
        (child.type === "linkReference" && unsafeDefinitions.has(child.identifier));
      if (!unsafe) return [child];
      const kind = child.type === "link" ? refusedKind(child.url) : unsafeDefinitions.get(child.identifier);
      guesses.push({
        line: lineOf(child),
        kind: "link",
        message: `dropped a ${kind} link, kept its text ${quote(nodeText(child))} (only http:, https:, mailto:, tel: and relative links are published)`,
      });
      return (child as Parent).children;
    }) as typeof node.children;
    for (const child of node.children) if ("children" in child) visit(child);
  };
  visit(tree);
  return guesses;
}

/** What kind of image an address points at, for the note saying it was dropped. */
function imageNote(url: string): string {
  if (url === WORD_IMAGE) return "dropped a picture from the Word document";
  const scheme = urlScheme(url);
  if (scheme === "http" || scheme === "https" || url.startsWith("//"))
    return `dropped a remote image ${url.length > 80 ? `${url.slice(0, 79)}…` : url} (a pack never loads images from the web)`;
  if (scheme === "data") return "dropped an image embedded in the page (data: address)";
  return "dropped an image";
}

/** The spaces an image stood between stay behind: trimmed at the paragraph's ends. */
function trimParagraph(paragraph: Paragraph): void {
  const first = paragraph.children[0];
  if (first?.type === "text") first.value = first.value.trimStart();
  const last = paragraph.children.at(-1);
  if (last?.type === "text") last.value = last.value.trimEnd();
  paragraph.children = paragraph.children.filter((child) => child.type !== "text" || child.value !== "");
}

/** Images: the logo at the top is chrome, and a policy body has no others (documents print the logo). */
export function dropImages(tree: Root): Guess[] {
  const guesses: Guess[] = [];
  const visit = (node: Parent) => {
    const before = node.children.length;
    node.children = node.children.filter((child) => {
      if (child.type !== "image" && child.type !== "imageReference") return true;
      const note = child.type === "image" ? imageNote(child.url) : "dropped an image";
      guesses.push({ line: lineOf(child), kind: "image", message: `${note}: add it by hand if it matters` });
      return false;
    }) as typeof node.children;
    if (node.type === "paragraph" && node.children.length < before) trimParagraph(node as Paragraph);
    for (const child of node.children) if ("children" in child) visit(child);
  };
  visit(tree);
  tree.children = tree.children.filter((node) => !(node.type === "paragraph" && node.children.length === 0));
  return guesses;
}

// Site chrome: the page header the layout prints anyway, and the blog's comment form.
const CHROME = [
  /^<<org_field_logo>>$/,
  /^<<org_field_name>>$/,
  /^Registration (Number|No\.?)\s*:/i,
  /^Your email address will not be published/i,
];
const COMMENTS = /^Leave a (Reply|Comment)\b/i;

export function dropChrome(tree: Root): Guess[] {
  const guesses: Guess[] = [];
  const comments = tree.children.findIndex((node) => node.type === "paragraph" && COMMENTS.test(nodeText(node).trim()));
  if (comments !== -1) {
    const dropped = tree.children.splice(comments);
    const more = dropped.length - 1;
    guesses.push({
      line: lineOf(dropped[0]),
      kind: "chrome",
      message: `dropped "${oneLine(nodeText(dropped[0] as Node))}"${more ? ` and the ${more} block${more === 1 ? "" : "s"} after it` : ""} (a comment form)`,
    });
  }
  // A header block typed without blank lines ("<<org_field_logo>>\n<<org_field_name>>\nRegistration
  // Number: …\n1. Purpose") is one paragraph: its chrome lines are peeled off the top one by one.
  for (const node of tree.children) {
    const first = node.type === "paragraph" ? node.children[0] : undefined;
    if (first?.type !== "text") continue;
    const lines = first.value.split("\n");
    let peeled = 0;
    while (peeled < lines.length - 1 && CHROME.some((pattern) => pattern.test((lines[peeled] as string).trim()))) {
      guesses.push({
        line: lineOf(node) + peeled,
        kind: "chrome",
        message: `dropped ${quote((lines[peeled] as string).trim())} (every document prints it)`,
      });
      peeled++;
    }
    if (peeled > 0) {
      first.value = lines.slice(peeled).join("\n");
      // What is left starts further down the source: its guesses and warnings say where.
      for (const at of new Set([node.position?.start, first.position?.start]))
        if (at) Object.assign(at, { line: at.line + peeled, column: 1 });
    }
  }
  tree.children = tree.children.filter((node) => {
    const text = oneLine(nodeText(node));
    if (node.type !== "paragraph" || !CHROME.some((pattern) => pattern.test(text))) return true;
    guesses.push({ line: lineOf(node), kind: "chrome", message: `dropped ${quote(text)} (every document prints it)` });
    return false;
  });
  return guesses;
}

/** "1. Purpose", "3.1 Professional Conduct": a number, then a short capitalised line with no full stop. */
const NUMBERED_HEADING = /^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+((?:\p{Lu}|<<)[^\n]*)$/u;

function headingDepth(text: string): number | undefined {
  const match = NUMBERED_HEADING.exec(text.trim());
  if (!match) return undefined;
  const title = match[2] as string;
  if (/[.;,]$/.test(title) || title.split(/\s+/).length > 15) return undefined;
  return Math.min((match[1] as string).split(".").length + 1, 6);
}

/** Looks like a title: a short line without a full stop that is not a numbered section. */
const looksLikeTitle = (text: string) =>
  text.length > 0 && text.split(/\s+/).length <= 15 && !/[.;:,]$/.test(text) && headingDepth(text) === undefined;

/**
 * The title: the first level-1 heading (Word's Title style, an HTML h1), else the title the
 * format states (HTML `<title>`, Markdown front matter), else the first line of the page once the chrome is gone.
 */
export function takeTitle(tree: Root, statedTitle?: string): { title?: string; guess?: Guess } {
  const h1 = tree.children.findIndex((node) => node.type === "heading" && node.depth === 1);
  if (h1 !== -1) {
    const [node] = tree.children.splice(h1, 1) as [Heading];
    const title = oneLine(nodeText(node));
    return {
      title,
      guess: { line: lineOf(node), kind: "title", message: `${quote(title, 100)} (the first top heading)` },
    };
  }
  if (statedTitle) {
    return {
      title: statedTitle,
      guess: {
        line: 1,
        kind: "title",
        message: `${quote(statedTitle, 100)} (the title the document states: a post's title heading, HTML <title> or front matter)`,
      },
    };
  }
  const first = tree.children[0];
  const text = first ? oneLine(nodeText(first)) : "";
  if (first && (first.type === "heading" || (first.type === "paragraph" && looksLikeTitle(text)))) {
    tree.children.shift();
    return {
      title: text,
      guess: {
        line: lineOf(first),
        kind: "title",
        message: `${quote(text, 100)} (the first line after the page header)`,
      },
    };
  }
  return {};
}

/**
 * Numbered paragraphs become headings at the level their number gives ("1." → ##, "3.1" → ###,
 * "3.1.2" → ####); headings the source already has get the level of their number too, and never
 * level 1 (the title comes from front matter). A Markdown "1. Purpose" reads as a one-item
 * ordered list, and a text block may run its first line (the heading) into the paragraph.
 */
export function numberedHeadings(tree: Root): Guess[] {
  const guesses: Guess[] = [];
  const heading = (node: RootContent, text: string, depth: number): Heading => {
    guesses.push({ line: lineOf(node), kind: "heading", message: `${quote(text)} → ${"#".repeat(depth)}` });
    return {
      type: "heading",
      depth: depth as Heading["depth"],
      children: [{ type: "text", value: text }],
      ...(node.position ? { position: node.position } : {}),
    };
  };
  tree.children = tree.children.flatMap((node): RootContent[] => {
    const text = oneLine(nodeText(node));
    if (node.type === "heading") {
      // Word's list numbers come with spacing ("1.&nbsp;&nbsp;&nbsp; Purpose"): one space is meant.
      visitTexts(node, (t) => {
        t.value = t.value.replace(/[ \t\u00a0]{2,}|\u00a0/g, " ");
      });
      const depth = headingDepth(text) ?? Math.max(node.depth, 2);
      if (depth === node.depth) return [node];
      guesses.push({
        line: lineOf(node),
        kind: "heading",
        message: `${quote(text)}: level ${node.depth} → ${"#".repeat(depth)}`,
      });
      return [{ ...node, depth: depth as Heading["depth"] }];
    }
    if (node.type === "list" && node.ordered && node.children.length === 1) {
      const depth = headingDepth(`${node.start ?? 1}. ${text}`);
      if (depth !== undefined && node.children[0]?.children.length === 1)
        return [heading(node, `${node.start ?? 1}. ${text}`, depth)];
    }
    if (node.type !== "paragraph") return [node];
    const depth = headingDepth(text);
    if (depth !== undefined) return [heading(node, text, depth)];
    // "1. Purpose\nThe purpose of …": the heading's line, then the paragraph.
    const first = node.children[0];
    if (first?.type === "text" && first.value.includes("\n")) {
      const [line, ...rest] = first.value.split("\n");
      const lineDepth = headingDepth(line as string);
      if (lineDepth !== undefined) {
        const body: Paragraph = {
          ...node,
          children: [{ type: "text", value: rest.join("\n") }, ...node.children.slice(1)],
        };
        return [heading(node, (line as string).trim(), lineDepth), body];
      }
    }
    return [node];
  });
  return guesses;
}

// The trailer the layout prints on every document, and the labels that start it.
const TRAILER_LABELS = "Responsible Person|Reviewed on|Last reviewed|Next Review Date|Review Date|Copyright|©";
const TRAILER = new RegExp(`^(${TRAILER_LABELS})`, "i");
const TRAILER_LINE = new RegExp(`^(${TRAILER_LABELS})\\s*:?\\s*(.*)$`, "i");
const DATE_ONLY = /^<<(last_update_date|next_review_date|current_year)>>$/;

/** Drops the *Responsible Person / Reviewed on / Next Review Date / Copyright* trailer: one guess for all of it. */
export function dropTrailer(tree: Root): Guess[] {
  const labels: string[] = [];
  let line: number | undefined;
  tree.children = tree.children.filter((node) => {
    const text = nodeText(node).trim();
    if (node.type !== "paragraph" || !(TRAILER.test(text) || DATE_ONLY.test(text))) return true;
    line ??= lineOf(node);
    for (const row of text.split("\n")) {
      const match = TRAILER_LINE.exec(row.trim());
      if (!match) continue;
      const person = /^Responsible Person$/i.test(match[1] as string) && match[2];
      labels.push(person ? `Responsible Person (${match[2]})` : (match[1] as string));
    }
    return false;
  });
  if (line === undefined) return [];
  const message = `dropped ${labels.join(", ")}: every document prints them from the organisation and its review dates`;
  return [{ line, kind: "trailer", message }];
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  twelve: 12,
  eighteen: 18,
};

/** The review cycle a sentence about reviewing states: "reviewed annually" → 12, "every two years" → 24. */
function cycleIn(sentence: string): { months: number; phrase: string } | undefined {
  if (!/\breview/i.test(sentence)) return undefined;
  const yearly = /\b(?:\w+ )?(annually|yearly|every year|each year|biennially|six-monthly|twice a year)\b/i.exec(
    sentence,
  );
  if (yearly) {
    const word = (yearly[1] as string).toLowerCase();
    const months = word === "biennially" ? 24 : word === "six-monthly" || word === "twice a year" ? 6 : 12;
    return { months, phrase: yearly[0] };
  }
  const every = /\bevery (\d+|one|two|three|four|five|six|twelve|eighteen) (month|year)s?\b/i.exec(sentence);
  if (!every) return undefined;
  const count = Number(every[1]) || (NUMBER_WORDS[(every[1] as string).toLowerCase()] as number);
  return { months: count * ((every[2] as string).toLowerCase() === "year" ? 12 : 1), phrase: every[0] };
}

/** `review_months` from the first sentence about reviewing that names a cycle; 12 when none does. */
export function reviewCycle(tree: Root): { months: number; guess: Guess } {
  for (const node of tree.children) {
    if (node.type !== "paragraph") continue;
    for (const sentence of nodeText(node).split(/(?<=[.!?])\s+/)) {
      const cycle = cycleIn(sentence);
      if (cycle && cycle.months >= 1 && cycle.months <= 60) {
        return {
          months: cycle.months,
          guess: {
            line: lineOf(node),
            kind: "review",
            message: `review_months ${cycle.months} from "${cycle.phrase}"`,
          },
        };
      }
    }
  }
  return {
    months: 12,
    guess: { line: 1, kind: "review", message: "review_months 12 (the default: no review cycle found)" },
  };
}

/** The inline nodes covering characters [start, end) of their text, splitting text (and the formatting around it). */
function sliceInline(nodes: PhrasingContent[], start: number, end: number): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  let offset = 0;
  for (const node of nodes) {
    const length = nodeText(node).length;
    const from = Math.max(start - offset, 0);
    const to = Math.min(end - offset, length);
    offset += length;
    if (from >= to) continue;
    if (from === 0 && to === length) out.push(node);
    else if (node.type === "text") out.push({ type: "text", value: node.value.slice(from, to) });
    else if ("children" in node)
      out.push({ ...node, children: sliceInline(node.children as PhrasingContent[], from, to) } as PhrasingContent);
    else out.push(node); // inline code and the like: kept whole
  }
  return out;
}

/** [start, end) of `text` without the whitespace around it. */
function trimmed(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start] as string)) start++;
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return [start, end];
}

/**
 * The lead-in of a flattened list: a clause ending in one of these words and a colon, followed by
 * text, as in "This means:", "Employees must:", "This includes:", "It covers:", "This policy
 * applies to:", "Examples of misuse include:", "… implements:", "… read alongside:".
 */
const LEAD_IN =
  /\b(?:means|must|should|will|includes?|including|covers?|applies to|implements?|alongside|following|as follows|are):\s+(?=\p{Lu}|<<|["“‘(])/u;

/** Sentence ends: ". " before a capital letter, a placeholder or an opening quote, not after "e.g." and the like. */
const SENTENCE_END = /(?<=[.!?])\s+(?=\p{Lu}|<<|["“‘(])/gu;
const ABBREVIATION = /\b(?:e\.g|i\.e|etc|Mr|Mrs|Ms|Dr|St|No|vs)\.$/i;

/** Where each item of `text` from `from` on starts and ends: one sentence per item. */
function sentenceItems(text: string, from: number): [number, number][] {
  const items: [number, number][] = [];
  let start = from;
  for (const match of text.slice(from).matchAll(SENTENCE_END)) {
    const end = from + match.index;
    if (ABBREVIATION.test(text.slice(start, end))) continue;
    items.push(trimmed(text, start, end));
    start = end + match[0].length;
  }
  items.push(trimmed(text, start, text.length));
  return items.filter(([s, e]) => e > s);
}

/**
 * "Title (CODE), Title (CODE), … Title (CODE).": one item per citation, split on the commas
 * after a closing bracket (titles have commas of their own); the final full stop and an "and"
 * before the last citation are dropped.
 */
function citationItems(text: string, from: number): [number, number][] | undefined {
  const items: [number, number][] = [];
  let start = from;
  for (const match of text.slice(from).matchAll(/(?<=\([A-Z]{2,}\d+\))\s*,\s*(?:and\s+)?/g)) {
    items.push(trimmed(text, start, from + match.index));
    start = from + match.index + match[0].length;
  }
  const last = trimmed(text, start, text.length);
  if (text[last[1] - 1] === ".") last[1]--;
  items.push(last);
  const cites = items.every(([s, e]) => /\([A-Z]{2,}\d+\)$/.test(text.slice(s, e)));
  return cites && items.length >= 2 ? items : undefined;
}

/**
 * Flattened lists. A paragraph with a lead-in (see LEAD_IN) followed by at least two sentences
 * becomes the paragraph up to the colon, then a bullet list with one sentence per item. After
 * "read alongside:" (or any lead-in followed by "Title (CODE), Title (CODE)…") the items are the
 * citations instead. Everything after the lead-in is taken as the list: a closing remark must be
 * its own paragraph in the source (it is in the pages seen so far).
 */
export function flattenedLists(tree: Root): Guess[] {
  const guesses: Guess[] = [];
  tree.children = tree.children.flatMap((node): RootContent[] => {
    if (node.type !== "paragraph") return [node];
    const text = nodeText(node);
    const lead = LEAD_IN.exec(text);
    if (!lead) return [node];
    const colon = lead.index + lead[0].indexOf(":") + 1;
    const afterColon = lead.index + lead[0].length;
    const citations = citationItems(text, afterColon);
    const items = citations ?? sentenceItems(text, afterColon);
    if (items.length < 2) return [node];
    const list: List = {
      type: "list",
      ordered: false,
      spread: false,
      children: items.map(
        ([s, e]): ListItem => ({
          type: "listItem",
          spread: false,
          children: [{ type: "paragraph", children: sliceInline(node.children, s, e) }],
        }),
      ),
    };
    const leadIn = text
      .slice(0, colon)
      .split(/(?<=[.!?])\s+/)
      .at(-1) as string;
    guesses.push({
      line: lineOf(node),
      kind: "list",
      message: `split ${items.length} ${citations ? "policy citations" : "items"} after ${quote(leadIn)}`,
    });
    const paragraph: Paragraph = { ...node, children: sliceInline(node.children, ...trimmed(text, 0, colon)) };
    return [paragraph, list];
  });
  return guesses;
}

/**
 * A GFM table needs a header row. HTML and Word tables without one come through with an empty
 * first row: their own first row becomes the header instead.
 */
export function tableHeaders(tree: Root): Guess[] {
  const guesses: Guess[] = [];
  for (const node of tree.children) {
    if (node.type !== "table" || node.children.length < 2 || nodeText(node.children[0] as Node).trim() !== "") continue;
    node.children.shift();
    guesses.push({ line: lineOf(node), kind: "table", message: "its first row taken as the header row" });
  }
  // A header row typed in bold (as Word tables often are) is bold anyway: "**Time**" would be noise.
  for (const node of tree.children) {
    if (node.type !== "table") continue;
    for (const cell of node.children[0]?.children ?? []) {
      // A cell read from HTML holds a paragraph; its one child may be the bold run.
      const holder = (cell.children.length === 1 && (cell.children[0] as Node).type === "paragraph"
        ? cell.children[0]
        : cell) as unknown as Paragraph;
      const only = holder.children[0];
      if (holder.children.length === 1 && only?.type === "strong") holder.children = only.children;
    }
  }
  return guesses;
}

// A document-control block: a table whose first column holds these labels, or "Version: 3.1" lines.
const CONTROL_LABEL =
  /^(?:policy |document )?(?:version(?: number| no\.?)?|issue|reviewed(?: on| by)?|(?:last |date of (?:last )?)?review(?:ed)?(?: date)?|next review(?: date| due)?|review due|approved(?: by| on)?|author|owner|status|(?:policy |document )?(?:code|number|ref(?:erence)?)|date (?:issued|approved)|issue date|responsible person)\s*:?$/i;
const CONTROL_LINE =
  /^((?:policy |document )?version(?: number| no\.?)?|(?:last )?reviewed(?: on)?|next review(?: date)?)\s*:\s*(.+)$/i;
const VERSION_VALUE = /^v?(\d{1,3}(?:\.\d{1,3}){0,3})\b/i;

const cellText = (cell: TableCell | undefined) => (cell ? oneLine(nodeText(cell)) : "");

/**
 * The source's own document control (a table of Version, Reviewed, Next review…, or such lines
 * near the top): the layout prints its own, so it leaves the body; its version becomes the
 * policy's, and everything it said is in the report for the reviewer.
 */
export function documentControl(tree: Root): { version?: string; guesses: Guess[] } {
  const guesses: Guess[] = [];
  let version: string | undefined;
  const noteRow = (label: string, value: string, line: number) => {
    const found = /version/i.test(label) ? VERSION_VALUE.exec(value)?.[1] : undefined;
    if (found && !version) version = found;
    guesses.push({
      line,
      kind: found ? "version" : "control",
      message: found
        ? `"${found}" (the source's document control: ${quote(`${label} ${value}`)})`
        : `the source said ${quote(`${label} ${value}`)}, which is not carried over: review dates go in each organisation's review log, approvals in the version history`,
    });
  };
  tree.children = tree.children.filter((node, i) => {
    if (node.type === "table") {
      const rows = (node as Table).children;
      const labelled = rows.filter((row) => CONTROL_LABEL.test(cellText(row.children[0])));
      if (labelled.length < 2 || labelled.length < rows.length / 2) return true;
      for (const row of labelled) noteRow(cellText(row.children[0]), cellText(row.children[1]), lineOf(row));
      guesses.push({
        line: lineOf(node),
        kind: "control",
        message: "dropped the source's document-control table (every document prints its own)",
      });
      return false;
    }
    // "Version: 3.1" lines near the top.
    const line = CONTROL_LINE.exec(oneLine(nodeText(node)));
    if (node.type !== "paragraph" || i > 6 || !line) return true;
    noteRow(line[1] as string, line[2] as string, lineOf(node));
    return false;
  });
  return { ...(version ? { version } : {}), guesses };
}

/**
 * Every heuristic, in order; returns the title (if the document has one, and none was given)
 * and the review cycle. A given title (--title) leaves the document's first lines in its body.
 */
export function normalise(
  tree: Root,
  statedTitle?: string,
  fields: readonly string[] = [],
  givenTitle?: string,
): { title?: string; version?: string; reviewMonths: number; guesses: Guess[] } {
  const guesses = [
    ...convertPlaceholders(tree, fields),
    ...dropImages(tree),
    ...dropUnsafeLinks(tree),
    ...dropChrome(tree),
  ];
  const { title, guess } = givenTitle
    ? { title: givenTitle, guess: { line: 1, kind: "title" as const, message: `${quote(givenTitle, 100)} (--title)` } }
    : takeTitle(tree, statedTitle);
  if (guess) guesses.push(guess);
  const control = documentControl(tree);
  guesses.push(...control.guesses, ...numberedHeadings(tree));
  const review = reviewCycle(tree);
  guesses.push(review.guess, ...dropTrailer(tree), ...flattenedLists(tree), ...tableHeaders(tree));
  return {
    ...(title ? { title } : {}),
    ...(control.version ? { version: control.version } : {}),
    reviewMonths: review.months,
    guesses,
  };
}
