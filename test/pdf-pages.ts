import { execFileSync } from "node:child_process";

// Reading the printed pages back: each page's lines with their positions (poppler's pdftotext -bbox-layout).

export interface Line {
  text: string;
  yMin: number;
  yMax: number;
}

const decode = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|apos);/g,
    (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[name] as string,
  );

/** Every page's lines, top to bottom, and the page height, in points. */
export function pageLines(file: string): { height: number; lines: Line[] }[] {
  const xml = execFileSync("pdftotext", ["-bbox-layout", file, "-"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return [...xml.matchAll(/<page width="[\d.]+" height="([\d.]+)">([\s\S]*?)<\/page>/g)].map(([, height, body]) => ({
    height: Number(height),
    lines: [
      ...(body as string).matchAll(
        /<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([\s\S]*?)<\/line>/g,
      ),
    ]
      .map(([, yMin, yMax, words]) => ({
        yMin: Number(yMin),
        yMax: Number(yMax),
        text: decode([...(words as string).matchAll(/<word[^>]*>([^<]*)<\/word>/g)].map((w) => w[1]).join(" ")),
      }))
      .sort((a, b) => a.yMin - b.yMin),
  }));
}

const MM = 72 / 25.4;

/** The last line of a page's body, the running header and footer (the page margins) left out. */
export function lastBodyLine(page: { height: number; lines: Line[] }): Line | undefined {
  const body = page.lines.filter((line) => line.yMin > 26 * MM - 2 && line.yMax < page.height - 20 * MM + 2);
  return body.at(-1);
}
