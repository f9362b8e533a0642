import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Resvg as ResvgClass } from "@resvg/resvg-js";
import { FONT_DIRECTORY, FONT_FAMILY } from "./fonts.ts";

// Pictures for Word and for web pages' logo file. PNG and JPEG `data:` URIs go into Word as they
// are, with their pixel size, which docx needs to lay them out and which the files carry in their
// first bytes. Word cannot show an SVG on its own, and an SVG file published beside web pages
// could run script when opened, so an SVG is drawn to a PNG at print resolution first.

export interface RasterImage {
  type: "png" | "jpg";
  data: Uint8Array;
  width: number;
  height: number;
}

/** A picture to place: its image, and its size on the page in pixels at 96 to the inch (docx's unit). */
export interface Picture {
  image: RasterImage;
  size: { width: number; height: number };
}

/** Pixels per inch of a drawn SVG: print resolution. */
export const SVG_DPI = 300;

const DATA_URI = /^data:([^;,]+)(;base64)?,(.*)$/s;

/** A PNG or JPEG `data:` URI decoded, or undefined when it is anything else or its size cannot be read. */
export function rasterImage(url: string): RasterImage | undefined {
  const match = DATA_URI.exec(url);
  const type = match?.[1]?.toLowerCase();
  if (!match || (type !== "image/png" && type !== "image/jpeg")) return undefined;
  const data = payload(match);
  const size = type === "image/png" ? pngSize(data) : jpegSize(data);
  return size ? { type: type === "image/png" ? "png" : "jpg", data, ...size } : undefined;
}

const payload = (match: RegExpExecArray) =>
  match[2]
    ? new Uint8Array(Buffer.from(match[3] ?? "", "base64"))
    : new Uint8Array(Buffer.from(decodeURIComponent(match[3] ?? ""), "latin1"));

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(data: Uint8Array): { width: number; height: number } | undefined {
  // The IHDR chunk comes first: width and height are big-endian at bytes 16 and 20.
  if (data.length < 24 || PNG_SIGNATURE.some((byte, i) => data[i] !== byte)) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const size = { width: view.getUint32(16), height: view.getUint32(20) };
  return size.width > 0 && size.height > 0 ? size : undefined;
}

function jpegSize(data: Uint8Array): { width: number; height: number } | undefined {
  // Walk the segments to the first start-of-frame marker (SOF0-SOF15 but DHT, JPG and DAC).
  if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1] ?? 0;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const size = { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
      return size.width > 0 && size.height > 0 ? size : undefined;
    }
    offset += 2 + view.getUint16(offset + 2);
  }
  return undefined;
}

