import { hasErrors } from "../../diagnostics/report.ts";
import type { Command } from "../command.ts";

export const check: Command = {
  name: "check",
  summary: "validate every policy and organisation; write nothing",
  help: "policypack check [options]",
  options: {},
  async run(context) {
    const result = await context.check();
    if (context.values.json) context.reportJson(result.diagnostics);
    else if (result.diagnostics.length === 0) {
      context.io.stderr.write(
        `${result.library.policies.length} policies and ${result.orgs.length} organisations: no problems\n`,
      );
    } else context.report(result.diagnostics);
    return hasErrors(result.diagnostics) ? 1 : 0;
  },
};
