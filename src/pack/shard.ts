import { createHash } from "node:crypto";

/** Parses "K/N" (1 ≤ K ≤ N); a string is the error. */
export function parseShard(text: string): { index: number; count: number } | string {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    return `--shard takes K/N with 1 ≤ K ≤ N, e.g. --shard 2/4, not "${text}"`;
  return { index, count };
}

/**
 * The shard (1-based) an organisation belongs to: a hash of its id, so an org stays in its shard
 * when others are added or removed, and every shard gets about the same number of orgs.
 */
export function shardOf(id: string, count: number): number {
  return (createHash("sha256").update(id).digest().readUInt32BE(0) % count) + 1;
}
