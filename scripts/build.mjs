// npm run build: src/ compiled to dist/ (JavaScript and declarations), plus the files the code
// reads beside itself at run time (new URL("policy.css", import.meta.url)), which tsc does not copy.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(import.meta.dirname, "..");
const src = join(root, "src");
const dist = join(root, "dist");

// From scratch: a module deleted from src/ must not live on in the package.
rmSync(dist, { recursive: true, force: true });
// What src/ looked like when compiled: bin/policypack.js runs dist/ only while src/ still matches.
const sources = sourceStamp(src);
execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
for (const file of readdirSync(src, { recursive: true })) {
  // worker-dev.mjs starts a worker from the TypeScript sources (through tsx): not for the package.
  if (file.endsWith(".ts") || file.endsWith("worker-dev.mjs") || !statSync(join(src, file)).isFile()) continue;
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  cpSync(join(src, file), join(dist, file));
}
writeFileSync(join(dist, ".sources"), sources);

/** Every file of src/ with its size and modification time, one a line (bin/policypack.js has a copy). */
function sourceStamp(dir) {
  return readdirSync(dir, { recursive: true })
    .sort()
    .map((file) => [file, statSync(join(dir, file))])
    .filter(([, stat]) => stat.isFile())
    .map(([file, stat]) => `${file} ${stat.size} ${stat.mtimeMs}\n`)
    .join("");
}
