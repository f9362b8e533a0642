// What import reads at most, and the error a source file that cannot be imported throws. A legacy
// policy is tens of kilobytes; these limits are far above any real one and keep a hostile file
// (a zip bomb, a 20 MB page, 10,000 nested elements) to a clear message within seconds.

export const LIMITS = {
  /** A .txt, .md or .html file, and the HTML mammoth makes of a .docx. */
  textBytes: 1024 * 1024,
  /** A .docx file as stored (pictures included). */
  docxBytes: 20 * 1024 * 1024,
  /** Files inside a .docx archive. */
  zipEntries: 1000,
  /** Everything inside a .docx, unpacked. */
  unzippedBytes: 100 * 1024 * 1024,
  /** The XML parts of a .docx (text, styles, lists, notes), unpacked: mammoth needs ~100× this in memory and seconds per MB. */
  xmlBytes: 8 * 1024 * 1024,
  /** Nesting of HTML elements, Markdown blocks and Word's XML: real documents nest a few dozen deep. */
  depth: 100,
  /** Emphasis and link marks in one Markdown paragraph: the parser's work grows with their square. */
  delimiters: 500,
};

/** "8.1 MB": rounded up, so a size just over a limit never prints as the limit itself. */
export const megabytes = (bytes: number) => `${Math.ceil((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * A source file that cannot be imported: wrong format, damaged, too large, too deep or unsafe.
 * importPolicy turns it into a diagnostic at the file (and the line, when known).
 */
export class ImportProblem extends Error {
  constructor(
    readonly rule: "import-format" | "import-limit" | "import-unsafe",
    message: string,
    readonly hint: string,
    readonly at: { line: number; column: number } = { line: 1, column: 1 },
  ) {
    super(message);
  }
}
