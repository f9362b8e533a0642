// The text of a PDF object as pdf-lib writes it (copyBytesInto), made as one string: pdf-lib
// measures every object and then copies it into a buffer a character at a time, twice over the
// whole tree: half the time of writing a policy's PDF, two thirds of a manual's.
import {
  PDFArray,
  PDFBool,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNull,
  PDFNumber,
  type PDFObject,
  PDFRef,
  PDFString,
} from "pdf-lib";

/** Thrown for an object this does not write (a stream inside another object, pdf-lib's invalid object…). */
class NotText extends Error {}

/** The text of `object`, or undefined for one to leave to pdf-lib. */
export function objectText(object: PDFObject): string | undefined {
  try {
    return text(object);
  } catch (error) {
    if (error instanceof NotText) return undefined;
    throw error;
  }
}

function text(object: PDFObject): string {
  // The same text as each class's copyBytesInto: a name's encoded form, a number's text, a
  // reference's "n g R", a string between its brackets as it is kept.
  if (object instanceof PDFName || object instanceof PDFNumber || object instanceof PDFRef) return object.toString();
  if (object instanceof PDFDict) {
    let out = "<<\n";
    for (const [key, value] of object.entries()) out += `${key.toString()} ${text(value)}\n`;
    return `${out}>>`;
  }
  if (object instanceof PDFArray) {
    let out = "[ ";
    for (const item of object.asArray()) out += `${text(item)} `;
    return `${out}]`;
  }
  if (
    object instanceof PDFString ||
    object instanceof PDFHexString ||
    object instanceof PDFBool ||
    object === PDFNull
  ) {
    return object.toString();
  }
  throw new NotText();
}
