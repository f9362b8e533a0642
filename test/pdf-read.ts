import { readFile } from "node:fs/promises";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFRef, PDFString } from "pdf-lib";
import {
  contentOps,
  pageContents,
  structElements,
  TEXT_SHOWING,
  unmarkedOps,
} from "../src/render/pdf/accessibility.ts";

// Reading PDFs back for the PDF/UA checks: what is untagged, the structure tree, the annotations.

export const loadPdfFile = async (file: string) => PDFDocument.load(await readFile(file), { updateMetadata: false });

/** Per page: operators outside any marked content, and how many of them show text. */
export function untagged(doc: PDFDocument): { page: number; ops: string[]; text: number }[] {
  return doc.getPages().map((page, i) => {
    const ops = pageContents(page.node).flatMap(({ text }) => unmarkedOps(contentOps(text)));
    return { page: i + 1, ops: ops.map((op) => op.op), text: ops.filter((op) => TEXT_SHOWING.has(op.op)).length };
  });
}

/** Marked-content sequences and text-showing operators inside them, over all pages. */
export function markedCounts(doc: PDFDocument): { sequences: number; artifacts: number; text: number } {
  let sequences = 0;
  let artifacts = 0;
  let text = 0;
  for (const page of doc.getPages()) {
    for (const { text: stream } of pageContents(page.node)) {
      let depth = 0;
      for (const op of contentOps(stream)) {
        if (op.op === "BDC" || op.op === "BMC") {
          if (depth++ === 0) sequences++;
          if (stream.startsWith("/Artifact", op.start)) artifacts++;
        } else if (op.op === "EMC") depth--;
        else if (depth > 0 && TEXT_SHOWING.has(op.op)) text++;
      }
    }
  }
  return { sequences, artifacts, text };
}

export const role = (elem: PDFDict) => elem.get(PDFName.of("S"))?.toString().slice(1) ?? "";

/** The structure elements' roles with their children's roles. */
export function structure(doc: PDFDocument): { role: string; kids: string[]; elem: PDFDict }[] {
  return [...structElements(doc)].map((elem) => {
    const k = elem.get(PDFName.of("K"));
    const kids = (k instanceof PDFArray ? k.asArray() : k ? [k] : [])
      .map((kid) => doc.context.lookup(kid))
      .map((kid) => (kid instanceof PDFDict && kid.has(PDFName.of("S")) ? role(kid) : "content"));
    return { role: role(elem), kids, elem };
  });
}

export const text = (value: unknown) =>
  value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;

/** Every link annotation: its page, /Contents and action. */
export function linkAnnotations(
  doc: PDFDocument,
): { page: number; rect: number[]; contents?: string; action?: PDFDict }[] {
  return doc.getPages().flatMap((page, i) => {
    const annots = page.node.lookupMaybe(PDFName.of("Annots"), PDFArray);
    return (annots?.asArray() ?? [])
      .map((ref) => doc.context.lookup(ref, PDFDict))
      .filter((annot) => annot.get(PDFName.of("Subtype")) === PDFName.of("Link"))
      .map((annot) => ({
        page: i + 1,
        rect: annot
          .lookup(PDFName.of("Rect"), PDFArray)
          .asArray()
          .map((n) => Number(String(n))),
        contents: text(annot.lookup(PDFName.of("Contents"))),
        action: annot.lookupMaybe(PDFName.of("A"), PDFDict),
      }));
  });
}

export function xmp(doc: PDFDocument): string | undefined {
  const stream = doc.catalog.lookup(PDFName.of("Metadata"));
  return stream instanceof PDFRawStream ? Buffer.from(stream.contents).toString("utf8") : undefined;
}

/**
 * Parent-tree entries that do not point back at the element holding that marked content or
 * annotation: what a screen reader would read in the wrong place.
 */
