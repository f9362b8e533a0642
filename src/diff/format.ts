import { styleText } from "node:util";
import type { StructuredPatchHunk } from "diff";
import type { OrgChange, PackDiff, PolicyChange } from "./compare.ts";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function summaryLine(diff: PackDiff): string {
  return `${plural(diff.policiesChanged, "policy", "policies")} changed in ${plural(diff.orgsChanged, "organisation", "organisations")}`;
}

const MARKS = { added: "+", removed: "-", changed: "~" } as const;
const STYLES = { added: "green", removed: "red", changed: "yellow" } as const;
const policyLine = (p: PolicyChange) => `${MARKS[p.change as keyof typeof MARKS]} ${p.code} ${p.title}`;

/** `@@ -a,b +c,d @@` and the hunk's lines, as `diff -u` prints them. */
export function hunkLines(hunks: readonly StructuredPatchHunk[]): string[] {
  return hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines]);
}

/** What happened to the org, after its heading: counts, or why it was not compared. */
function orgStatus(org: OrgChange): string {
  if (org.change === "not-compared") return `not compared: the ${org.side} inputs have errors`;
  if (org.change === "added") return `new organisation, ${plural(org.policies.length, "policy", "policies")}`;
  if (org.change === "removed") return "organisation removed";
  const counts = (["changed", "added", "removed", "unchanged"] as const)
    .map((change) => [change, org.policies.filter((p) => p.change === change).length] as const)
    .filter(([, n]) => n > 0)
    .map(([change, n]) => `${n} ${change}`);
  return org.change === "unchanged" ? `no changes (${counts.join(", ")})` : counts.join(", ");
}

const unchangedCodes = (org: OrgChange) => org.policies.filter((p) => p.change === "unchanged").map((p) => p.code);

export function formatDiffText(diff: PackDiff, colour: boolean): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) => (colour ? styleText(style, text) : text);
  const lineStyle = (line: string) =>
    line.startsWith("@@") ? "cyan" : line.startsWith("+") ? "green" : line.startsWith("-") ? "red" : "reset";
  const out: string[] = [];
  for (const org of diff.orgs) {
    out.push(`${paint("bold", `${org.id} (${org.name})`)}: ${orgStatus(org)}`);
    if (org.change === "unchanged") continue;
    for (const policy of org.policies) {
      if (policy.change === "unchanged") continue;
      out.push(`  ${paint(STYLES[policy.change], policyLine(policy))}`);
      for (const line of hunkLines(policy.hunks ?? [])) out.push(`    ${paint(lineStyle(line), line)}`);
    }
    const same = unchangedCodes(org);
    if (same.length > 0 && org.change === "changed") out.push(`  unchanged: ${same.join(", ")}`);
  }
  out.push("", summaryLine(diff));
  return out.join("\n");
}

// Backslash-escape what Markdown would read as formatting in names and titles.
const escapeMarkdown = (text: string) => text.replace(/[\\`*_[\]<>&|~#]/g, "\\$&");

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
function fenced(lines: readonly string[], info: string): string[] {
  const longest = Math.max(2, ...lines.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((r) => r.length))));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${info}`, ...lines, fence];
}

/** GitHub-flavoured Markdown for a pull-request comment or a job summary. */
export function formatDiffMarkdown(diff: PackDiff, base: string): string {
  const out = [
    "<!-- policypack diff -->",
    `## Policy text changes against \`${base.replaceAll("`", "")}\``,
    "",
    `**${summaryLine(diff)}**`,
  ];
  const unchanged = diff.orgs.filter((org) => org.change === "unchanged");
  for (const org of diff.orgs) {
    if (org.change === "unchanged") continue;
    out.push("", `### ${escapeMarkdown(org.id)} — ${escapeMarkdown(org.name)}`, "", `${orgStatus(org)}.`);
    for (const policy of org.policies) {
      if (policy.change === "unchanged") continue;
      out.push("", `**${escapeMarkdown(policyLine(policy))}**`);
      if (policy.hunks) out.push("", ...fenced(hunkLines(policy.hunks), "diff"));
    }
    const same = unchangedCodes(org);
    if (same.length > 0 && org.change === "changed") out.push("", `Unchanged: ${same.join(", ")}.`);
  }
  if (unchanged.length > 0) {
    out.push("", `No changes in ${unchanged.map((org) => `${escapeMarkdown(org.id)}`).join(", ")}.`);
  }
  return `${out.join("\n")}\n`;
}
