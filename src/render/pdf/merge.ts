// Tagged PDFs put one after another (the manual: its front, then every policy's own PDF) without
// losing what makes each accessible: its structure tree, the parent tree that ties marked
// content and links to it, its element ids, its bookmarks and its links within itself. Each
// document is a part that can later be replaced alone (see manual.ts): what ties the parts
// together is a handful of objects written anew each time, and each part keeps its own leaf of
// the parent and ID trees.
import {
  PDFArray,
  type PDFContext,
  PDFDict,
  type PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFRef,
  PDFString,
} from "pdf-lib";
import { structElements } from "./accessibility.ts";
import { ObjectCopier, ObjectNumbers } from "./copy.ts";

const name = PDFName.of;
const NODE_ID = /^node(\d{8})$/;
const nodeId = (n: number) => `node${String(n).padStart(8, "0")}`;

/** Where one part sits in the joined document, by object number. */
export interface PartPlace {
  /** What the part was made from (its PDF's hash, or any key that changes with it). */
  source: string;
  /** The policy's slug, for links to where it starts; none for the front. */
  slug?: string;
  /**
   * The object numbers its copy holds, as ranges [from, to): what to leave out when it is
   * replaced, and the numbers the part replacing it takes first (so that they do not grow).
   */
  objects: readonly (readonly [number, number])[];
  pages: number[];
  /** Its own /Document element, now a /Part of the joined one's. */
  elements: number[];
  /** Its leaf of the parent tree and the first key there (the leaves are kept in key order). */
  parentTree?: { ref: number; first: number };
  /** Its leaf of the ID tree and the first id there. */
  idTree?: { ref: number; first: string };
  /** Its top-level bookmarks, and how many items they add to the outline's /Count. */
  bookmarks: number[];
  visible: number;
}

/** The objects that tie the parts together, and what the next part's keys and ids start from. */
export interface JoinedPlace {
  pages: number;
  structTreeRoot: number;
  document: number;
  parentTree: number;
  idTree: number;
  outlines: number;
  nextKey: number;
  nextId: number;
  parts: PartPlace[];
}

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

const numberOf = (value: PDFObject | undefined) => (value instanceof PDFNumber ? value.asNumber() : undefined);

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
    return PDFString.of(nodeId(n + offset));
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

/** Object numbers for what ties the parts of a new joined document together. */
export function newJoinedPlace(context: PDFContext, pages: PDFRef): JoinedPlace {
  const [structTreeRoot, document, parentTree, idTree, outlines] = Array.from(
    { length: 5 },
    () => context.nextRef().objectNumber,
  ) as [number, number, number, number, number];
  return {
    pages: pages.objectNumber,
    structTreeRoot,
    document,
    parentTree,
    idTree,
    outlines,
    nextKey: 0,
    nextId: 0,
    parts: [],
  };
}

/**
 * Copies `doc` into `context` as a part of the joined document `joined` (whose next keys and ids
 * it takes, and moves on): its pages, its /Document element as a /Part, its own leaves of the
 * parent and ID trees, its bookmarks. `doc` is changed on the way: use it only once. When it
 * replaces a part, `replaced` is that part's place: its first page's number is the new first
 * page's (the object other parts' links to it point at), and its objects' numbers are taken
 * first, so that a manual updated again and again does not number its objects ever higher.
 */
