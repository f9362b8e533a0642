import { existsSync } from "node:fs";
import { hasErrors } from "../../diagnostics/report.ts";
import type { FieldMap } from "../../import/field-map.ts";
import type { Diagnostic } from "../../types.ts";
import { type Command, UsageError } from "../command.ts";

/** What was left out of the source (never silently) and what a person must look at, by kind. */
const REMOVED = new Set(["chrome", "trailer", "image", "link", "control"]);

/** "review the 6 guesses above: 4 changes (title, heading ×2, version), 2 removals (chrome, image)" */
function summary(guesses: readonly { kind: string }[]): string {
  const tally = (kinds: string[]) => {
    const counts = new Map<string, number>();
    for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return [...counts].map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind)).join(", ");
  };
  const removed = guesses.filter((g) => REMOVED.has(g.kind)).map((g) => g.kind);
  const changed = guesses.filter((g) => !REMOVED.has(g.kind)).map((g) => g.kind);
  const parts = [
    changed.length ? `${changed.length} decision${changed.length === 1 ? "" : "s"} (${tally(changed)})` : "",
    removed.length ? `${removed.length} removal${removed.length === 1 ? "" : "s"} (${tally(removed)})` : "",
  ].filter(Boolean);
  return `review the ${guesses.length} guesses above: ${parts.join(", ")}`;
}

export const importCommand: Command = {
  name: "import",
  summary: "turn legacy policy pages (.txt, .html, .md), Word, OpenDocument, RTF and PDF documents into policy sources",
  help: `policypack import <file ...> [--code CODE] [--title TITLE] [--out DIR] [--force]
                 [--map FILE] [--revisions accept|reject] [options]

  --code CODE           the policy's code, with one file only (default: the code the
                        library's policies cite its title with)
  --title TITLE         the policy's title, with one file only (default: the document's first
                        heading or line, unless that is a placeholder line or a numbered section)
  --out DIR             where <CODE>-<slug>.md goes (default: the --policies folder)
  --force               overwrite a policy file that already exists
  --map FILE            a YAML file of the documents' own placeholder tokens and the
                        organisation fields they stand for, e.g. "«OrgName»: name" or
                        "[Name of Registered Manager]": [registered_manager_first_name,
                        registered_manager_last_name]
  --revisions accept|reject
                        a Word document's tracked changes: imported as if accepted (the
                        default), or as if rejected (the text before them); said either way

  Prints every guess it made (title, code, headings, lists, dropped trailer and page
  chrome) with the source line it came from: review them before approving the policy.`,
  options: {
    code: { type: "string" },
    title: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean", default: false },
    revisions: { type: "string" },
    map: { type: "string" },
  },
  positionals: true,
  async run(context) {
    const { POLICY_CODE } = await import("../../check/policies.ts"); // loaded when run, not for --help
    // Loaded here: the importer pulls in mammoth and rehype, which other commands do not need.
    const { importPolicy, loadFieldMap } = await import("../../import/index.ts");
    const { savePolicy } = await import("../../import/write.ts");
    const files = context.positionals;
    const code = context.string("code");
    if (files.length === 0) throw new UsageError("import needs at least one file: policypack import <file ...>");
    if (code !== undefined && files.length > 1)
      throw new UsageError("--code names one policy: import one file with it");
    const title = context.string("title")?.trim();
    if (title !== undefined && files.length > 1)
      throw new UsageError("--title names one policy: import one file with it");
    if (title !== undefined && (title === "" || title.length > 200 || /[\n<>{}]/.test(title)))
      throw new UsageError("--title takes the policy's title as plain text of at most 200 characters");
    if (code !== undefined && !POLICY_CODE.test(code))
      throw new UsageError(`--code ${code} is not a policy code (capital letters then digits, e.g. DCW40)`);
    const revisions = context.choice("revisions", ["accept", "reject"], "accept");
    for (const file of files) if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const policiesDir = context.string("policies") as string;
    const orgsDir = context.string("orgs") as string;
    const out = context.string("out") ?? policiesDir;
    const mapFile = context.string("map");
    let fieldMap: { file: string; map: FieldMap } | undefined;
    if (mapFile !== undefined) {
      if (!existsSync(mapFile)) throw new UsageError(`no such map file: ${mapFile}`);
      // A wrong map would import every file wrongly: nothing is imported until it is right.
      const { map, diagnostics } = await loadFieldMap(mapFile, orgsDir);
      if (!map) {
        context.report(diagnostics);
        return 1;
      }
      fieldMap = { file: mapFile, map };
    }

    const diagnostics: Diagnostic[] = [];
    const imported = [];
    for (const file of files) {
      const result = await importPolicy(file, {
        ...(code ? { code } : {}),
        ...(title ? { title } : {}),
        policiesDir,
        orgsDir,
        out,
        revisions,
        searchPath: context.io.env.PATH ?? "",
        ...(fieldMap ? { fieldMap } : {}),
      });
      diagnostics.push(...result.diagnostics);
      let written = false;
      if (result.output) {
        const refused = await savePolicy(file, result.output, out, Boolean(context.values.force));
        if (refused) diagnostics.push(refused);
        else written = true;
      }
      imported.push({ ...result, written });
    }

    const { io } = context;
    if (context.values.json) {
      const report = imported.map(({ source, guesses, output, written }) => ({
        source,
        output: output?.path ?? null,
        code: output?.code ?? null,
        title: output?.title ?? null,
        written,
        guesses,
      }));
      io.stdout.write(`${JSON.stringify({ imported: report, diagnostics }, null, 2)}\n`);
    } else {
      for (const { source, guesses, output, written } of imported) {
        for (const guess of guesses) io.stdout.write(`${source}:${guess.line}: ${guess.kind}: ${guess.message}\n`);
        if (written && output) io.stdout.write(`wrote ${output.path} (${output.code}): ${summary(guesses)}\n`);
      }
      context.report(diagnostics);
    }
    return hasErrors(diagnostics) ? 1 : 0;
  },
};
