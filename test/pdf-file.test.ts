import { PDFDocument, PDFHexString, PDFInvalidObject, PDFNull, PDFString, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { loadPdf, savePdf } from "../src/render/pdf/layout.ts";
import { objectText } from "../src/render/pdf/object-text.ts";
import { readPdf } from "../src/render/pdf/pdf-file.ts";

// Reading a PDF in one pass (readPdf) where the file allows it, and pdf-lib's parser otherwise.

async function twoPages(): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of ["First page", "Second page"]) doc.addPage().drawText(text, { x: 50, y: 700, font });
  doc.setTitle("Two pages");
  await doc.flush();
  return doc;
}

describe("reading a PDF", () => {
  it("reads a file writePdf wrote in one pass, and writes it back byte for byte", async () => {
    const bytes = savePdf(await twoPages());
    const context = readPdf(bytes);
    expect(context?.enumerateIndirectObjects().length).toBeGreaterThan(5);
    // A copy of the bytes: the very bytes saved would hand back the document saved (see below).
    const doc = await loadPdf(Uint8Array.from(bytes));
    expect(doc.getPageCount()).toBe(2);
    expect(doc.getTitle()).toBe("Two pages");
    expect(Buffer.from(savePdf(doc)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("hands the document just saved back once for the bytes saved, and parses them after", async () => {
    const saved = await twoPages();
    const bytes = savePdf(saved);
    expect(await loadPdf(bytes)).toBe(saved);
    const again = await loadPdf(bytes);
    expect(again).not.toBe(saved);
    expect(again.getTitle()).toBe("Two pages");
    // Only the last few are kept: a document saved long ago is parsed.
    const first = await twoPages();
    const firstBytes = savePdf(first);
    for (let i = 0; i < 4; i++) savePdf(await twoPages());
    expect(await loadPdf(firstBytes)).not.toBe(first);
  });

  it("takes the trailer after the cross-reference table, not a string that says trailer", async () => {
    const doc = await twoPages();
    doc.context.register(doc.context.obj({ Note: PDFString.of("trailer << /Root 1 0 R >>") }));
    const context = readPdf(savePdf(doc));
    expect(context?.trailerInfo.Root).toBe(doc.context.trailerInfo.Root);
    expect(String(context?.trailerInfo.Root)).not.toBe("1 0 R");
  });

  it("leaves files with object streams or an incremental update to pdf-lib's parser", async () => {
    const streams = await (await twoPages()).save({ useObjectStreams: true });
    expect(readPdf(streams)).toBeUndefined();
    expect((await loadPdf(streams)).getPageCount()).toBe(2);

    const plain = savePdf(await twoPages());
    const updated = Buffer.concat([
      plain,
      Buffer.from(
        `1 0 obj\n<< >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 2 /Prev 9 >>\nstartxref\n${plain.length + 21}\n%%EOF\n`,
      ),
    ]);
    expect(readPdf(updated)).toBeUndefined();
  });
});

describe("writing a PDF's objects", () => {
  const bytesOf = (object: { sizeInBytes(): number; copyBytesInto(buffer: Uint8Array, offset: number): number }) => {
    const bytes = new Uint8Array(object.sizeInBytes());
    object.copyBytesInto(bytes, 0);
    return Buffer.from(bytes).toString("latin1");
  };

  it("writes each object's text as pdf-lib writes it", async () => {
    const doc = await twoPages();
    const { context } = doc;
    context.register(
      context.obj({
        Odd: [PDFString.of("(nested) \\ and é"), PDFHexString.fromText("Ŵ"), PDFNull, true, -1.5, "A#Name with space"],
        Nested: { Deeper: [[], {}] },
      }),
    );
    const file = Buffer.from(savePdf(doc)).toString("latin1");
    let written = 0;
    for (const [ref, object] of context.enumerateIndirectObjects()) {
      // Streams are written in parts (their dictionary's text, then their bytes), all in the file.
      expect(file).toContain(`\n${ref.objectNumber} 0 obj\n${bytesOf(object)}\nendobj\n\n`);
      const text = objectText(object);
      if (text === undefined) continue;
      expect(text).toBe(bytesOf(object));
      written++;
    }
    expect(written).toBeGreaterThan(5);
  });

  it("leaves what it does not know to pdf-lib, and writePdf still writes it", async () => {
    const doc = await twoPages();
    const invalid = PDFInvalidObject.of(Buffer.from("<< /Broken"));
    doc.context.register(invalid);
    expect(objectText(invalid)).toBeUndefined();
    expect(objectText(doc.context.obj([invalid]))).toBeUndefined();
    expect(Buffer.from(savePdf(doc)).toString("latin1")).toContain("obj\n<< /Broken\nendobj");
  });
});
