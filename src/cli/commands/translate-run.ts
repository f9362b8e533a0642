import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { hasErrors } from "../../diagnostics/report.ts";
import { translationDir } from "../../load/policies.ts";
import { exportXliff, importXliff } from "../../translate/xliff.ts";
import { writeFileAtomic } from "../../write/atomic.ts";
import { type CommandContext, UsageError } from "../command.ts";

const LANGUAGES = ["cy"] as const;

/** policypack translate export|import: see the command's help in translate.ts. */
export async function runTranslate(context: CommandContext): Promise<number> {
  const [action, file, extra] = context.positionals;
  const language = context.choice("lang", LANGUAGES, "cy");
  if (action !== "export" && action !== "import") {
    throw new UsageError('translate takes "export" or "import": policypack translate export --lang cy');
  }
  if (extra !== undefined || (action === "export" && file !== undefined)) {
    throw new UsageError(`unexpected argument "${extra ?? file}"`);
  }
  if (action === "import" && file === undefined) {
    throw new UsageError("translate import takes the XLIFF file: policypack translate import translate-cy.xlf");
  }
  const result = await context.check();
  const policiesDir = context.string("policies") as string;
  // Translating a library that does not load would pair blocks wrongly: fix it first.
  const broken = result.diagnostics.filter(
    (d) =>
      d.severity === "error" &&
      d.rule !== "translation-missing" &&
      !d.file.startsWith(context.string("orgs") as string),
  );
  if (broken.length > 0) {
    context.report(broken);
    return 1;
  }
  if (action === "export") {
    const out = context.string("out") ?? `translate-${language}.xlf`;
    const exported = await exportXliff(result.library, language, Boolean(context.values.all));
    const counts = Object.entries(exported.units);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    await writeFileAtomic(out, exported.xliff);
    context.io.stderr.write(
      total === 0
        ? `wrote ${out}: nothing to translate, every ${language} translation is up to date\n`
        : `wrote ${out}: ${total} ${total === 1 ? "unit" : "units"} to translate (${counts.map(([code, n]) => `${code} ${n}`).join(", ")})\n`,
    );
    return 0;
  }
  const xml = await readFile(file as string, "utf8");
  const imported = await importXliff(xml, file as string, result.library, language, (english) =>
    join(translationDir(policiesDir, language), `${english.slug}.md`),
  );
  context.report(imported.diagnostics);
  if (hasErrors(imported.diagnostics)) {
    context.io.stderr.write(`nothing was written: fix the units above, then import ${file} again\n`);
    return 1;
  }
  for (const written of imported.files) await writeFileAtomic(written.path, written.text);
  for (const written of imported.files) {
    context.io.stderr.write(`wrote ${written.path} (${written.code}, ${written.units} units from ${file})\n`);
  }
  context.io.stderr.write("run policypack check to see what is still to translate\n");
  return 0;
}