export function copyPart(
  doc: PDFDocument,
  context: PDFContext,
  joined: JoinedPlace,
  part: Pick<PartPlace, "source" | "slug">,
  replaced?: Pick<PartPlace, "pages" | "objects">,
): { place: PartPlace; pages: PDFDict[] } {
  resolveNamedDestinations(doc);
  const firstPage = replaced?.pages[0];
  const from = context.largestObjectNumber + 1;
  const idOffset = joined.nextId;
  joined.nextId += shiftIds(doc, idOffset);
  const copier = new ObjectCopier(doc.context, context, new ObjectNumbers(context, replaced?.objects, firstPage));
  const keyOffset = joined.nextKey;
  const shiftKey = (dict: PDFDict, key: string) => {
    const n = numberOf(dict.get(name(key)));
    if (n !== undefined) dict.set(name(key), PDFNumber.of(n + keyOffset));
  };
  const pageRefs = doc.getPages().map((page) => copier.copy(page.ref) as PDFRef);
  const pages = pageRefs.map((ref) => context.lookup(ref, PDFDict));
  for (const page of pages) {
    shiftKey(page, "StructParents");
    page.set(name("Parent"), PDFRef.of(joined.pages));
    const annots = page.lookupMaybe(name("Annots"), PDFArray);
    for (let i = 0; annots && i < annots.size(); i++) shiftKey(annots.lookup(i, PDFDict), "StructParent");
  }
  const structRoot = doc.catalog.lookupMaybe(name("StructTreeRoot"), PDFDict);
  // The root's elements by reference, as their children name them as parent: an element looked
  // up and registered again would be copied twice, its children pointing at the second copy.
  const k = structRoot?.get(name("K"));
  const list = k instanceof PDFRef ? doc.context.lookup(k) : k;
  const kids = list instanceof PDFArray ? list.asArray() : k ? [k] : [];
  const elements = kids.map((kid) => {
    const ref = kid instanceof PDFRef ? kid : doc.context.register(kid);
    const elem = doc.context.lookup(ref, PDFDict);
    elem.delete(name("P")); // not to copy the old root along with it
    elem.set(name("S"), name("Part"));
    const copied = copier.copy(ref) as PDFRef;
    context.lookup(copied, PDFDict).set(name("P"), PDFRef.of(joined.document));
    return copied.objectNumber;
  });
  joined.nextKey += numberOf(structRoot?.get(name("ParentTreeNextKey"))) ?? 0;
  const nums: PDFObject[] = [];
  for (const leaf of treeLeaves(structRoot?.lookupMaybe(name("ParentTree"), PDFDict), "Nums")) {
    for (const [key, value] of pairs(leaf)) {
      const shifted = (numberOf(key) ?? 0) + keyOffset;
      nums.push(PDFNumber.of(shifted), copier.copy(value));
      joined.nextKey = Math.max(joined.nextKey, shifted + 1); // should a document not say its next key
    }
  }
  const ids: [string, PDFObject][] = [];
  for (const leaf of treeLeaves(structRoot?.lookupMaybe(name("IDTree"), PDFDict), "Names")) {
    for (const [key, value] of pairs(leaf)) ids.push([text(key) ?? "", copier.copy(value)]);
  }
  ids.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const bookmarks: number[] = [];
  let visible = 0;
  let item = doc.catalog.lookupMaybe(name("Outlines"), PDFDict)?.get(name("First"));
  while (item) {
    const dict = doc.context.lookup(item, PDFDict);
    const next = dict.get(name("Next"));
    for (const key of ["Parent", "Prev", "Next"]) dict.delete(name(key));
    // Open items count their visible descendants too.
    visible += 1 + Math.max(0, numberOf(dict.get(name("Count"))) ?? 0);
    bookmarks.push((copier.copy(item) as PDFRef).objectNumber);
    item = next;
  }
  if (firstPage !== undefined && pageRefs[0]) moveObject(context, pageRefs[0], PDFRef.of(firstPage));
  const keys = nums.filter((_, i) => i % 2 === 0).map((key) => numberOf(key) as number);
  const parentTree = nums.length > 0 && {
    ref: context.register(context.obj({ Limits: [Math.min(...keys), Math.max(...keys)], Nums: nums })).objectNumber,
    first: Math.min(...keys),
  };
  const idTree = ids.length > 0 && {
    ref: context.register(
      context.obj({
        Limits: [PDFString.of(ids[0]?.[0] ?? ""), PDFString.of(ids.at(-1)?.[0] ?? "")],
        Names: ids.flatMap(([id, ref]) => [PDFString.of(id), ref]),
      }),
    ).objectNumber,
    first: ids[0]?.[0] ?? "",
  };
  const place: PartPlace = {
    ...part,
    objects: [
      ...(replaced?.objects ?? []),
      ...(context.largestObjectNumber + 1 > from ? [[from, context.largestObjectNumber + 1] as const] : []),
    ],
    pages: pageRefs.map((ref, i) => (i === 0 && firstPage !== undefined ? firstPage : ref.objectNumber)),
    elements,
    ...(parentTree ? { parentTree } : {}),
    ...(idTree ? { idTree } : {}),
    bookmarks,
    visible,
  };
  return { place, pages };
}

