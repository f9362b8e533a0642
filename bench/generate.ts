import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = join(import.meta.dirname, "..");

/**
 * A synthetic library of `count` policy-length policies made from the examples: each copy
 * keeps its text, placeholders and citations, under a new code (citations are renumbered
 * into the copy's block of six so they resolve) — plus the example organisations.
 */
export async function generateLibrary(
  count: number,
  orgCount = 0,
): Promise<{ dir: string; policiesDir: string; orgsDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "policypack-bench-"));
  const policiesDir = join(dir, "policies");
  const orgsDir = join(dir, "orgs");
  await cp(join(REPO, "orgs"), orgsDir, { recursive: true });
  const names = (await readdir(join(REPO, "policies"))).filter((f) => f.endsWith(".md")).sort();
  const sources = await Promise.all(names.map((name) => readFile(join(REPO, "policies", name), "utf8")));
  const codes = names.map((name) => name.split("-")[0] as string);
  const { mkdir } = await import("node:fs/promises");
  await mkdir(policiesDir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const block = Math.floor(i / codes.length);
    // A citation of a copy the library stops short of (fewer policies than a block) goes to one it has.
    const renumber = (code: string) => `DCW${100 + ((block * codes.length + codes.indexOf(code)) % count)}`;
    const source = sources[i % sources.length] as string;
    const text = source.replace(/\bDCW\d+\b/g, (code) => (codes.includes(code) ? renumber(code) : code));
    const code = renumber(codes[i % codes.length] as string);
    const slug = (names[i % names.length] as string).replace(/^DCW\d+/, code);
    await writeFile(join(policiesDir, slug), text);
  }
  // The example orgs list their policies; in the synthetic library every org gets everything, in
  // English (the synthetic policies have no Welsh translations).
  const examples: string[] = [];
  for (const name of (await readdir(orgsDir)).sort()) {
    if (!name.endsWith(".yaml")) continue;
    const yaml = await readFile(join(orgsDir, name), "utf8");
    const everything = yaml
      .replace(/^policies:\n(\s+- .*\n)+/m, "")
      .replace(/^policy_reviews:\n(\s+.*\n)+/m, "")
      .replace(/^(language|local_authority_cy):.*\n/gm, "");
    examples.push(everything);
    await writeFile(join(orgsDir, name), everything);
  }
  // More organisations: the examples again under other names, alternately with and without a logo.
  for (let i = examples.length + 1; i <= orgCount; i++) {
    const yaml = (examples[i % examples.length] as string).replace(/^name: (.*)$/m, `name: $1 ${i}`);
    await writeFile(join(orgsDir, `org-${String(i).padStart(2, "0")}.yaml`), yaml);
  }
  return { dir, policiesDir, orgsDir };
}