export function parentTreeMismatches(doc: PDFDocument): string[] {
  const { context } = doc;
  const root = doc.catalog.lookup(PDFName.of("StructTreeRoot"), PDFDict);
  const entries = new Map<number, unknown>();
  const leaves = (node: PDFDict) => {
    const nums = node.lookupMaybe(PDFName.of("Nums"), PDFArray);
    for (let i = 0; nums && i + 1 < nums.size(); i += 2) entries.set(Number(String(nums.get(i))), nums.get(i + 1));
    const kids = node.lookupMaybe(PDFName.of("Kids"), PDFArray);
    for (let i = 0; kids && i < kids.size(); i++) leaves(kids.lookup(i, PDFDict));
  };
  leaves(root.lookup(PDFName.of("ParentTree"), PDFDict));
  const holds = (elemRef: unknown, test: (kid: unknown) => boolean) => {
    const elem = context.lookup(elemRef as never);
    if (!(elem instanceof PDFDict)) return false;
    const k = elem.get(PDFName.of("K"));
    return (k instanceof PDFArray ? k.asArray() : k ? [k] : []).some((kid) => test(context.lookup(kid) ?? kid));
  };
  const problems: string[] = [];
  doc.getPages().forEach((page, i) => {
    const key = page.node.get(PDFName.of("StructParents"));
    const array = key ? context.lookup(entries.get(Number(String(key))) as never) : undefined;
    if (!(array instanceof PDFArray)) {
      problems.push(`page ${i + 1}: no parent tree entry`);
      return;
    }
    array.asArray().forEach((elemRef, mcid) => {
      const isMcid = (kid: unknown) =>
        String(kid) === String(mcid) ||
        (kid instanceof PDFDict && String(kid.get(PDFName.of("MCID"))) === String(mcid));
      if (!holds(elemRef, isMcid)) problems.push(`page ${i + 1} MCID ${mcid}`);
    });
    for (const ref of page.node.lookupMaybe(PDFName.of("Annots"), PDFArray)?.asArray() ?? []) {
      const annot = context.lookup(ref, PDFDict);
      const sp = annot.get(PDFName.of("StructParent"));
      const isObjr = (kid: unknown) => kid instanceof PDFDict && kid.get(PDFName.of("Obj")) === ref;
      if (!sp || !holds(entries.get(Number(String(sp))), isObjr)) problems.push(`page ${i + 1} annotation ${ref}`);
    }
  });
  return problems;
}

/** Structure elements whose /P is not the element that lists them as a child (by reference). */
export function parentLinkMismatches(doc: PDFDocument): string[] {
  const { context } = doc;
  const problems: string[] = [];
  const kidsOf = (dict: PDFDict) => {
    const k = dict.get(PDFName.of("K"));
    const list = k instanceof PDFRef ? context.lookup(k) : k;
    return list instanceof PDFArray ? list.asArray() : k ? [k] : [];
  };
  const root = doc.catalog.lookup(PDFName.of("StructTreeRoot"), PDFDict);
  const rootRef = doc.catalog.get(PDFName.of("StructTreeRoot"));
  const stack = kidsOf(root).map((kid) => [kid, rootRef] as const);
  const seen = new Set<string>();
  while (stack.length > 0) {
    const [kid, parent] = stack.pop() as (typeof stack)[number];
    if (!(kid instanceof PDFRef)) continue; // marked-content ids, or elements given directly
    const elem = context.lookup(kid);
    if (!(elem instanceof PDFDict) || !elem.has(PDFName.of("S")) || seen.has(kid.toString())) continue;
    seen.add(kid.toString());
    const p = elem.get(PDFName.of("P"));
    if (String(p) !== String(parent))
      problems.push(`${kid} (${elem.get(PDFName.of("S"))}) names ${p} as parent, not ${parent}`);
    stack.push(...kidsOf(elem).map((child) => [child, kid] as const));
  }
  return problems;
}

/**
 * A file's one cross-reference section read as a strict reader would (pdf-lib and poppler
 * rebuild a broken one silently): entries that do not point at their object, objects of the body
 * no entry points at, references to objects not in the file. `size`: the trailer's /Size.
 */
export function crossReferenceCheck(file: Buffer): { size: number; inUse: number; mismatches: string[] } {
  const text = file.toString("latin1");
  const start = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const mismatches: string[] = [];
  let inUse = 0;
  const numbers = new Set<number>();
  let position = start + "xref\n".length;
  for (let header = /^(\d+) (\d+)\n/.exec(text.slice(position, position + 40)); header; ) {
    const [line, first, count] = header as unknown as [string, string, string];
    position += line.length;
    for (let i = 0; i < Number(count); i++, position += 20) {
      const entry = text.slice(position, position + 20);
      const n = Number(first) + i;
      if (!/^\d{10} \d{5} [nf] \n$/.test(entry)) mismatches.push(`entry ${n} is "${entry}"`);
      if (entry[17] !== "n") continue;
      inUse++;
      numbers.add(n);
      const offset = Number(entry.slice(0, 10));
      if (!text.startsWith(`${n} 0 obj`, offset))
        mismatches.push(`entry ${n} points at "${text.slice(offset, offset + 12)}"`);
    }
    header = /^(\d+) (\d+)\n/.exec(text.slice(position, position + 40));
  }
  const objects = text.slice(0, start).match(/\n\d+ 0 obj\n/g)?.length ?? 0;
  for (const [, n] of text.slice(0, start).matchAll(/\b(\d+) 0 R\b/g)) {
    if (!numbers.has(Number(n))) mismatches.push(`object ${n} is referred to, not in the file`);
  }
  if (objects !== inUse) mismatches.push(`${objects} objects in the body, ${inUse} entries in use`);
  if (text.indexOf("startxref") !== text.lastIndexOf("startxref")) mismatches.push("more than one section");
  return { size: Number(/\/Size (\d+)/.exec(text.slice(start))?.[1]), inUse, mismatches };
}
