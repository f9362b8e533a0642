// Start-up benchmark: `policypack --help` and `policypack check` on the example library, each run
// 10 times as a new process; medians. With --base DIR (a checkout of another commit with its own
// node_modules, e.g. from `git worktree add`), the same commands there, run alternately with
// ours so that both see the same machine load, and the ratio.
// Run: npx tsx bench/startup.ts [--base DIR] [--runs 10]
import { execFileSync, spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { base: { type: "string" }, runs: { type: "string", default: "10" } } });
const REPO = join(import.meta.dirname, "..");
const runs = Number(values.runs);

// What `npm install` does: compile dist/, which bin/policypack.js runs while src/ is unchanged.
execFileSync("npm", ["run", "build"], { cwd: REPO, stdio: "ignore" });

/** Milliseconds for one run of the command in `repo`, in the example library. */
function time(repo: string, args: string[]): number {
  const start = performance.now();
  // The exit code is not ours to judge here (check exits 1 when the library has errors).
  spawnSync("node", [join(repo, "bin", "policypack.js"), ...args], { cwd: REPO, stdio: "ignore" });
  return performance.now() - start;
}

// What any Node.js process costs on this machine now: the floor under both figures.
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  spawnSync("node", ["-e", "0"], { stdio: "ignore" });
  bare.push(performance.now() - start);
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
console.log(`load average ${loadavg()[0]?.toFixed(1)} (other work on the machine slows every figure alike)`);
console.log(`node -e 0          median ${median(bare).toFixed(0).padStart(5)} ms (an empty Node.js process)`);
const repos = values.base ? { ours: REPO, base: values.base } : { ours: REPO };
for (const [label, args, target] of [
  ["--help", ["--help"], 150],
  ["check", ["check", "--as-of", "2026-11-24"], 400],
] as const) {
  const times: Record<string, number[]> = { ours: [], base: [] };
  for (const repo of Object.values(repos)) time(repo, [...args]); // warm the disk cache
  for (let i = 0; i < runs; i++) {
    for (const [name, repo] of Object.entries(repos)) times[name]?.push(time(repo, [...args]));
  }
  const ours = median(times.ours as number[]);
  const base = values.base ? median(times.base as number[]) : undefined;
  console.log(
    `policypack ${label.padEnd(7)} median ${ours.toFixed(0).padStart(5)} ms (target < ${target} ms)${base ? `; base ${base.toFixed(0)} ms, ${(base / ours).toFixed(2)}× faster` : ""}`,
  );
}
