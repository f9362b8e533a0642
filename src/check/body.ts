import { damagedText } from "../load/characters.ts";
import { scanPlaceholders } from "../template/placeholders.ts";
import { hasEmphasis } from "../template/source-tree.ts";
import type { Policy } from "../types.ts";
import { extractLooseCodes, extractReferences } from "../xref/cited.ts";
import { checkMarkdown } from "./markdown.ts";
import { markdownNesting } from "./nesting.ts";
import type { BodyCheck } from "./policies.ts";

// The checks that parse a policy body (Markdown, placeholders): loaded only when a body's result
// is not in the cache, since the parsers are a hundred modules.

/** What a body's own checks find: placeholders, problems, the codes it cites. */
export function checkBody(policy: Policy, pattern: RegExp, loose: RegExp): BodyCheck {
  const scanned = scanPlaceholders(policy.body, policy.bodyLine);
  const { uses } = scanned;
  // Text damaged by a wrong encoding: an error at its place, the policy still read.
  const problems = [...scanned.problems, ...damagedText(policy.body, "", policy.bodyLine)];
  // Too deep to parse in reasonable time: report where, and leave the Markdown unparsed.
  // Either is an error, so the policy is in no pack and its fonts do not matter.
  if (problems.some((p) => p.rule === "block-depth"))
    return { uses, problems, references: [], loose: [], emphasis: false };
  const nesting = markdownNesting(policy.body, policy.bodyLine);
  if (nesting) return { uses, problems: [...problems, nesting], references: [], loose: [], emphasis: false };
  const markdown = checkMarkdown(policy.body, policy.bodyLine);
  // A tree too deep to walk is not walked again for references.
  const walkable = !markdown.some((d) => d.rule === "markdown-depth");
  return {
    uses,
    problems: [...problems, ...markdown],
    references: walkable ? extractReferences(policy.body, policy.bodyLine, pattern) : [],
    loose: walkable ? extractLooseCodes(policy.body, policy.bodyLine, loose) : [],
    emphasis: hasEmphasis(policy.body), // the tree checkMarkdown parsed, walked again
  };
}
