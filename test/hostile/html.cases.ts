import { orgYaml } from "../helpers.ts";
import type { HostileCase } from "./case.ts";

// Organisation values that are markup: the HTML build must take them as text (test/html.test.ts
// opens the resulting pages in Chromium).
const yaml = (fields: Record<string, string>) =>
  orgYaml(Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, JSON.stringify(value)])));

export const cases: HostileCase[] = [
  {
    name: "an org name carrying the renderer's old font marker and a script builds as text",
    files: { "orgs/marker.yaml": yaml({ name: "/*<policypack-fonts>*/</style><script>alert(1)</script>" }) },
    args: ["build", "--org", "marker", "--format", "html"],
    exit: 0,
    says: /marker: \d+ built/,
  },
  {
    name: "org values that close attributes, titles and comments build as text",
    files: {
      "orgs/quotes.yaml": yaml({
        name: `"><img src=x onerror=alert(1)>`,
        registration_no: "</title><!--",
        address: "]]><![CDATA[ <base href=//evil.example/>",
      }),
    },
    args: ["build", "--org", "quotes", "--format", "html"],
    exit: 0,
    says: /quotes: \d+ built/,
  },
];
