// Images a Word document can embed as they are: PNG and JPEG `data:` URIs, with their pixel size,
// which docx needs to lay the picture out and which the files carry in their first bytes.

export interface RasterImage {
  type: "png" | "jpg";
  data: Uint8Array;
  width: number;
  height: number;
}

const DATA_URI = /^data:([^;,]+)(;base64)?,(.*)$/s;

/** The media type of a `data:` URI, or undefined for any other url. */
export function dataUriType(url: string): string | undefined {
  return DATA_URI.exec(url)?.[1]?.toLowerCase();
}

/** A PNG or JPEG `data:` URI decoded, or undefined when it is anything else or its size cannot be read. */
export function rasterImage(url: string): RasterImage | undefined {
  const match = DATA_URI.exec(url);
  if (!match) return undefined;
  const type = match[1]?.toLowerCase();
  if (type !== "image/png" && type !== "image/jpeg") return undefined;
  const payload = match[3] ?? "";
  const data = match[2]
    ? new Uint8Array(Buffer.from(payload, "base64"))
    : new Uint8Array(Buffer.from(decodeURIComponent(payload), "latin1"));
  const size = type === "image/png" ? pngSize(data) : jpegSize(data);
  return size ? { type: type === "image/png" ? "png" : "jpg", data, ...size } : undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(data: Uint8Array): { width: number; height: number } | undefined {
  // The IHDR chunk comes first: width and height are big-endian at bytes 16 and 20.
  if (data.length < 24 || PNG_SIGNATURE.some((byte, i) => data[i] !== byte)) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function jpegSize(data: Uint8Array): { width: number; height: number } | undefined {
  // Walk the segments to the first start-of-frame marker (SOF0-SOF15 but DHT, JPG and DAC).
  if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1] ?? 0;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    offset += 2 + view.getUint16(offset + 2);
  }
  return undefined;
}

/** A size that keeps the aspect ratio and fits in the box, in pixels at 96 to the inch. */
export function fitInto(image: { width: number; height: number }, maxWidth: number, maxHeight: number) {
  const scale = Math.min(1, maxWidth / image.width, maxHeight / image.height);
  return { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
}
