import { PDFArray, PDFContext, PDFObjectParser, PDFRawStream, PDFRef } from "pdf-lib";
import { describe, expect, it, vi } from "vitest";
import { contentOps } from "../src/render/pdf/accessibility.ts";
import { ObjectParser } from "../src/render/pdf/parse.ts";

// Our reader of PDF objects must give what pdf-lib's parser gives, object for object: the PDFs
// are written back from what it reads.

const bytesOf = (object: { sizeInBytes(): number; copyBytesInto(buffer: Uint8Array, offset: number): number }) => {
  const bytes = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(bytes, 0);
  return Buffer.from(bytes).toString("latin1");
};

/** Both readers' object, and whether ours handed the text to pdf-lib's. */
const both = (text: string) => {
  const bytes = Buffer.from(text, "latin1");
  const context = PDFContext.create();
  const handedOver = vi.spyOn(PDFObjectParser, "forBytes");
  const ours = new ObjectParser(bytes, context).parseAt(0);
  const fellBack = handedOver.mock.calls.length > 0;
  handedOver.mockRestore();
  const theirs = PDFObjectParser.forBytes(bytes, context).parseObject();
  return { ours, theirs, fellBack };
};

describe("reading PDF objects", () => {
  it.each([
    ["a page", "<<\n/Type /Page\n/MediaBox [ 0 0 594.95996 841.91998 ]\n/Contents [ 4 0 R 5 0 R ]\n/Parent 2 0 R\n>>"],
    ["the catalog and a page tree", "<</Type/Catalog/Pages 2 0 R/Lang (en-GB)>>"],
    ["numbers", "[ -12 +3 .5 -.25 4. 007 1234567890123456 0 -0 ]"],
    ["a number that is not a reference", "[ 12 0 13 0 R 14 ]"],
    ["names with escapes and odd characters", "[ /A#20B /C#2fD /Ünï /x-y.z_1 /#41 ]"],
    [
      "strings with escapes and nested brackets",
      "[ (a \\(b\\) c) (nested (twice (deep)) ok) (back\\\\) (only \\( one) (x \\) y) (oct\\053al) () ]",
    ],
    ["hex strings", "[ <FEFF0041> <> <0a1B> ]"],
    ["comments and keywords", "% a comment\n[ true % another\n false null /N ]"],
    ["a dictionary of dictionaries", "<</A<</B<</C 1>>>>/D[<</E 2>>]>>"],
    ["whitespace of every kind", "<<\r\n/A\t1\f/B\x002 >>"],
  ])("%s", (_, text) => {
    const { ours, theirs, fellBack } = both(text);
    expect(fellBack).toBe(false);
    expect(ours.constructor).toBe(theirs.constructor);
    expect(bytesOf(ours)).toBe(bytesOf(theirs));
    // The same text could be read as other objects: "(a \\( b) (c)" is one string or two.
    if (theirs instanceof PDFArray) expect((ours as PDFArray).size()).toBe(theirs.size());
  });

  it("reads a stream by its length, and hands odd streams to pdf-lib", () => {
    for (const [text, odd] of [
      ["<< /Length 5 >>\nstream\nhello\nendstream", false],
      ["<< /Length 5 >>\r\nstream\r\nhello\r\nendstream", false],
      ["<< /Length 9 0 R >>\nstream\nhello\nendstream", true], // its length elsewhere: pdf-lib looks for the end
      ["<< /Length 3 >>\nstream\nhello\nendstream", true], // a wrong length: the same
      ["<< /Length 5 >>\nstream \r\nhello\nendstream", true],
    ] as const) {
      const { ours, theirs, fellBack } = both(text);
      expect(fellBack, text).toBe(odd);
      expect(ours).toBeInstanceOf(PDFRawStream);
      expect(bytesOf(ours), text).toBe(bytesOf(theirs));
    }
  });

  it("reads an indirect object's header, and reports none where there is none", () => {
    const bytes = Buffer.from("12 0 obj\n<< /A 3 0 R >>\nendobj\nxx", "latin1");
    const parser = new ObjectParser(bytes, PDFContext.create());
    expect(bytesOf(parser.indirectAt(0) as never)).toBe("<<\n/A 3 0 R\n>>");
    expect(parser.indirectAt(bytes.indexOf("xx"))).toBeUndefined();
    expect(parser.indirectAt(bytes.indexOf("<<"))).toBeUndefined();
  });

  it("gives one reference object for each object number, as pdf-lib does", () => {
    const { ours } = both("[ 3 0 R 3 0 R ]");
    expect((ours as unknown as { get(i: number): unknown }).get(0)).toBe(PDFRef.of(3));
  });
});

describe("splitting a content stream into operators", () => {
  it("gives each operator with its operands: numbers, names, strings, arrays, keywords, an inline image", () => {
    const text =
      "0.5 0 0 -1 72 720 cm\nBT /F1 12 Tf (a (b) \\) c) Tj [(x) -250 (y)] TJ ET\nq BI /W 1 ID x EI Q % a comment\ntrue +.5 null re";
    const ops = contentOps(text).map(({ op, start, end }) => [op, text.slice(start, end)]);
    expect(ops).toEqual([
      ["cm", "0.5 0 0 -1 72 720 cm"],
      ["BT", "BT"],
      ["Tf", "/F1 12 Tf"],
      ["Tj", "(a (b) \\) c) Tj"],
      ["TJ", "[(x) -250 (y)] TJ"],
      ["ET", "ET"],
      ["q", "q"],
      ["BI", "BI /W 1 ID x EI"],
      ["Q", "Q"],
      ["re", "true +.5 null re"],
    ]);
  });
});
