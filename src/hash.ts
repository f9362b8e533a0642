import { createHash } from "node:crypto";

/** SHA-256 of the parts, each ended by a NUL so that ("ab", "c") and ("a", "bc") differ. */
export const sha256 = (...parts: (string | Uint8Array)[]): string => {
  const hash = createHash("sha256");
  // Text parts run together into one update (the same bytes: each part's UTF-8, then a NUL), since
  // every update crosses into C++: a rebuild hashes each of thousands of files' inputs.
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") text += `${part}\0`;
    else {
      hash.update(text).update(part).update("\0");
      text = "";
    }
  }
  return hash.update(text).digest("hex");
};

/**
 * sha256() of `bytes`, and of `bytes` followed by more: `bytes` are hashed once, for a file
 * updated by appending to it (the manual) that is checked before and recorded after.
 */
export function sha256Growing(bytes: Uint8Array): { hash: string; grown: (more: Uint8Array) => string } {
  const state = createHash("sha256").update(bytes);
  return {
    hash: state.copy().update("\0").digest("hex"),
    grown: (more) => state.update(more).update("\0").digest("hex"),
  };
}
