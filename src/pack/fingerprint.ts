import { readFileSync } from "node:fs";
import { sha256 } from "../hash.ts";
import { toolFingerprint } from "../tool-fingerprint.ts";
import type { Library, Org, Policy, Review, Theme } from "../types.ts";
import type { PackContext } from "./context.ts";

export { sha256 };

/** `hash` of each object worked out once: a theme, policy or org is hashed for every file it shapes. */
function hashedOnce<K extends object>(hash: (key: K) => string): (key: K) => string {
  const known = new WeakMap<K, string>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = hash(key);
      known.set(key, value);
    }
    return value;
  };
}

/**
 * The theme as it shapes outputs: its values, and its font by the bytes of its files rather than
 * where they are installed, so a pack built on another machine or folder is still up to date.
 */
export const themeHash = hashedOnce((theme: Theme) => {
  const { font, ...rest } = theme;
  const faces = font ? Object.values(font.files).map((file) => readFileSync(file)) : [];
  return sha256(JSON.stringify(rest), font?.family ?? "", ...faces);
});

/** A policy's own source, hashed once however many organisations use it. */
const policyHash = hashedOnce((policy: Policy) => sha256(JSON.stringify(policy)));

/** An organisation's values and logo, hashed once however many policies it has. */
const orgHash = hashedOnce((org: Org) => sha256(JSON.stringify(org.data), org.logo?.dataUri ?? ""));

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
