// Formats import does not read itself, handed to the programs that do: .doc, .odt and .rtf to
// LibreOffice (`soffice --headless --convert-to docx`), whose .docx the Word reader then reads;
// .pdf to poppler's `pdftotext -layout`, whose text pdf-text.ts tidies. When the program is not
// installed, the error names the command that installs it and the one to run by hand.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, extname, join } from "node:path";
import { ImportProblem, LIMITS, megabytes } from "./limits.ts";

/** The first of `names` that is an executable file on `searchPath` (PATH). */
export async function findProgram(names: string[], searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const path = join(dir, name);
      if (
        await access(path, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        return path;
    }
  }
  return undefined;
}

/** Runs a converter with a time limit; its failure is an ImportProblem quoting what it said. */
function run(file: string, program: string, args: string[], timeout = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout, maxBuffer: 4 * LIMITS.textBytes, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const said = (stderr || error.message).trim().split("\n").slice(-2).join(" ").slice(0, 300);
      reject(
        new ImportProblem(
          "import-format",
          `${file} could not be converted by ${basename(program)}${error.killed ? " (it ran for more than two minutes)" : ""}: ${said}`,
          basename(program) === "pdftotext"
            ? "check that it opens in a PDF reader; if it does, save it again (Print › Save as PDF) or export it to Word, then import that"
            : "open it in Word or LibreOffice and save it as .docx, then import that",
        ),
      );
    });
  });
}

const INSTALL_OFFICE =
  "install LibreOffice (Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui; macOS: brew install --cask libreoffice) so soffice is on PATH, or open the file in Word and save it as .docx";

/** A .doc, .odt or .rtf as the bytes of the .docx LibreOffice makes of it. */
export async function officeToDocx(file: string, searchPath: string): Promise<Buffer> {
  const soffice = await findProgram(["soffice", "libreoffice"], searchPath);
  if (!soffice) {
    throw new ImportProblem(
      "import-format",
      `cannot import ${file}: it is converted to .docx by LibreOffice (soffice --headless --convert-to docx --outdir <folder> "${file}"), and neither soffice nor libreoffice is on PATH`,
      INSTALL_OFFICE,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "policypack-import-"));
  try {
    // Its own profile: a LibreOffice the user has open would otherwise take the job and exit 0 without output.
    await run(file, soffice, [
      `-env:UserInstallation=file://${join(dir, "profile")}`,
      "--headless",
      "--convert-to",
      "docx",
      "--outdir",
      dir,
      file,
    ]);
    const made = (await readdir(dir)).find((name) => extname(name) === ".docx");
    if (!made) {
      throw new ImportProblem(
        "import-format",
        `${file} could not be converted by LibreOffice: it wrote no .docx (the file may be damaged or password-protected)`,
        "open it in LibreOffice or Word and save it as .docx, then import that",
      );
    }
    const bytes = await readFile(join(dir, made));
    if (bytes.length > LIMITS.docxBytes) {
      throw new ImportProblem(
        "import-limit",
        `${file} converts to a ${megabytes(bytes.length)} Word document, more than the ${megabytes(LIMITS.docxBytes)} import reads`,
        "remove its pictures, or split it into one document per policy",
      );
    }
    return bytes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A PDF's text, laid out as on the page (pages separated by form feeds). */
export async function pdfText(file: string, searchPath: string): Promise<string> {
  const pdftotext = await findProgram(["pdftotext"], searchPath);
  if (!pdftotext) {
    throw new ImportProblem(
      "import-format",
      `cannot import ${file}: a PDF's text is read by pdftotext (pdftotext -layout "${file}" -), which is not on PATH`,
      "install poppler-utils (Debian/Ubuntu: sudo apt-get install poppler-utils; macOS: brew install poppler), or open the PDF in Word and save it as .docx",
    );
  }
  const text = await run(file, pdftotext, ["-layout", "-enc", "UTF-8", file, "-"]);
  if (text.length > LIMITS.textBytes) {
    throw new ImportProblem(
      "import-limit",
      `${file} holds ${megabytes(text.length)} of text, more than the ${megabytes(LIMITS.textBytes)} a policy may`,
      "split it into one document per policy",
    );
  }
  if (text.replace(/\s/g, "") === "") {
    throw new ImportProblem(
      "import-format",
      `${file} has no text to read: it is probably a scan (pictures of pages)`,
      "run it through OCR (for example ocrmypdf), or retype it, then import the result",
    );
  }
  return text;
}
