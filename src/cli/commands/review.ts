import { WHOLE_PACK } from "../../types.ts";
import type { Command } from "../command.ts";

export const USAGE = `policypack review record --org ID --policy CODE|${WHOLE_PACK} --by NAME --role ROLE --outcome OUTCOME`;

export const review: Command = {
  name: "review",
  summary: "record a review in an organisation's review log (review record …)",
  help: `${USAGE} [--date YYYY-MM-DD] [--notes TEXT] [options]

  Appends one entry to the \`reviews:\` list of orgs/ID.yaml; the rest of the file is left as it is.

  --org ID              the organisation (its YAML file name)
  --policy CODE         the policy reviewed, e.g. DCW13, or ${WHOLE_PACK} for the whole pack
  --by NAME             who reviewed it, e.g. "Elin Wyn Hughes"
  --role ROLE           their role, e.g. "Responsible Individual"
  --outcome OUTCOME     no-change, amended, or withdrawn (the policy leaves the pack)
  --date YYYY-MM-DD     the day of the review (default: the build date, i.e. today or --as-of)
  --notes TEXT          what was checked or changed, and why`,
  options: {
    org: { type: "string" },
    policy: { type: "string" },
    by: { type: "string" },
    role: { type: "string" },
    outcome: { type: "string" },
    date: { type: "string" },
    notes: { type: "string" },
  },
  positionals: true,
  // The work is loaded only when run: --help and the other commands do not pay for it.
  run: async (context) => (await import("./review-record.ts")).recordReview(context),
};