/** Gives the object at `from` the number `to` instead, everywhere in `context`. */
function moveObject(context: PDFContext, from: PDFRef, to: PDFRef): void {
  context.assign(to, context.lookup(from) as PDFObject);
  context.delete(from);
  const seen = new Set<PDFObject>();
  for (const [, object] of context.enumerateIndirectObjects()) replaceRef(object, from, to, seen);
}

// Module-level rather than a closure made per call: V8 optimises a closure made anew for each
// manual again and again (see README, Benchmarks).
/** Replaces `from` with `to` everywhere under `object`, visiting each object once. */
function replaceRef(object: PDFObject | undefined, from: PDFRef, to: PDFRef, seen: Set<PDFObject>): void {
  if (!object || seen.has(object)) return;
  seen.add(object);
  const container = object instanceof PDFDict ? object : "dict" in object ? (object.dict as PDFDict) : undefined;
  if (container) {
    for (const [key, value] of container.entries()) {
      if (value === from) container.set(key, to);
      else replaceRef(value, from, to, seen);
    }
  } else if (object instanceof PDFArray) {
    for (let i = 0; i < object.size(); i++) {
      const value = object.get(i);
      if (value === from) object.set(i, to);
      else replaceRef(value, from, to, seen);
    }
  }
}

/**
 * The objects that tie the parts of `joined` together, written into `context` at their numbers:
 * the page tree, the structure tree's root and /Document, the roots of the parent and ID trees,
 * and the outline. `bookmark(n)` is a top-level bookmark of a part, by number, for its /Parent,
 * /Prev and /Next to be set; `changed` says which of them need it (all, for a new document).
 */
export function tieParts(
  context: PDFContext,
  joined: JoinedPlace,
  bookmark: (objectNumber: number) => PDFDict,
  changed: (objectNumber: number, prev: number | undefined, next: number | undefined) => boolean,
): void {
  const ref = (n: number) => PDFRef.of(n);
  const refs = (ns: number[]) => ns.map(ref);
  const { parts } = joined;
  const pages = parts.flatMap((part) => part.pages);
  context.assign(ref(joined.pages), context.obj({ Type: "Pages", Kids: refs(pages), Count: pages.length }));
  context.assign(
    ref(joined.document),
    context.obj({
      Type: "StructElem",
      S: "Document",
      P: ref(joined.structTreeRoot),
      K: refs(parts.flatMap((part) => part.elements)),
    }),
  );
  const leaves = <T>(of: (part: PartPlace) => { ref: number; first: T } | undefined) =>
    parts
      .map(of)
      .filter((leaf) => leaf !== undefined)
      .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))
      .map((leaf) => ref(leaf.ref));
  context.assign(ref(joined.parentTree), context.obj({ Kids: leaves((part) => part.parentTree) }));
  const idLeaves = leaves((part) => part.idTree);
  context.assign(ref(joined.idTree), context.obj({ Kids: idLeaves }));
  context.assign(
    ref(joined.structTreeRoot),
    context.obj({
      Type: "StructTreeRoot",
      K: ref(joined.document),
      ParentTree: ref(joined.parentTree),
      ParentTreeNextKey: joined.nextKey,
      ...(idLeaves.length > 0 ? { IDTree: ref(joined.idTree) } : {}),
    }),
  );
  const items = parts.flatMap((part) => part.bookmarks);
  context.assign(
    ref(joined.outlines),
    context.obj({
      Type: "Outlines",
      ...(items.length > 0 ? { First: ref(items[0] as number), Last: ref(items.at(-1) as number) } : {}),
      Count: parts.reduce((n, part) => n + part.visible, 0),
    }),
  );
  items.forEach((n, i) => {
    const prev = items[i - 1];
    const next = items[i + 1];
    if (!changed(n, prev, next)) return;
    const dict = bookmark(n);
    dict.set(name("Parent"), ref(joined.outlines));
    for (const [key, value] of [
      ["Prev", prev],
      ["Next", next],
    ] as const) {
      if (value === undefined) dict.delete(name(key));
      else dict.set(name(key), ref(value));
    }
    context.assign(ref(n), dict);
  });
}
