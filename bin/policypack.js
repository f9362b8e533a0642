#!/usr/bin/env node
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";

// An installed package has only the compiled dist/. In the repository, dist/ runs while it was
// compiled from src/ as it is now (npm run build records src/ in dist/.sources), since compiling
// TypeScript at every start (tsx) costs most of a second; after an edit, src/ runs through tsx
// until the next build, so a stale dist/ never hides an edit.
const src = new URL("../src/", import.meta.url);
const fresh = () => {
  try {
    const stamp = readdirSync(src, { recursive: true })
      .sort()
      .map((file) => [file, statSync(new URL(file, src))])
      .filter(([, stat]) => stat.isFile())
      .map(([file, stat]) => `${file} ${stat.size} ${stat.mtimeMs}\n`)
      .join("");
    return stamp === readFileSync(new URL("../dist/.sources", import.meta.url), "utf8");
  } catch {
    return false; // no dist/ yet
  }
};
let main;
if (existsSync(src) && !fresh()) {
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