/** The largest size with the image's proportions that fits the box; smaller images keep their size unless `grow`. */
export function fitInto(image: { width: number; height: number }, maxWidth: number, maxHeight: number, grow = false) {
  const scale = Math.min(grow ? Number.POSITIVE_INFINITY : 1, maxWidth / image.width, maxHeight / image.height);
  return { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
}

/**
 * The picture of a `data:` URI, sized to fit a box of `maxWidth` × `maxHeight` pixels (at 96 to
 * the inch), or the reason Word cannot show it. `grow` scales a smaller image up to fill the box,
 * as the PDF's running header does with the logo.
 */
export function picture(url: string, maxWidth: number, maxHeight: number, grow = false): Picture | string {
  const match = DATA_URI.exec(url);
  if (!match) return "only images embedded in the document (data: URIs) go into Word";
  const type = match[1]?.toLowerCase();
  if (type === "image/svg+xml") return svgPicture(payload(match), maxWidth, maxHeight, grow);
  const image = rasterImage(url);
  if (image) {
    const size = fitInto(image, maxWidth, maxHeight, grow);
    return { image: atPrintResolution(image, url, size), size };
  }
  return type === "image/png" || type === "image/jpeg"
    ? `it is not a readable ${type === "image/png" ? "PNG" : "JPEG"} file`
    : `Word shows PNG, JPEG and SVG images, not ${type}`;
}

/**
 * A picture far larger than print resolution needs for the size it is shown at (a 4000-pixel logo
 * in a 35 mm header) is drawn again at 300 dpi: every Word file of the pack carries it.
 */
function atPrintResolution(image: RasterImage, url: string, size: { width: number; height: number }): RasterImage {
  if (image.width <= 2 * Math.round((size.width * SVG_DPI) / 96)) return image;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}"><image href="${url.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;")}" width="${image.width}" height="${image.height}"/></svg>`;
  const smaller = svgPicture(strToBytes(svg), size.width, size.height, true);
  return typeof smaller !== "string" && smaller.image.data.length < image.data.length ? smaller.image : image;
}

const strToBytes = (text: string) => new Uint8Array(Buffer.from(text));

// The same logo is drawn for every policy of a pack: keep the last few drawings.
const drawn = new Map<string, Picture | string>();
const DRAWN_LIMIT = 16;

function svgPicture(svg: Uint8Array, maxWidth: number, maxHeight: number, grow: boolean): Picture | string {
  const key = `${maxWidth}×${maxHeight}×${grow}:${createHash("sha256").update(svg).digest("hex")}`;
  let result = drawn.get(key);
  if (result === undefined) {
    result = drawSvg(svg, maxWidth, maxHeight, grow);
    if (drawn.size >= DRAWN_LIMIT) drawn.delete(drawn.keys().next().value as string);
    drawn.set(key, result);
  }
  return result;
}

// Text in an SVG is set in the house font, whatever family it names, and never in a font of the
// machine's, so the drawing is the same everywhere.
const FONT_FILES = [
  "400Regular/IBMPlexSans_400Regular.ttf",
  "400Regular_Italic/IBMPlexSans_400Regular_Italic.ttf",
  "600SemiBold/IBMPlexSans_600SemiBold.ttf",
  "700Bold/IBMPlexSans_700Bold.ttf",
];
const SVG_FONTS = {
  fontFiles: FONT_FILES.map((file) => join(FONT_DIRECTORY, file)),
  loadSystemFonts: false,
  defaultFontFamily: FONT_FAMILY,
  sansSerifFamily: FONT_FAMILY,
  serifFamily: FONT_FAMILY,
  monospaceFamily: FONT_FAMILY,
  cursiveFamily: FONT_FAMILY,
  fantasyFamily: FONT_FAMILY,
};

/** resvg reads any file an `<image href>` names; a browser showing the logo never does. */
const EXTERNAL_HREF = /(\s(?:[\w.-]+:)?href\s*=\s*)(?:"(?!data:|#)[^"]*"|'(?!data:|#)[^']*')/gi;

/** resvg, a native module, loaded when an SVG is first drawn: most logos are PNGs or JPEGs. */
let resvg: typeof ResvgClass | undefined;

function drawSvg(svg: Uint8Array, maxWidth: number, maxHeight: number, grow: boolean): Picture | string {
  resvg ??= (createRequire(import.meta.url)("@resvg/resvg-js") as { Resvg: typeof ResvgClass }).Resvg;
  const Resvg = resvg;
  const text = Buffer.from(svg).toString("utf8").replace(EXTERNAL_HREF, '$1""');
  try {
    const options = { font: SVG_FONTS, logLevel: "off" as const };
    const intrinsic = new Resvg(text, options);
    if (!(intrinsic.width > 0 && intrinsic.height > 0)) return "the SVG has no size";
    const size = fitInto(intrinsic, maxWidth, maxHeight, grow);
    // Drawn at print resolution for the size it is shown at.
    const width = Math.max(1, Math.round((size.width * SVG_DPI) / 96));
    const rendered = new Resvg(text, { ...options, fitTo: { mode: "width", value: width } }).render();
    const data = new Uint8Array(rendered.asPng());
    return { image: { type: "png", data, width: rendered.width, height: rendered.height }, size };
  } catch (error) {
    return `the SVG cannot be drawn (${error instanceof Error ? error.message : String(error)})`;
  }
}
