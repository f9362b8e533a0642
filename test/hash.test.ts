import { describe, expect, it } from "vitest";
import { sha256, sha256Growing } from "../src/hash.ts";

describe("hashes", () => {
  it("of a file and of the same file grown, hashing the first part once", () => {
    const before = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const more = new TextEncoder().encode("\n1 0 obj\n<< >>\nendobj\n");
    const growing = sha256Growing(before);
    expect(growing.hash).toBe(sha256(before));
    expect(growing.grown(more)).toBe(sha256(Buffer.concat([before, more])));
    expect(growing.hash).not.toBe(sha256(Buffer.concat([before, more])));
  });
});
