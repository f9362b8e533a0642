// A reader of the PDF objects Chromium prints and writePdf writes, giving what pdf-lib's
// PDFObjectParser gives for them, three to four times as fast: that parser goes byte by byte through
// a stream object and a string built a character at a time, ~12 µs an object, and a policy's PDF
// has about a thousand (mostly its structure tree). Anything else it hands to pdf-lib's parser.
import {
  PDFArray,
  PDFBool,
  PDFCatalog,
  type PDFContext,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNull,
  PDFNumber,
  type PDFObject,
  PDFObjectParser,
  PDFPageLeaf,
  PDFPageTree,
  PDFRawStream,
  PDFRef,
  PDFString,
} from "pdf-lib";

/** PDF's classes of characters, as pdf-lib's parser takes them: regular, white space, delimiter. */
export const REGULAR = 0;
export const WHITE_SPACE = 1;
export const DELIMITER = 2;
/** The class of each byte (content streams are split by the same classes). */
export const CHARACTER_CLASS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) CHARACTER_CLASS[c] = WHITE_SPACE;
for (const c of "()<>[]{}/%") CHARACTER_CLASS[c.charCodeAt(0)] = DELIMITER;

const code = (c: string) => c.charCodeAt(0);
const [LT, GT, LPAREN, RPAREN, SLASH, LBRACKET, RBRACKET, PERCENT, BACKSLASH] = [..."<>()/[]%\\"].map(code) as number[];
const [ZERO, NINE, PERIOD, PLUS, MINUS, R, NEWLINE, RETURN, SPACE] = [..."09.+-R\n\r "].map(code) as number[];
const isDigit = (c: number | undefined) => c !== undefined && c >= ZERO && c <= NINE;
const isNumeric = (c: number | undefined) => isDigit(c) || c === PERIOD || c === PLUS || c === MINUS;

const TYPE = PDFName.of("Type");
const LENGTH = PDFName.of("Length");
const [CATALOG, PAGES, PAGE] = ["Catalog", "Pages", "Page"].map((name) => PDFName.of(name));

/** The value kept for `key`, made the first time. */
function kept<K, V>(values: Map<K, V>, key: K, make: (key: K) => V): V {
  let value = values.get(key);
  if (value === undefined) {
    value = make(key);
    values.set(key, value);
  }
  return value;
}

/** Thrown where this reader would not give what pdf-lib's does: that object goes to pdf-lib. */
class Unusual extends Error {}

