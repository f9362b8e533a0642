import { PDFArray, type PDFContext, PDFDict, PDFName, type PDFObject, PDFPageLeaf, PDFRef, PDFStream } from "pdf-lib";

/**
 * Copies objects of one document into another, each object once, as pdf-lib's PDFObjectCopier
 * does (same objects, same numbering order). That copier's methods are closures made for each
 * copier, which V8 optimises again for every copier: at one policy changed in 50 packs, they were
 * compiled about 20 times each, some 3 s of compiler time a build (see README, Benchmarks). These are
 * methods of a class, compiled once.
 */
export class ObjectCopier {
  private readonly traversed = new Map<PDFObject, PDFObject>();

  /** `numbers`: where the copies' object numbers come from (by default, after the last in `dest`). */
  constructor(
    private readonly src: PDFContext,
    private readonly dest: PDFContext,
    private readonly numbers: ObjectNumbers = new ObjectNumbers(dest),
  ) {}

  copy(object: PDFObject): PDFObject {
    if (object instanceof PDFPageLeaf) return this.copyPage(object);
    if (object instanceof PDFDict) return this.copyDict(object);
    if (object instanceof PDFArray) return this.copyArray(object);
    if (object instanceof PDFStream) return this.copyStream(object);
    if (object instanceof PDFRef) return this.copyIndirect(object);
    return object.clone();
  }

  /** A page with what it inherits from its page tree, and without its parent (not to copy the whole tree). */
  private copyPage(original: PDFPageLeaf): PDFDict {
    const page = original.clone();
    for (const key of PDFPageLeaf.InheritableEntries.map((entry) => PDFName.of(entry))) {
      const value = page.getInheritableAttribute(key);
      if (!page.get(key) && value) page.set(key, value);
    }
    page.delete(PDFName.of("Parent"));
    return this.copyDict(page);
  }

  private copyDict(original: PDFDict): PDFDict {
    const done = this.traversed.get(original);
    if (done) return done as PDFDict;
    const copy = original.clone(this.dest);
    this.traversed.set(original, copy);
    for (const [key, value] of original.entries()) copy.set(key, this.copy(value));
    return copy;
  }

  private copyArray(original: PDFArray): PDFArray {
    const done = this.traversed.get(original);
    if (done) return done as PDFArray;
    const copy = original.clone(this.dest);
    this.traversed.set(original, copy);
    for (let i = 0; i < original.size(); i++) copy.set(i, this.copy(original.get(i)));
    return copy;
  }

  private copyStream(original: PDFStream): PDFStream {
    const done = this.traversed.get(original);
    if (done) return done as PDFStream;
    const copy = original.clone(this.dest);
    this.traversed.set(original, copy);
    for (const [key, value] of original.dict.entries()) copy.dict.set(key, this.copy(value));
    return copy;
  }

  private copyIndirect(ref: PDFRef): PDFRef {
    const done = this.traversed.get(ref);
    if (done) return done as PDFRef;
    const copy = this.numbers.take();
    this.traversed.set(ref, copy);
    const value = this.src.lookup(ref);
    if (value) this.dest.assign(copy, this.copy(value));
    return copy;
  }
}

/** Object numbers for copies: those of `free` first (all but `except`), then after the last in `context`. */
export class ObjectNumbers {
  private range = 0;
  private next: number;

  constructor(
    private readonly context: PDFContext,
    private readonly free: readonly (readonly [number, number])[] = [],
    private readonly except?: number,
  ) {
    this.next = free[0]?.[0] ?? 0;
  }

  take(): PDFRef {
    for (; this.range < this.free.length; this.range++, this.next = this.free[this.range]?.[0] ?? 0) {
      const end = (this.free[this.range] as readonly [number, number])[1];
      while (this.next < end) {
        const n = this.next++;
        if (n !== this.except) return PDFRef.of(n);
      }
    }
    return this.context.nextRef();
  }
}
