import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../hash.ts";
import type { Library, Org, Policy, Review, Theme } from "../types.ts";
import type { PackContext } from "./context.ts";

export { sha256 };

// dist/ compiled in the repository is fingerprinted by the sources it was compiled from, so that
// running it (bin/policypack.js does when it is fresh) or src/ through tsx rebuilds nothing.
const HERE = join(import.meta.dirname, "..");
const SRC = existsSync(join(HERE, "..", "src", "pack", "fingerprint.ts")) ? join(HERE, "..", "src") : HERE;
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

const themeHashes = new WeakMap<Theme, string>();

/**
 * The theme as it shapes outputs: its values, and its font by the bytes of its files rather than
 * where they are installed, so a pack built on another machine or folder is still up to date.
 */
export function themeHash(theme: Theme): string {
  let hash = themeHashes.get(theme);
  if (hash === undefined) {
    const { font, ...rest } = theme;
    const faces = font ? Object.values(font.files).map((file) => readFileSync(file)) : [];
    hash = sha256(JSON.stringify(rest), font?.family ?? "", ...faces);
    themeHashes.set(theme, hash);
  }
  return hash;
}

const policyHashes = new WeakMap<Policy, string>();

/** A policy's own source, hashed once however many organisations use it. */
function policyHash(policy: Policy): string {
  let hash = policyHashes.get(policy);
  if (hash === undefined) {
    hash = sha256(JSON.stringify(policy));
    policyHashes.set(policy, hash);
  }
  return hash;
}

const orgHashes = new WeakMap<Org, string>();

/** An organisation's values and logo, hashed once however many policies it has. */
function orgHash(org: Org): string {
  let hash = orgHashes.get(org);
  if (hash === undefined) {
    hash = sha256(JSON.stringify(org.data), org.logo?.dataUri ?? "");
    orgHashes.set(org, hash);
  }
  return hash;
}

/** What one policy's outputs for one org are made of, whatever the format. */
export function policyInputs(
  org: Org,
  policy: Policy,
  review: Review,
  year: number,
  context: PackContext,
  library: Library,
): string {
  const citedBy = (context.citedBy.get(policy.code) ?? []).map((p) => `${p.code} ${p.title} ${p.slug}`);
  const cited = [...new Set((library.references[policy.code] ?? []).map((r) => r.to))].map((code) => {
    const target = context.pack.get(code);
    return target ? `${code} ${target.slug}` : `${code} -`;
  });
  return sha256(
    toolFingerprint(),
    policyHash(policy),
    orgHash(org),
    themeHash(library.theme),
    JSON.stringify(review),
    String(year),
    ...citedBy,
    "|",
    ...cited,
  );
}
