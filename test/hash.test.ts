import { describe, expect, it } from "vitest";
import { sha256, sha256Pieces } from "../src/hash.ts";

describe("hashes", () => {
  it("of a file given piece by piece, before and after it grows, hashing the first part once", () => {
    const before = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const more = new TextEncoder().encode("\n1 0 obj\n<< >>\nendobj\n");
    const pieces = sha256Pieces().update(before);
    const hash = pieces.digest();
    expect(hash).toBe(sha256(before));
    expect(pieces.update(more).digest()).toBe(sha256(Buffer.concat([before, more])));
    expect(hash).not.toBe(sha256(Buffer.concat([before, more])));
  });
});
