#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so there is no build step to forget.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// The command's work is done: end now rather than when every library timer has run out
// (puppeteer keeps a 30 s timer for a page a killed browser never opened).
process.exit(code);
