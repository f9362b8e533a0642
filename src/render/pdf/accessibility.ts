import { deflateSync, inflateSync } from "node:zlib";
import {
  decodePDFRawStream,
  PDFArray,
  type PDFContext,
  PDFDict,
  type PDFDocument,
  PDFHexString,
  PDFName,
  type PDFObject,
  PDFRawStream,
  PDFRef,
  PDFString,
} from "pdf-lib";
import { CHARACTER_CLASS, DELIMITER, REGULAR, WHITE_SPACE } from "./parse.ts";

// What PDF/UA-1 asks of a PDF that Chromium's tagged output does not yet give: the running header
// and footer marked as artifacts, list items with an LBody, a description on every link, and XMP
// metadata that names the standard.

/** One operator of a content stream, and where it sits in the stream's text, its operands included. */
export interface ContentOp {
  op: string;
  start: number;
  end: number;
}

/**
 * Splits a decoded content stream (as latin1 text) into operators. A scanner
 * over character codes: Chromium's pages have tens of thousands of operators (one per glyph run).
 */
export function contentOps(text: string): ContentOp[] {
  const ops: ContentOp[] = [];
  const n = text.length;
  let start = -1; // where the operands of the next operator begin
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (CHARACTER_CLASS[c] === WHITE_SPACE) {
      i++;
      continue;
    }
    const from = i;
    if (c === 37 /* % */) {
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 40 /* ( */) {
      for (let depth = 0; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 40) depth++;
        else if (d === 41 && --depth === 0) break;
      }
      i++;
    } else if (c === 60 /* < */ || c === 62 /* > */) {
      if (text.charCodeAt(i + 1) === c) i += 2;
      else i = c === 60 ? text.indexOf(">", i) + 1 || n : i + 1;
    } else if (c === 47 /* / */) {
      i++;
      while (i < n && CHARACTER_CLASS[text.charCodeAt(i)] === REGULAR) i++;
    } else if (CHARACTER_CLASS[c] === DELIMITER) {
      i++; // [ ] { }
    } else {
      i++;
      while (i < n && CHARACTER_CLASS[text.charCodeAt(i)] === REGULAR) i++;
      // Numbers, most of a page's words, are operands: only other words are sliced out.
      const number = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
      const word = number ? "" : text.slice(from, i);
      if (!number && word !== "true" && word !== "false" && word !== "null") {
        ops.push({ op: word, start: start < 0 ? from : start, end: i });
        start = -1;
        if (word === "BI") {
          // An inline image: its data runs to "EI" and is not made of tokens.
          const end = text.indexOf("EI", i);
          i = end < 0 ? n : end + 2;
          (ops.at(-1) as ContentOp).end = i;
        }
        continue;
      }
    }
    if (start < 0) start = from;
  }
  return ops;
}

// Operators that put marks on the page: text, paths, images, shadings.
const PAINTING = new Set(["Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"]);
export const TEXT_SHOWING = new Set(["Tj", "TJ", "'", '"']);

/** Operators outside any marked-content sequence, i.e. content neither tagged nor an artifact. */
export function unmarkedOps(ops: ContentOp[]): ContentOp[] {
  let depth = 0;
  const out: ContentOp[] = [];
  for (const op of ops) {
    if (op.op === "BDC" || op.op === "BMC") depth++;
    else if (op.op === "EMC") depth--;
    else if (depth === 0) out.push(op);
  }
  return out;
}

/** A page's content streams, decoded. */
export function pageContents(page: PDFDict): { stream: PDFRawStream; text: string }[] {
  const contents = page.get(PDFName.of("Contents"));
  const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  return refs.flatMap((ref) => {
    const stream = page.context.lookup(ref);
    if (!(stream instanceof PDFRawStream)) return [];
    // Node's zlib for Chromium's FlateDecode streams: pdf-lib's own decoder is several times slower.
    const filter = stream.dict.get(PDFName.of("Filter"));
    const bytes =
      filter === PDFName.of("FlateDecode") ? inflateSync(stream.contents) : decodePDFRawStream(stream).decode();
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    return [{ stream, text }];
  });
}

/**
 * Chromium tags the document's own content but prints the CSS page-margin boxes (running header
 * and footer, page numbers) and page backgrounds outside any marked content. Wraps every such
 * run of operators that paints something in `/Artifact BMC … EMC`, leaving the rest byte for byte.
 */
export function markArtifacts(doc: PDFDocument): void {
  for (const page of doc.getPages()) {
    const streams = pageContents(page.node);
    const rewritten = streams.map(withArtifactsMarked);
    if (rewritten.every((text, i) => text === streams[i]?.text)) continue;
    // One stream per page: Chromium writes one anyway, and a run never spans two. Level 5: half
    // the time of zlib's default (6) on a page's drawing operators, for 4% more bytes.
    const text = Buffer.from(rewritten.join("\n"), "latin1");
    const stream = doc.context.stream(deflateSync(text, { level: 5 }), {
      Filter: "FlateDecode",
    });
    page.node.set(PDFName.of("Contents"), doc.context.register(stream));
  }
}

