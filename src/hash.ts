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
 * sha256() of bytes given piece by piece: a file too big to hold whole (a zip). `digest` gives
 * that of the pieces so far; more may follow.
 */
export function sha256Pieces() {
  const state = createHash("sha256");
  const pieces = {
    update(bytes: Uint8Array) {
      state.update(bytes);
      return pieces;
    },
    digest: () => state.copy().update("\0").digest("hex"),
  };
  return pieces;
}
