import type { Command } from "../command.ts";

export const translate: Command = {
  name: "translate",
  summary: "XLIFF for translators: export what needs translating, import what they send back",
  help: `policypack translate export --lang cy [--out FILE] [--all] [options]
       policypack translate import FILE [--lang cy] [options]

  export                what is new or changed in English since each translation was made
                        (every policy without one), as XLIFF 1.2 for a translation tool
  import FILE           write the translations back into policies/cy/; refuses the whole
                        file, writing nothing, if a unit's tags (placeholders, codes,
                        formatting) were damaged
  --lang LANG           the translation language: cy (Welsh, the default)
  --out FILE            where export writes (default: translate-cy.xlf)
  --all                 export every unit, translated or not (e.g. for a new agency's memory)`,
  options: { lang: { type: "string" }, out: { type: "string" }, all: { type: "boolean" } },
  positionals: true,
  // The work (and the XLIFF library) is loaded only when run: --help and the other commands do not pay for it.
  run: async (context) => (await import("./translate-run.ts")).runTranslate(context),
};