// Module-level functions rather than closures made per page or per call: V8 optimises a closure
// made anew for each document again and again (see README, Benchmarks).
/** A content stream's text with each painting run of operators outside marked content wrapped as an artifact. */
function withArtifactsMarked({ text }: { text: string }): string {
  const runs: [number, number][] = [];
  let depth = 0;
  let run: [number, number] | undefined;
  let paints = false;
  for (const op of contentOps(text)) {
    if (op.op === "BDC" || op.op === "BMC") {
      if (depth === 0 && run && paints) runs.push(run);
      if (depth === 0) {
        run = undefined;
        paints = false;
      }
      depth++;
    } else if (op.op === "EMC") depth--;
    else if (depth === 0) {
      run = run ? [run[0], op.end] : [op.start, op.end];
      paints ||= PAINTING.has(op.op);
    }
  }
  if (run && paints) runs.push(run);
  let out = text;
  for (const [from, to] of runs.reverse()) {
    out = `${out.slice(0, from)}/Artifact BMC\n${out.slice(from, to)}\nEMC${out.slice(to)}`;
  }
  return out;
}

const kidsOf = (elem: PDFDict): PDFObject[] => {
  const k = elem.get(PDFName.of("K"));
  return k instanceof PDFArray ? k.asArray() : k ? [k] : [];
};

const roleOf = (elem: PDFDict) => elem.get(PDFName.of("S"))?.toString();

/** Every structure element, depth first. */
export function* structElements(doc: PDFDocument): Generator<PDFDict> {
  const root = doc.catalog.lookupMaybe(PDFName.of("StructTreeRoot"), PDFDict);
  if (!root) return;
  const stack = [...kidsOf(root)].reverse();
  while (stack.length > 0) {
    const kid = stack.pop() as PDFObject;
    const elem = kid instanceof PDFRef ? doc.context.lookup(kid) : kid;
    // Numbers are marked-content ids; dicts without /S are MCR or OBJR references.
    if (!(elem instanceof PDFDict) || !elem.has(PDFName.of("S"))) continue;
    yield elem;
    stack.push(...[...kidsOf(elem)].reverse());
  }
}

/** The /Nums arrays of a number tree (the ParentTree): key, value, key, value… */
function* numberTreeLeaves(node: PDFDict | undefined): Generator<PDFArray> {
  if (!node) return;
  const nums = node.lookupMaybe(PDFName.of("Nums"), PDFArray);
  if (nums) yield nums;
  const kids = node.lookupMaybe(PDFName.of("Kids"), PDFArray);
  for (let i = 0; kids && i < kids.size(); i++) yield* numberTreeLeaves(kids.lookup(i, PDFDict));
}

const isLabel = (context: PDFContext, kid: PDFObject): boolean => {
  const elem = kid instanceof PDFRef ? context.lookup(kid) : kid;
  return elem instanceof PDFDict && roleOf(elem) === "/Lbl";
};

/**
 * PDF/UA wants a list item to be a label (Lbl) and a body (LBody); Chromium puts the item's text,
 * links and paragraphs straight into the LI. Moves everything but the label into a new LBody, and
 * points the parent tree's entries for marked content that sat in the LI itself at the LBody.
 */
export function addListBodies(doc: PDFDocument): void {
  const { context } = doc;
  const moved = new Map<string, PDFRef>(); // LI ref → its new LBody, for the parent tree
  const items: [PDFRef, PDFDict][] = [];
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    if (object instanceof PDFDict && roleOf(object) === "/LI") items.push([ref, object]);
  }
  for (const [ref, item] of items) {
    const kids = kidsOf(item);
    const labels = kids.filter((kid) => isLabel(context, kid));
    const body = kids.filter((kid) => !labels.includes(kid));
    if (body.length === 0) continue;
    const lbodyRef = context.nextRef();
    const lbody = context.obj({ Type: "StructElem", S: "LBody", P: ref, K: body });
    const pg = item.get(PDFName.of("Pg"));
    if (pg) lbody.set(PDFName.of("Pg"), pg);
    context.assign(lbodyRef, lbody);
    for (const kid of body) {
      const elem = kid instanceof PDFRef ? context.lookup(kid) : undefined;
      if (elem instanceof PDFDict && elem.has(PDFName.of("S"))) elem.set(PDFName.of("P"), lbodyRef);
    }
    item.set(PDFName.of("K"), context.obj([...labels, lbodyRef]));
    if (body.some((kid) => !(kid instanceof PDFRef))) moved.set(ref.toString(), lbodyRef);
  }
  if (moved.size === 0) return;
  // Marked content and annotations that sat in an LI directly now belong to its LBody; a label's
  // marked content is in the Lbl, so an entry still pointing at the LI is always the body's.
  const root = doc.catalog.lookupMaybe(PDFName.of("StructTreeRoot"), PDFDict);
  const parentTree = root?.lookupMaybe(PDFName.of("ParentTree"), PDFDict);
  const remap = (array: PDFArray, from: number, step: number) => {
    for (let i = from; i < array.size(); i += step) {
      const to = moved.get(String(array.get(i)));
      if (to) array.set(i, to);
    }
  };
  for (const nums of numberTreeLeaves(parentTree)) {
    remap(nums, 1, 2); // an annotation's entry is the element itself
    for (let i = 1; i < nums.size(); i += 2) {
      const value = nums.lookup(i);
      if (value instanceof PDFArray) remap(value, 0, 1); // a page's entry: one element per marked-content id
    }
  }
}

