import { describe, expect, it } from "vitest";
import { allowedGrowth, canUpdate, type ManualFront, type ManualLayout } from "../src/render/pdf/manual.ts";

// Sizes of a 60-policy manual: each policy's PDF about 170 kB, the cover and contents 50 kB.
const POLICY_BYTES = 170_000;
const FRONT_BYTES = 50_000;
const slugs = Array.from({ length: 60 }, (_, i) => `dcw${i + 1}-policy`);

/** The front of an organisation's manual: its properties name the organisation. */
const frontOf = (org: number): ManualFront => ({
  front: new Uint8Array(FRONT_BYTES),
  source: "front",
  numbers: new Uint8Array(0),
  properties: {
    title: `Policy pack: Care Home ${org}`,
    author: `Care Home ${org}`,
    subject: "60 policies",
    keywords: [],
    date: { year: 2026, month: 12, day: 2 },
    language: "en",
  },
  blocked: [],
  prints: 0,
});

/** A freshly joined manual: the parts canUpdate reads, and the file's length. */
function joined(front: ManualFront, sources: string[]): ManualLayout {
  const parts = [
    { slug: "", source: front.source, bytes: FRONT_BYTES, pages: [], elements: [] },
    ...slugs.map((slug, i) => ({ slug, source: sources[i] as string, bytes: POLICY_BYTES, pages: [], elements: [] })),
  ];
  const length = parts.reduce((sum, part) => sum + part.bytes, 0);
  return { parts, length, describes: JSON.stringify(front.properties) } as unknown as ManualLayout;
}

describe("a manual updated build after build", () => {
  it("is joined anew once it would grow by its allowed share, 15 to 35%, a different one for each organisation", () => {
    const orgs = Array.from({ length: 40 }, (_, i) => i + 1);
    const shares = orgs.map((org) => allowedGrowth(JSON.stringify(frontOf(org).properties)));
    for (const share of shares) {
      expect(share).toBeGreaterThanOrEqual(0.15);
      expect(share).toBeLessThan(0.35);
    }
    expect(new Set(shares).size).toBe(orgs.length);
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.3);

    // The same policy, which every pack holds, changed 40 times: each build, which manuals are joined anew?
    const layouts = new Map(orgs.map((org) => [org, joined(frontOf(org), slugs)]));
    const joinedAnew: number[][] = [];
    for (let change = 1; change <= 40; change++) {
      const sources = slugs.map((slug, i) => (i === 7 ? `${slug}-v${change}` : slug));
      const policies = slugs.map((slug, i) => ({ slug, source: sources[i] as string, bytes: POLICY_BYTES }));
      const anew: number[] = [];
      for (const org of orgs) {
        const front = frontOf(org);
        const layout = layouts.get(org) as ManualLayout;
        if (canUpdate(layout, front, policies)) {
          layout.length += POLICY_BYTES;
          (layout.parts[8] as { source: string }).source = sources[7] as string;
          const live = FRONT_BYTES + slugs.length * POLICY_BYTES;
          expect(layout.length).toBeLessThanOrEqual((1 + (shares[org - 1] as number)) * live);
        } else {
          anew.push(org);
          layouts.set(org, joined(front, sources));
        }
      }
      joinedAnew.push(anew);
    }
    // Every manual was joined anew at some point, but never many in the same build.
    expect(new Set(joinedAnew.flat()).size).toBe(orgs.length);
    expect(Math.max(...joinedAnew.map((anew) => anew.length))).toBeLessThanOrEqual(orgs.length / 4);
  });
});
