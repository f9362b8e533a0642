// Tagged PDFs put one after another (the manual: its front, then every policy's own PDF) without
// losing what makes each accessible: its structure tree, the parent tree that ties marked
// content and links to it, its element ids, its bookmarks and its links within itself.
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFObjectCopier,
  PDFPage,
  type PDFPageLeaf,
  PDFRef,
  PDFString,
} from "pdf-lib";
import { structElements } from "./accessibility.ts";

const name = PDFName.of;
const NODE_ID = /^node(\d{8})$/;

/** The leaves of a name or number tree: their /Names or /Nums arrays (key, value, key, value…). */
function* treeLeaves(node: PDFDict | undefined, key: "Names" | "Nums"): Generator<PDFArray> {
  if (!node) return;
  const leaf = node.lookupMaybe(name(key), PDFArray);
  if (leaf) yield leaf;
  const kids = node.lookupMaybe(name("Kids"), PDFArray);
  for (let i = 0; kids && i < kids.size(); i++) yield* treeLeaves(kids.lookup(i, PDFDict), key);
}

const pairs = (leaf: PDFArray) =>
  Array.from({ length: leaf.size() / 2 }, (_, i) => [leaf.get(2 * i), leaf.get(2 * i + 1)] as [PDFObject, PDFObject]);

const text = (value: PDFObject | undefined) =>
  value instanceof PDFString || value instanceof PDFHexString || value instanceof PDFName
    ? value.decodeText()
    : undefined;

/**
 * Links to a named place in the document point at the place itself, so that they still hold
 * once the names of several documents share one file.
 */
function resolveNamedDestinations(doc: PDFDocument): void {
  const dests = doc.catalog.lookupMaybe(name("Dests"), PDFDict);
  if (!dests) return;
  const place = (value: PDFObject | undefined) => {
    const key = text(value);
    return key === undefined ? undefined : dests.get(name(key));
  };
  for (const page of doc.getPages()) {
    const annots = page.node.lookupMaybe(name("Annots"), PDFArray);
    for (let i = 0; annots && i < annots.size(); i++) {
      const annot = annots.lookup(i, PDFDict);
      const dest = place(annot.get(name("Dest")));
      if (dest) annot.set(name("Dest"), dest);
      const action = annot.lookupMaybe(name("A"), PDFDict);
      const goTo = action?.get(name("S")) === name("GoTo") ? place(action.get(name("D"))) : undefined;
      if (goTo) action?.set(name("D"), goTo);
    }
  }
  doc.catalog.delete(name("Dests"));
}

/** Adds `offset` to every element id (node00000001…), so that no two documents' ids meet. Returns the highest. */
function shiftIds(doc: PDFDocument, offset: number): number {
  let highest = 0;
  const shift = (value: PDFObject) => {
    const match = value instanceof PDFString ? NODE_ID.exec(value.asString()) : null;
    if (!match) return value;
    const n = Number(match[1]);
    highest = Math.max(highest, n);
    return PDFString.of(`node${String(n + offset).padStart(8, "0")}`);
  };
  for (const elem of structElements(doc)) {
    const id = elem.get(name("ID"));
    if (id) elem.set(name("ID"), shift(id));
    // Table cells name their header cells by id.
    const attributes = elem.lookup(name("A"));
    const dicts = attributes instanceof PDFArray ? attributes.asArray() : attributes ? [attributes] : [];
    for (const dict of dicts.map((d) => doc.context.lookup(d))) {
      const headers = dict instanceof PDFDict ? dict.lookupMaybe(name("Headers"), PDFArray) : undefined;
      for (let i = 0; headers && i < headers.size(); i++) headers.set(i, shift(headers.get(i)));
    }
  }
  for (const leaf of treeLeaves(
    doc.catalog.lookupMaybe(name("StructTreeRoot"), PDFDict)?.lookupMaybe(name("IDTree"), PDFDict),
    "Names",
  )) {
    for (let i = 0; i < leaf.size(); i += 2) leaf.set(i, shift(leaf.get(i)));
  }
  return highest;
}

const numberOf = (value: PDFObject | undefined) => (value instanceof PDFNumber ? value.asNumber() : undefined);

/**
 * One document of `docs`' pages in order. Each document's /Document element becomes a /Part of
 * the new one (keeping its language), its bookmarks follow the previous document's, and its
 * parent-tree keys and element ids are shifted past those before it. The documents are changed
 * on the way: use each only once. They are taken one at a time, so that a caller can load each
 * only when it is wanted and none is held after it was copied.
 */
