// Word files built in code for the import tests and the hostile corpus: a minimal valid .docx,
// and the ways one can be broken or hostile.
import { strToU8, zipSync } from "fflate";

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const RELS = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;

/** word/document.xml with these paragraphs (already XML), after an optional prolog such as a DOCTYPE. */
export const documentXml = (body: string, prolog = "") =>
  `<?xml version="1.0" encoding="UTF-8"?>${prolog}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;

/** One plain paragraph. */
export const para = (text: string) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`;

/** A zip of these parts; `extra` parts are added as given. */
export const zip = (parts: Record<string, string | Uint8Array>) =>
  zipSync(
    Object.fromEntries(
      Object.entries(parts).map(([name, data]) => [name, typeof data === "string" ? strToU8(data) : data]),
    ),
  );

/** A .docx whose document.xml is `xml` (text, or bytes in another encoding), plus any other parts. */
export const docx = (xml: string | Uint8Array, parts: Record<string, string | Uint8Array> = {}) =>
  zip({ "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS, "word/document.xml": xml, ...parts });

/**
 * A zip bomb: `count` entries of one MB of zeros each, about a kilobyte apiece compressed,
 * honestly sized in the central directory.
 */
export function zipBomb(count: number): Uint8Array {
  const megabyte = new Uint8Array(1024 * 1024);
  const parts: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) parts[`word/media/image${i}.bin`] = megabyte;
  return docx(documentXml(para("Bomb")), parts);
}

/** A .docx whose document.xml claims, in the central directory, to be `claimed` bytes long. */
export function lyingDocx(xml: string, claimed: number): Uint8Array {
  const bytes = docx(xml);
  const view = new DataView(bytes.buffer);
  const name = strToU8("word/document.xml");
  for (let at = bytes.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) !== 0x02014b50) continue; // a central directory header
    const length = view.getUint16(at + 28, true);
    const entry = bytes.subarray(at + 46, at + 46 + length);
    if (length === name.length && entry.every((byte, i) => byte === name[i])) view.setUint32(at + 24, claimed, true);
  }
  return bytes;
}
