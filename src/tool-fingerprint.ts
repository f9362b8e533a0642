import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "./hash.ts";

// dist/ compiled in the repository is fingerprinted by the sources it was compiled from, so that
// running it (bin/policypack.js does when it is fresh) or src/ through tsx rebuilds nothing.
const HERE = import.meta.dirname;
const SRC = existsSync(join(HERE, "..", "src", "tool-fingerprint.ts")) ? join(HERE, "..", "src") : HERE;
let tool: string | undefined;

/**
 * Everything about the tool itself that shapes an output: its own source (layout, CSS,
 * renderers) and the exact versions of the libraries and fonts it renders with (the lock file).
 * Any change rebuilds everything, which is the safe answer to "did the layout change?".
 */
export function toolFingerprint(): string {
  if (tool) return tool;
  // SRC is src/ in the repository, dist/ (compiled .js) in an installed package, which has no lock
  // file: there its package.json (version and dependency ranges) stands in for it.
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => /\.(ts|js|css)$/.test(f)).sort();
  const lock = ["package-lock.json", "package.json"]
    .map((name) => join(SRC, "..", name))
    .find((path) => existsSync(path));
  const versions = lock ? readFileSync(lock) : "";
  tool = sha256(versions, ...files.flatMap((file) => [file, readFileSync(join(SRC, file))]));
  return tool;
}