export async function concatenate(docs: AsyncIterable<PDFDocument>): Promise<PDFDocument> {
  const out = await PDFDocument.create({ updateMetadata: false });
  const { context } = out;
  const root = context.nextRef();
  const documentElem = context.nextRef();
  const parentTree: PDFObject[] = [];
  const ids: [string, PDFObject][] = [];
  const parts: PDFRef[] = [];
  const bookmarks: PDFRef[] = [];
  let nextKey = 0;
  let idOffset = 0;
  for await (const doc of docs) {
    resolveNamedDestinations(doc);
    idOffset += shiftIds(doc, idOffset);
    const copier = PDFObjectCopier.for(doc.context, context);
    const keyOffset = nextKey;
    const shiftKey = (dict: PDFDict, key: string) => {
      const n = numberOf(dict.get(name(key)));
      if (n !== undefined) dict.set(name(key), PDFNumber.of(n + keyOffset));
    };
    for (const page of doc.getPages()) {
      const ref = copier.copy(page.ref) as PDFRef;
      const leaf = context.lookup(ref, PDFDict);
      shiftKey(leaf, "StructParents");
      const annots = leaf.lookupMaybe(name("Annots"), PDFArray);
      for (let i = 0; annots && i < annots.size(); i++) shiftKey(annots.lookup(i, PDFDict), "StructParent");
      out.addPage(PDFPage.of(leaf as PDFPageLeaf, ref, out));
    }
    const structRoot = doc.catalog.lookupMaybe(name("StructTreeRoot"), PDFDict);
    const kids = structRoot?.lookup(name("K"));
    for (const kid of kids instanceof PDFArray ? kids.asArray() : kids ? [kids] : []) {
      const ref = kid instanceof PDFRef ? kid : doc.context.register(kid);
      const elem = doc.context.lookup(ref, PDFDict);
      elem.delete(name("P")); // not to copy the old root along with it
      elem.set(name("S"), name("Part"));
      const copied = copier.copy(ref) as PDFRef;
      context.lookup(copied, PDFDict).set(name("P"), documentElem);
      parts.push(copied);
    }
    nextKey += numberOf(structRoot?.get(name("ParentTreeNextKey"))) ?? 0;
    for (const leaf of treeLeaves(structRoot?.lookupMaybe(name("ParentTree"), PDFDict), "Nums")) {
      for (const [key, value] of pairs(leaf)) {
        const shifted = (numberOf(key) ?? 0) + keyOffset;
        parentTree.push(PDFNumber.of(shifted), copier.copy(value));
        nextKey = Math.max(nextKey, shifted + 1); // should a document not say its next key
      }
    }
    for (const leaf of treeLeaves(structRoot?.lookupMaybe(name("IDTree"), PDFDict), "Names")) {
      for (const [key, value] of pairs(leaf)) ids.push([text(key) ?? "", copier.copy(value)]);
    }
    const outline = doc.catalog.lookupMaybe(name("Outlines"), PDFDict);
    let item = outline?.get(name("First"));
    while (item) {
      const dict = doc.context.lookup(item, PDFDict);
      const next = dict.get(name("Next"));
      for (const key of ["Parent", "Prev", "Next"]) dict.delete(name(key));
      bookmarks.push(copier.copy(item) as PDFRef);
      item = next;
    }
  }
  const outlines = context.nextRef();
  bookmarks.forEach((ref, i) => {
    const dict = context.lookup(ref, PDFDict);
    dict.set(name("Parent"), outlines);
    if (i > 0) dict.set(name("Prev"), bookmarks[i - 1] as PDFRef);
    if (i < bookmarks.length - 1) dict.set(name("Next"), bookmarks[i + 1] as PDFRef);
  });
  // Open items count their visible descendants too.
  const visible = bookmarks.reduce(
    (n, ref) => n + 1 + Math.max(0, numberOf(context.lookup(ref, PDFDict).get(name("Count"))) ?? 0),
    0,
  );
  if (bookmarks.length > 0) {
    context.assign(
      outlines,
      context.obj({ Type: "Outlines", First: bookmarks[0], Last: bookmarks.at(-1), Count: visible }),
    );
    out.catalog.set(name("Outlines"), outlines);
  }
  context.assign(documentElem, context.obj({ Type: "StructElem", S: "Document", P: root, K: parts }));
  ids.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  context.assign(
    root,
    context.obj({
      Type: "StructTreeRoot",
      K: documentElem,
      ParentTree: context.obj({ Nums: parentTree }),
      ParentTreeNextKey: nextKey,
      ...(ids.length > 0
        ? { IDTree: context.obj({ Names: ids.flatMap(([id, ref]) => [PDFString.of(id), ref]) }) }
        : {}),
    }),
  );
  out.catalog.set(name("StructTreeRoot"), root);
  out.catalog.set(name("MarkInfo"), context.obj({ Marked: true }));
  return out;
}
