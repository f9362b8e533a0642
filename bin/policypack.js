#!/usr/bin/env node
import { existsSync } from "node:fs";

// In the repository (src/ present) run the TypeScript sources through tsx, so an edit is never
// shadowed by a stale dist/; an installed package has only the compiled dist/, and no tsx.
let main;
if (existsSync(new URL("../src/cli/main.ts", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
} else {
  ({ main } = await import("../dist/cli/main.js"));
}
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// The command's work is done: end once what it printed has reached the pipe or file (writes to
// a full pipe are queued), rather than when every library timer has run out (puppeteer keeps a
// 30 s timer for a page a killed browser never opened).
const flushed = (stream) => new Promise((resolve) => stream.write("", resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
