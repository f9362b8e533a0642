import { createHash } from "node:crypto";
import type { Nodes, Parent } from "mdast";
import { positionsIn } from "../template/positions.ts";
import { parseSource } from "../template/source-tree.ts";

// A policy body as a translator sees it: sections (each heading starts one) holding blocks (the
// heading, each paragraph, list item's paragraph and table cell). A translation has the same
// sections and blocks as its English policy, in the same order; that is how `check` pairs them,
// how it names the sections that changed, and how XLIFF units find their way back.

export interface Block {
  /** Offsets of the block's text in the body: no list marker, no `#`, no table pipes. */
  start: number;
  end: number;
  /** The block's Markdown source, placeholders and emphasis included. */
  text: string;
  /** Short hash of the text with its white space evened out. */
  hash: string;
  line: number;
  column: number;
}

export interface Section {
  /** The heading's text as written ("3. Principles of …"); "" for what comes before the first heading. */
  heading: string;
  line: number;
  column: number;
  blocks: Block[];
}

export const blockHash = (text: string) =>
  createHash("sha256").update(text.replace(/\s+/g, " ").trim()).digest("hex").slice(0, 8);

const LEAVES = new Set(["heading", "paragraph", "tableCell", "code"]);

/** The sections and blocks of a policy body whose first line is `firstLine` of its file. */
export function sectionsOf(body: string, firstLine = 1): Section[] {
  const { tree } = parseSource(body);
  const at = positionsIn(body, firstLine);
  const sections: Section[] = [{ heading: "", line: firstLine, column: 1, blocks: [] }];
  const visit = (node: Nodes) => {
    if (LEAVES.has(node.type) && node.position) {
      const children = "children" in node ? (node as Parent).children : [];
      // A heading's or cell's text is its children's span; a paragraph is its own.
      const first = children[0]?.position?.start.offset;
      const last = children.at(-1)?.position?.end.offset;
      const start = node.type === "paragraph" || node.type === "code" ? node.position.start.offset : first;
      const end = node.type === "paragraph" || node.type === "code" ? node.position.end.offset : last;
      if (start === undefined || end === undefined) return;
      const text = body.slice(start, end);
      const block = { start, end, text, hash: blockHash(text), ...at(start) };
      if (node.type === "heading")
        sections.push({ heading: text.trim(), line: block.line, column: block.column, blocks: [] });
      (sections.at(-1) as Section).blocks.push(block);
      return;
    }
    if ("children" in node) for (const child of (node as Parent).children) visit(child as Nodes);
  };
  visit(tree);
  // No text before the first heading: no such section.
  return sections[0]?.blocks.length === 0 ? sections.slice(1) : sections;
}

/** Placeholders and library codes in a text: what must read the same in every language. */
export function invariants(text: string, codes: RegExp): string[] {
  const found = [...text.matchAll(/<<[^<>\n]*?>>/g)].map((m) => m[0]);
  for (const m of text.matchAll(new RegExp(codes.source, "g"))) found.push(m[0]);
  return found.sort();
}

/** The section number a heading starts with ("3.1"), or undefined. */
export const sectionNumber = (heading: string) => /^\s*(\d+(?:\.\d+)*)[.)]?\s/.exec(heading)?.[1];

/**
 * For each English section, the place of the section it was when the translation was made (the
 * translation's sections are in that order): the one of the same heading, else, for a heading
 * reworded or renumbered since, the one sharing most of its blocks; -1 for a section added since.
 */
export function recordedPlaces(english: Section[], recorded: Record<string, string[]>): number[] {
  const headings = Object.keys(recorded);
  const taken = new Set<number>();
  const places = english.map((section) => {
    const same = headings.indexOf(section.heading);
    if (same !== -1) taken.add(same);
    return same;
  });
  return places.map((place, i) => {
    if (place !== -1) return place;
    const hashes = (english[i] as Section).blocks.map((b) => b.hash);
    let best = -1;
    let shared = 0;
    for (const [k, heading] of headings.entries()) {
      if (taken.has(k)) continue;
      const count = (recorded[heading] ?? []).filter((hash) => hashes.includes(hash)).length;
      if (count > shared) [best, shared] = [k, count];
    }
    if (best !== -1) taken.add(best);
    return best;
  });
}

/** For each English section, its block hashes as recorded when the translation was made; undefined for a section added since. */
export function recordedBlocks(english: Section[], recorded: Record<string, string[]>): (string[] | undefined)[] {
  const headings = Object.keys(recorded);
  return recordedPlaces(english, recorded).map((place) =>
    place === -1 ? undefined : recorded[headings[place] as string],
  );
}

/**
 * The translation's section for each English one: by the recorded places when the translation
 * has them, else the same section number ("3.1"), else the same place when both have as many.
 */
export function pairSections(
  english: Section[],
  translated: Section[],
  recorded?: Record<string, string[]>,
): (Section | undefined)[] {
  if (recorded && Object.keys(recorded).length > 0) {
    return recordedPlaces(english, recorded).map((place) => (place === -1 ? undefined : translated[place]));
  }
  return english.map((section, i) => {
    const number = sectionNumber(section.heading);
    const byNumber = number ? translated.find((s) => sectionNumber(s.heading) === number) : undefined;
    if (byNumber || number) return byNumber;
    return english.length === translated.length ? translated[i] : undefined;
  });
}
