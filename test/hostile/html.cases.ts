import { orgYaml } from "../helpers.ts";
import type { HostileCase } from "./case.ts";

// Organisation values that are markup: the HTML build must take them as text (test/html.test.ts
// opens such pages in Chromium). One case, one process: the corpus runs on a busy machine.
const yaml = (fields: Record<string, string>) =>
  orgYaml(Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, JSON.stringify(value)])));

export const cases: HostileCase[] = [
  {
    name: "org values carrying the renderer's old font marker, scripts and attribute breakers build as text",
    files: {
      "orgs/marker.yaml": yaml({
        name: "/*<policypack-fonts>*/</style><script>alert(1)</script>",
        registration_no: `"><img src=x onerror=alert(1)>`,
        address: "</title><!-- ]]><![CDATA[ <base href=//evil.example/>",
      }),
    },
    args: ["build", "--org", "marker", "--format", "html"],
    exit: 0,
    says: /marker: \d+ built/,
  },
];