export class ObjectParser {
  private readonly latin1: Buffer;
  private at = 0;
  // pdf-lib makes each name from its text through a regular expression (for #xx escapes), each
  // reference through a string key, and each number's text at once: a file repeats them all.
  private readonly names = new Map<string, PDFName>();
  private readonly refs: PDFRef[] = [];
  private readonly numbers = new Map<number, PDFNumber>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly context: PDFContext,
  ) {
    this.latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The object of the indirect object ("12 0 obj …") at `offset`, or undefined if there is none. */
  indirectAt(offset: number): PDFObject | undefined {
    this.at = offset;
    if (!isDigit(this.bytes[this.at])) return undefined;
    this.number();
    if (this.bytes[this.at++] !== SPACE || !isDigit(this.bytes[this.at])) return undefined;
    this.number();
    if (this.bytes[this.at++] !== SPACE || !this.keyword("obj")) return undefined;
    return this.parseAt(this.at);
  }

  /** The object that starts at `offset` (after any whitespace). */
  parseAt(offset: number): PDFObject {
    this.at = offset;
    try {
      return this.object();
    } catch (error) {
      if (!(error instanceof Unusual)) throw error;
      return PDFObjectParser.forBytes(this.bytes.subarray(offset), this.context).parseObject();
    }
  }

  private object(): PDFObject {
    this.skipSpace();
    const c = this.bytes[this.at];
    if (c === LT) return this.bytes[this.at + 1] === LT ? this.dictOrStream() : this.hexString();
    if (c === SLASH) return this.name();
    if (c === LBRACKET) return this.array();
    if (c === LPAREN) return this.string();
    if (isNumeric(c)) return this.numberOrRef();
    if (this.keyword("true")) return PDFBool.True;
    if (this.keyword("false")) return PDFBool.False;
    if (this.keyword("null")) return PDFNull;
    throw new Unusual();
  }

  private skipSpace(): void {
    const { bytes } = this;
    for (;;) {
      while (this.at < bytes.length && CHARACTER_CLASS[bytes[this.at] as number] === WHITE_SPACE) this.at++;
      if (bytes[this.at] !== PERCENT) return;
      while (this.at < bytes.length && bytes[this.at] !== NEWLINE && bytes[this.at] !== RETURN) this.at++;
    }
  }

  private keyword(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.bytes[this.at + i] !== word.charCodeAt(i)) return false;
    this.at += word.length;
    return true;
  }

  private numberOrRef(): PDFObject {
    const first = this.number();
    const after = this.at;
    this.skipSpace();
    if (isDigit(this.bytes[this.at])) {
      const generation = this.number();
      this.skipSpace();
      if (this.bytes[this.at] === R) {
        this.at++;
        if (generation !== 0) return PDFRef.of(first, generation);
        let ref = this.refs[first];
        if (!ref) this.refs[first] = ref = PDFRef.of(first);
        return ref;
      }
    }
    this.at = after;
    return kept(this.numbers, first, PDFNumber.of);
  }

  /** A number as pdf-lib reads one: sign and digits up to a point, then digits. */
  private number(): number {
    const { bytes } = this;
    const start = this.at;
    let whole = true;
    let value = 0;
    for (let c = bytes[this.at]; isNumeric(c); c = bytes[++this.at]) {
      if (!isDigit(c)) whole = false;
      else value = value * 10 + (c as number) - ZERO;
      if (c === PERIOD) {
        this.at++;
        break;
      }
    }
    if (!whole) while (isDigit(bytes[this.at])) this.at++;
    if (whole && this.at - start < 16) return value; // exact below 2^53
    const parsed = Number(this.latin1.toString("latin1", start, this.at));
    if (!Number.isFinite(parsed) || Math.abs(parsed) > Number.MAX_SAFE_INTEGER) throw new Unusual();
    return parsed;
  }

  private name(): PDFName {
    const { bytes } = this;
    this.at++;
    let text = "";
    for (let c = bytes[this.at]; c !== undefined && CHARACTER_CLASS[c] === REGULAR; c = bytes[++this.at])
      text += String.fromCharCode(c);
    return kept(this.names, text, PDFName.of);
  }

  private hexString(): PDFHexString {
    const end = this.bytes.indexOf(GT, this.at);
    if (end < 0) throw new Unusual();
    const value = this.latin1.toString("latin1", this.at + 1, end);
    this.at = end + 1;
    return PDFHexString.of(value);
  }

  /** A literal string, its escapes kept as they are (as pdf-lib keeps them). */
  private string(): PDFString {
    const { bytes } = this;
    const start = this.at;
    let depth = 0;
    for (; this.at < bytes.length; this.at++) {
      const c = bytes[this.at];
      if (c === BACKSLASH) this.at++;
      else if (c === LPAREN) depth++;
      else if (c === RPAREN && --depth === 0) {
        this.at++;
        return PDFString.of(this.latin1.toString("latin1", start + 1, this.at - 1));
      }
    }
    throw new Unusual();
  }

  private array(): PDFArray {
    const array = PDFArray.withContext(this.context);
    this.at++;
    this.skipSpace();
    while (this.bytes[this.at] !== RBRACKET) {
      if (this.at >= this.bytes.length) throw new Unusual();
      array.push(this.object());
      this.skipSpace();
    }
    this.at++;
    return array;
  }

  private dictOrStream(): PDFDict | PDFRawStream {
    const { bytes } = this;
    this.at += 2;
    this.skipSpace();
    const map = new Map<PDFName, PDFObject>();
    while (bytes[this.at] !== GT) {
      if (bytes[this.at] !== SLASH) throw new Unusual();
      const key = this.name();
      map.set(key, this.object());
      this.skipSpace();
    }
    if (bytes[this.at + 1] !== GT) throw new Unusual();
    this.at += 2;
    const type = map.get(TYPE);
    const dict =
      type === CATALOG
        ? PDFCatalog.fromMapWithContext(map, this.context)
        : type === PAGES
          ? PDFPageTree.fromMapWithContext(map, this.context)
          : type === PAGE
            ? PDFPageLeaf.fromMapWithContext(map, this.context)
            : PDFDict.fromMapWithContext(map, this.context);
    const before = this.at;
    this.skipSpace();
    if (!this.keyword("stream")) {
      this.at = before;
      return dict;
    }
    // "stream", then an end of line: CR LF or LF (a lone CR or a space before it would be odd).
    if (bytes[this.at] === RETURN) this.at++;
    if (bytes[this.at] !== NEWLINE) throw new Unusual();
    const start = this.at + 1;
    const length = map.get(LENGTH);
    if (!(length instanceof PDFNumber)) throw new Unusual();
    this.at = start + length.asNumber();
    this.skipSpace();
    if (!this.keyword("endstream")) throw new Unusual();
    // A view, not a copy: the file's bytes outlive the document read from them.
    return PDFRawStream.of(dict, bytes.subarray(start, start + length.asNumber()));
  }
}
