import type { HostileCase } from "./case.ts";

export const cases: HostileCase[] = [
  { name: "the example library checks clean", args: ["check"], exit: 0, says: /no problems/ },
  {
    name: "an unknown command is a usage error",
    args: ["chekc"],
    exit: 2,
    says: /did you mean check/,
  },
];
