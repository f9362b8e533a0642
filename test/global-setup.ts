// Every temporary folder a test run makes (workspaces, builds, Chromium profiles, imports) goes
// under one folder that is removed when the run ends, so that runs do not pile up in /tmp
// (a full run made ~3,800 folders, ~380 MB).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), "policypack-tests-"));
  // Read by os.tmpdir() in the test processes, which start after this, and by what they spawn.
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