/**
 * A description on every link annotation (PDF/UA: screen readers announce it): `describe` gets
 * the link's target (its URI, or "#name" for a named destination) and returns the text to use.
 */
export function describeLinks(doc: PDFDocument, describe: (target: string) => string | undefined): void {
  for (const page of doc.getPages()) {
    const annots = page.node.lookupMaybe(PDFName.of("Annots"), PDFArray);
    for (let i = 0; annots && i < annots.size(); i++) {
      const annot = annots.lookup(i, PDFDict);
      if (annot.get(PDFName.of("Subtype")) !== PDFName.of("Link") || annot.has(PDFName.of("Contents"))) continue;
      const action = annot.lookupMaybe(PDFName.of("A"), PDFDict);
      const uri = action?.lookupMaybe(PDFName.of("URI"), PDFString, PDFHexString)?.decodeText();
      const dest = annot.get(PDFName.of("Dest")) ?? action?.get(PDFName.of("D"));
      // Chromium names its destinations with a name object; a string is the other way to write one.
      const name =
        dest instanceof PDFName || dest instanceof PDFString || dest instanceof PDFHexString
          ? dest.decodeText()
          : undefined;
      const text = describe(uri ?? (name !== undefined ? `#${name}` : "")) ?? (uri ? `Link to ${uri}` : "Link");
      annot.set(PDFName.of("Contents"), PDFHexString.fromText(text));
    }
  }
}

const xmlEscape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

export interface XmpProperties {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  creator: string;
  producer: string;
  /** ISO 8601, the same instant as the Info dictionary's dates. */
  date: string;
  /** BCP 47 tag of the document's language (the catalog's /Lang, which screen readers speak in). */
  language: string;
}

/** The XMP metadata stream PDF/UA-1 requires, saying so (pdfuaid:part 1), and matching the Info dictionary. */
export function setXmp(doc: PDFDocument, p: XmpProperties): void {
  const alt = (text: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(text)}</rdf:li></rdf:Alt>`;
  const xmp = `<?xpacket begin="\u{feff}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title>${alt(p.title)}</dc:title>
<dc:creator><rdf:Seq><rdf:li>${xmlEscape(p.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description>${alt(p.subject)}</dc:description>
<dc:language><rdf:Bag><rdf:li>${xmlEscape(p.language)}</rdf:li></rdf:Bag></dc:language>
<pdf:Keywords>${xmlEscape(p.keywords.join(" "))}</pdf:Keywords>
<pdf:Producer>${xmlEscape(p.producer)}</pdf:Producer>
<xmp:CreatorTool>${xmlEscape(p.creator)}</xmp:CreatorTool>
<xmp:CreateDate>${p.date}</xmp:CreateDate>
<xmp:ModifyDate>${p.date}</xmp:ModifyDate>
<xmp:MetadataDate>${p.date}</xmp:MetadataDate>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
  // Uncompressed, as the XMP specification recommends, so any tool can find it.
  const stream = doc.context.stream(Buffer.from(xmp, "utf8"), { Type: "Metadata", Subtype: "XML" });
  doc.catalog.set(PDFName.of("Metadata"), doc.context.register(stream));
  doc.catalog.set(PDFName.of("Lang"), PDFString.of(p.language));
  doc.catalog.set(PDFName.of("MarkInfo"), doc.context.obj({ Marked: true }));
}

type HastNode = {
  type: string;
  value?: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
};

const textOf = (node: HastNode): string =>
  node.type === "text" ? (node.value ?? "") : (node.children ?? []).map(textOf).join("");

/**
 * What each link of a page says, by its href (the first link wins when several share one): its
 * text, and its title when the text does not already say it ("DCW13" → "DCW13 Safeguarding …").
 */
export function linkTexts(tree: HastNode): Map<string, string> {
  const texts = new Map<string, string>();
  collectLinkTexts(tree, texts);
  return texts;
}

function collectLinkTexts(node: HastNode, texts: Map<string, string>): void {
  const href = node.tagName === "a" ? node.properties?.href : undefined;
  if (typeof href === "string" && !texts.has(href)) {
    const text = textOf(node).replace(/\s+/g, " ").trim();
    const title = node.properties?.title;
    texts.set(href, typeof title === "string" && title && !text.includes(title) ? `${text} ${title}` : text);
  }
  for (const child of node.children ?? []) collectLinkTexts(child, texts);
}

/** Everything above but the XMP, which goes with the document properties. */
export function makeAccessible(doc: PDFDocument, describe: (target: string) => string | undefined): void {
  markArtifacts(doc);
  addListBodies(doc);
  describeLinks(doc, describe);
}
