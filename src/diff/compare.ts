import { type StructuredPatchHunk, structuredPatch } from "diff";
import type { CheckResult } from "../check/index.ts";
import { packPolicies } from "../check/orgs.ts";
import { packContext } from "../pack/context.ts";
import { policyDocument } from "../pack/documents.ts";
import type { CalendarDate, Org, Policy } from "../types.ts";
import { documentLines } from "./text.ts";

export type Change = "added" | "removed" | "changed" | "unchanged";

export interface PolicyChange {
  code: string;
  title: string;
  change: Change;
  /** Unified-diff hunks of the normalised text (2 lines of context); only for `changed`. */
  hunks?: StructuredPatchHunk[];
}

export interface OrgChange {
  id: string;
  name: string;
  /** `not-compared`: one side has errors that stop its pack being built (`side` says which). */
  change: Change | "not-compared";
  side?: "base" | "head";
  policies: PolicyChange[];
}

export interface PackDiff {
  orgs: OrgChange[];
  /** Policies (counted once per organisation) added, removed or changed. */
  policiesChanged: number;
  orgsChanged: number;
}

type PackTexts = Map<string, { policy: Policy; text: string }>;

/** Each policy of one org's pack as normalised text, by code. */
function packTexts(org: Org | undefined, result: CheckResult, buildDate: CalendarDate): PackTexts {
  if (!org) return new Map();
  const pack = packPolicies(org, result.library);
  const context = packContext(pack, result.library);
  return new Map(
    pack.map((policy) => [
      policy.code,
      { policy, text: `${documentLines(policyDocument(org, policy, buildDate, context)).join("\n")}\n` },
    ]),
  );
}

function compareOrg(id: string, base: CheckResult, head: CheckResult, buildDate: CalendarDate): OrgChange {
  const before = base.orgs.find((o) => o.id === id);
  const after = head.orgs.find((o) => o.id === id);
  const name = String((after ?? before)?.data.name ?? id);
  for (const [side, org, result] of [
    ["base", before, base],
    ["head", after, head],
  ] as const) {
    if (org && !result.buildable.includes(org)) return { id, name, change: "not-compared", side, policies: [] };
  }
  const old = packTexts(before, base, buildDate);
  const now = packTexts(after, head, buildDate);
  const codes = [...new Set([...old.keys(), ...now.keys()])].sort();
  const policies = codes.map((code): PolicyChange => {
    const a = old.get(code);
    const b = now.get(code);
    const title = (b ?? a)?.policy.title ?? code;
    if (!a) return { code, title, change: "added" };
    if (!b) return { code, title, change: "removed" };
    if (a.text === b.text) return { code, title, change: "unchanged" };
    const file = `${id}/${b.policy.slug}`;
    const { hunks } = structuredPatch(`a/${file}`, `b/${file}`, a.text, b.text, undefined, undefined, { context: 2 });
    return { code, title, change: "changed", hunks };
  });
  const change = !before
    ? "added"
    : !after
      ? "removed"
      : policies.some((p) => p.change !== "unchanged")
        ? "changed"
        : "unchanged";
  return { id, name, change, policies };
}

/**
 * What the head inputs change in every organisation's documents compared with the base inputs,
 * both filled in for the same build date. `only` restricts it to those organisation ids.
 */
export function comparePacks(
  base: CheckResult,
  head: CheckResult,
  buildDate: CalendarDate,
  only: readonly string[] = [],
): PackDiff {
  const ids = [...new Set([...base.orgs, ...head.orgs].map((o) => o.id))]
    .filter((id) => only.length === 0 || only.includes(id))
    .sort();
  const orgs = ids.map((id) => compareOrg(id, base, head, buildDate));
  const changedIn = (org: OrgChange) => org.policies.filter((p) => p.change !== "unchanged").length;
  return {
    orgs,
    policiesChanged: orgs.reduce((sum, org) => sum + changedIn(org), 0),
    orgsChanged: orgs.filter((org) => changedIn(org) > 0).length,
  };
}
