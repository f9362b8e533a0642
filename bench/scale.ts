// Scale benchmark: a synthetic library of M policies × N organisations, built the way CI builds
// it, each build a separate `policypack build` process. Reports, for each format, the full build's
// time, documents per second (--jobs 1 against --jobs J), the whole build with every format
// (against --base, another checkout, when given), the no-op rebuild and the rebuild after one
// policy changes (--changes N: that many times in a row); and the peak memory of the build
// process and its Chromium together.
// With several sizes (--orgs 10,50,200), the scaling curve instead: one full build per size, or,
// with --repeats N, N builds of each size in turn and the median.
// Run: npx tsx bench/scale.ts [--orgs 50] [--policies 60] [--formats html,docx,pdf] [--jobs N] [--base DIR] [--changes N] [--repeats N]
import { spawn } from "node:child_process";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateLibrary } from "./generate.ts";

const { values } = parseArgs({
  options: {
    formats: { type: "string", default: "html,docx,pdf" },
    orgs: { type: "string", default: "50" },
    policies: { type: "string", default: "60" },
    // Unset: the builds use the tool's default, and the documents-per-second comparison one thread per CPU.
    jobs: { type: "string" },
    base: { type: "string" },
    // How many times the one-policy change is made (and undone) in a row.
    changes: { type: "string", default: "1" },
    // How many times each size of the scaling curve is built, and --jobs 1 and --jobs N alternated.
    repeats: { type: "string", default: "1" },
  },
});
const formats = (values.formats as string).split(",");
const sizes = (values.orgs as string).split(",").map(Number);
const POLICIES = Number(values.policies);
const CHANGES = Number(values.changes);
const REPEATS = Number(values.repeats);
const JOBS = values.jobs ?? String(availableParallelism());
const jobsOption = values.jobs ? ["--jobs", values.jobs] : [];
const REPO = join(import.meta.dirname, "..");

interface Summary {
  packs: { org: string; built: string[]; skipped: string[]; removed: string[] }[];
  diagnostics: { file: string; line: number; column: number; severity: string; message: string }[];
}

interface Run {
  seconds: number;
  summary: Summary;
  /** The build process alone (its own peak, from the kernel). */
  nodeMiB: number;
  /** The build process and every process under it (Chromium), summed as they ran: proportional set sizes. */
  treeMiB: number;
  /** CPU seconds: the build's main thread, its other threads (V8's helpers, libuv's, the pool's), and Chromium. */
  cpu: { main: number; others: number; chromium: number };
  /** The machine's CPU time while the build ran, in core-seconds: used, idle, and stolen by the hypervisor. */
  machine: MachineTime;
}

interface MachineTime {
  busy: number;
  idle: number;
  stolen: number;
}

/** The machine's CPU time so far, from the first line of /proc/stat (zeros where there is none). */
async function machineTime(): Promise<MachineTime> {
  const line = (await readFile("/proc/stat", "utf8").catch(() => "")).split("\n")[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal …, in USER_HZ
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const seconds = (ticks: number) => ticks / TICKS_PER_SECOND;
  return { busy: seconds(user + nice + system + irq + softirq), idle: seconds(idle + iowait), stolen: seconds(steal) };
}

/** The processes under `pid`, all the way down. */
async function descendants(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const children = (
    await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, "utf8").catch(() => "")))
  )
    .join(" ")
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return [...children, ...(await Promise.all(children.map(descendants))).flat()];
}

const TICKS_PER_SECOND = 100; // the kernel's USER_HZ, which /proc reports times in

/** CPU seconds (user and system) each thread of `pid` has used, by thread id. */
async function threadTimes(pid: number): Promise<Map<number, number>> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const times = new Map<number, number>();
  for (const task of tasks) {
    const stat = await readFile(`/proc/${pid}/task/${task}/stat`, "utf8").catch(() => "");
    // The fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields.length > 12) times.set(Number(task), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
  }
  return times;
}

/** Proportional set size in KiB: shared pages (Chromium's processes share many) counted once in all. */
const pss = (pid: number) =>
  readFile(`/proc/${pid}/smaps_rollup`, "utf8").then(
    (text) => Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0),
    () => 0,
  );

/** One `policypack build` of `repo` as a separate process, as CI runs it. */
async function build(dir: string, repo: string, ...args: string[]): Promise<Run> {
  const before = await machineTime();
  const start = performance.now();
  const child = spawn(
    "node",
    [
      "--import",
      join(REPO, "bench", "report-rss.mjs"),
      join(repo, "bin", "policypack.js"),
      "build",
      "--json",
      "--as-of",
      "2026-11-24",
      "--policies",
      join(dir, "policies"),
      "--orgs",
      join(dir, "orgs"),
      "--out",
      join(dir, "output"),
      ...args,
    ],
    { cwd: repo, stdio: ["ignore", "pipe", "ignore"] },
  );
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  let treeKiB = 0;
  // Each thread's CPU time as last sampled (a thread's is lost when it ends before the next sample).
  const cpuOf = new Map<number, Map<number, number>>();
  let samples = 0;
  const sample = setInterval(async () => {
    const pids = [child.pid as number, ...(await descendants(child.pid as number))];
    // Memory every 2 s: reading the proportional set sizes of the build and its eight or so
    // Chromium processes takes the kernel about 70 ms, a third of a core if done every 200 ms.
    if (samples++ % 10 === 0) {
      treeKiB = Math.max(
        treeKiB,
        (await Promise.all(pids.map(pss))).reduce((a, b) => a + b, 0),
      );
    }
    for (const pid of pids) {
      const threads = cpuOf.get(pid) ?? new Map<number, number>();
      for (const [thread, seconds] of await threadTimes(pid)) threads.set(thread, seconds);
      if (threads.size > 0) cpuOf.set(pid, threads);
    }
  }, 200);
  const exitCode = await new Promise((resolve) => child.on("close", resolve));
  clearInterval(sample);
  const seconds = (performance.now() - start) / 1000;
  const after = await machineTime();
  const peak = /^PEAK_RSS_KB=(\d+)$/m.exec(stdout);
  const json = stdout.slice(0, peak?.index ?? stdout.length);
  const summary = JSON.parse(json) as Summary;
  // A build that failed measures nothing: say why rather than report its time.
  if (exitCode !== 0) {
    const errors = summary.diagnostics.filter((d) => d.severity === "error");
    const first = errors.slice(0, 3).map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
    throw new Error(`policypack build exited ${exitCode} (${errors.length} errors): ${first.join("; ")}`);
  }
  return {
    seconds,
    summary,
    nodeMiB: Number(peak?.[1] ?? 0) / 1024,
    treeMiB: treeKiB / 1024,
    cpu: cpuSummary(child.pid as number, cpuOf),
    machine: { busy: after.busy - before.busy, idle: after.idle - before.idle, stolen: after.stolen - before.stolen },
  };
}

function cpuSummary(nodePid: number, cpuOf: Map<number, Map<number, number>>): Run["cpu"] {
  const sum = (times: Iterable<number>) => [...times].reduce((a, b) => a + b, 0);
  const node = cpuOf.get(nodePid) ?? new Map<number, number>();
  const main = node.get(nodePid) ?? 0;
  const chromium = sum([...cpuOf].filter(([pid]) => pid !== nodePid).map(([, times]) => sum(times.values())));
  return { main, others: sum(node.values()) - main, chromium };
}

/** The middle of ascending `values`, or the mean of the two middle ones. */
const median = (values: readonly number[]) => {
  const middle = (values.length - 1) / 2;
  return ((values[Math.floor(middle)] as number) + (values[Math.ceil(middle)] as number)) / 2;
};

const count = (summary: Summary, key: "built" | "skipped" | "removed", pattern = /./) =>
  summary.packs.reduce((n, pack) => n + pack[key].filter((name) => pattern.test(name)).length, 0);
const policyFile = (format: string) => new RegExp(`^DCW\\d+-.*\\.${format}$`);
const memory = (run: Run) => `${run.nodeMiB.toFixed(0)} MiB node, ${run.treeMiB.toFixed(0)} MiB with Chromium`;
// Where the time went: more CPU than wall time is cores working side by side.
const cpu = (run: Run) => {
  const { main, others, chromium } = run.cpu;
  return `CPU ${(main + others + chromium).toFixed(1)} s: main thread ${main.toFixed(1)}, other threads ${others.toFixed(1)}, Chromium ${chromium.toFixed(1)}; ${stolen(run)}`;
};
// A virtual machine's host may run other guests on its cores: the time it takes from this one
// ("steal") is time no build here can use, and varies from run to run. Ratios of two runs are
// only comparable when each had the same share of the cores.
const stolen = ({ machine: { busy, idle, stolen } }: Run) => {
  const all = busy + idle + stolen;
  return all > 0
    ? `the host took ${((100 * stolen) / all).toFixed(0)}% of the cores' time, ${((100 * idle) / all).toFixed(0)}% idle`
    : "no /proc/stat";
};

// Other work on the machine takes cores from the builds: say how much there was.
const load = () => `load average ${loadavg()[0]?.toFixed(1)}`;
console.log(
  `${cpus().length} CPUs (${cpus()[0]?.model}); ${POLICIES} policies; --jobs ${values.jobs ?? "as the tool chooses"}; ${formats.join(",")}; ${load()}\n`,
);
process.on("exit", () => console.log(`(${load()} at the end)`));

if (sizes.length > 1) {
  // The scaling curve: the same build at each size; time per document should stay flat, memory
  // too. With --repeats N, the sizes are built in turn N times (10, 50, 200, 10, 50, 200, …), so
  // that a slow stretch of the machine falls on every size alike, and each size's median counts.
  console.log("orgs  documents  full build   ms/document   peak memory");
  const libraries = await Promise.all(sizes.map((orgs) => generateLibrary(POLICIES, orgs)));
  const perDocument: number[][] = sizes.map(() => []);
  for (let round = 0; round < REPEATS; round++) {
    for (const [i, orgs] of sizes.entries()) {
      const { dir } = libraries[i] as { dir: string };
      await rm(join(dir, "output"), { recursive: true, force: true });
      const run = await build(dir, REPO, "--format", formats.join(","), ...jobsOption);
      const documents = formats.reduce((n, f) => n + count(run.summary, "built", policyFile(f)), 0);
      const ms = (run.seconds * 1000) / documents;
      perDocument[i]?.push(ms);
      const first = perDocument[0]?.[round] ?? ms;
      console.log(
        `${String(orgs).padStart(4)}  ${String(documents).padStart(9)}  ${run.seconds.toFixed(1).padStart(8)} s  ${ms.toFixed(2).padStart(8)} (${(ms / first).toFixed(2)}×)  ${memory(run)}; ${stolen(run)}`,
      );
    }
  }
  if (REPEATS > 1) {
    const medians = perDocument.map((times) => median([...times].sort((a, b) => a - b)));
    const base = medians[0] as number;
    console.log(
      `medians: ${sizes.map((orgs, i) => `${orgs} orgs ${medians[i]?.toFixed(2)} ms/document (${((medians[i] as number) / base).toFixed(2)}×)`).join(", ")}`,
    );
  }
  await Promise.all(libraries.map(({ dir }) => rm(dir, { recursive: true, force: true })));
  process.exit(0);
}

const ORGS = sizes[0] as number;
const { dir, policiesDir } = await generateLibrary(POLICIES, ORGS);
const out = join(dir, "output");
console.log(`${ORGS} organisations\n`);
console.log(`format  --jobs 1            --jobs ${JOBS.padEnd(14)}ratio`);
/** A forced build of `made` with `jobs` threads, and the policy files it made a second. */
const documentsPerSecond = async (made: readonly string[], jobs: string) => {
  const run = await build(dir, REPO, "--format", made.join(","), "--force", "--jobs", jobs);
  return { run, rate: made.reduce((n, f) => n + count(run.summary, "built", policyFile(f)), 0) / run.seconds };
};
type Rate = Awaited<ReturnType<typeof documentsPerSecond>>;
/**
 * What J processes give on this machine, for --jobs J to be judged against: J separate `--jobs 1`
 * builds, each of 1/J of the organisations, at once. They share nothing but the machine (its
 * cores, caches and memory), and each keeps more than one core busy part of the time (V8 collects
 * and compiles on threads of its own), so J of them are not J times as fast as one.
 */
const separateBuilds = async (made: readonly string[]): Promise<number> => {
  const jobs = Number(JOBS);
  const ids = (await readdir(join(dir, "orgs")))
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => name.slice(0, -".yaml".length))
    .sort();
  const start = performance.now();
  const runs = await Promise.all(
    Array.from({ length: jobs }, (_, k) =>
      build(
        dir,
        REPO,
        ...["--format", made.join(","), "--force", "--jobs", "1", "--out", join(dir, `output-${k + 1}-of-${jobs}`)],
        ...ids.filter((_, i) => i % jobs === k).flatMap((id) => ["--org", id]),
      ),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  return (
    made.reduce((n, f) => n + runs.reduce((m, run) => m + count(run.summary, "built", policyFile(f)), 0), 0) / seconds
  );
};
/**
 * `--jobs 1` against `--jobs J`, and against J separate builds at once (see separateBuilds),
 * alternated --repeats times (the machine's speed drifts by a third over minutes): the last pair,
 * and the medians of the ratios.
 */
const compareJobs = async (made: readonly string[]) => {
  const ratios: number[] = [];
  const ceilings: number[] = [];
  let pair: { one: Rate; many: Rate };
  do {
    pair = { one: await documentsPerSecond(made, "1"), many: await documentsPerSecond(made, JOBS) };
    ratios.push(pair.many.rate / pair.one.rate);
    if (JOBS !== "1") ceilings.push((await separateBuilds(made)) / pair.one.rate);
  } while (ratios.length < REPEATS);
  const listed = (values: number[]) =>
    `${median([...values].sort((a, b) => a - b)).toFixed(2)}×${values.length > 1 ? ` (${values.map((r) => `${r.toFixed(2)}×`).join(", ")})` : ""}`;
  const ceiling =
    ceilings.length > 0
      ? `; ${JOBS} separate --jobs 1 builds of 1/${JOBS} of the organisations at once: ${listed(ceilings)}`
      : "";
  return { ...pair, ratio: `${listed(ratios)}${ceiling}` };
};
for (const format of formats.filter((f) => f !== "pdf")) {
  const { one, many, ratio } = await compareJobs([format]);
  console.log(
    `${format.padEnd(6)}  ${one.rate.toFixed(1).padStart(6)} documents/s  ${many.rate.toFixed(1).padStart(6)} documents/s  ${ratio}  (${stolen(one.run)}; ${stolen(many.run)})`,
  );
}
const htmlDocx = formats.filter((f) => f !== "pdf");
if (htmlDocx.length > 1) {
  const { one, many, ratio } = await compareJobs(htmlDocx);
  console.log(
    `${htmlDocx.join("+")}  ${one.rate.toFixed(1)} documents/s with --jobs 1, ${many.rate.toFixed(1)} with --jobs ${JOBS}: ${ratio}\n  --jobs 1: ${cpu(one.run)}\n  --jobs ${JOBS}: ${cpu(many.run)}`,
  );
}

// The whole build, every format, from an empty folder, as a first CI run does.
await rm(out, { recursive: true, force: true });
const full = await build(dir, REPO, "--format", formats.join(","), ...jobsOption);
const made = formats.reduce((n, f) => n + count(full.summary, "built", policyFile(f)), 0);
let line = `\nfull build (${formats.join(",")}): ${full.seconds.toFixed(1)} s, ${((full.seconds * 1000) / made).toFixed(1)} ms/document, ${memory(full)}\n  ${cpu(full)}`;
// The other checkout builds into a folder of its own, kept for its one-change builds below.
const baseDir = join(dir, "base");
if (values.base) {
  const base = await build(dir, values.base, "--format", formats.join(","), ...jobsOption, "--out", baseDir);
  line += `\n  --base ${values.base}: ${base.seconds.toFixed(1)} s, ${memory(base)}; ours is ${(base.seconds / full.seconds).toFixed(2)}× faster`;
}
console.log(line);

const noop = await build(dir, REPO, "--format", formats.join(","), ...jobsOption);
console.log(
  `no-op rebuild: ${noop.seconds.toFixed(2)} s, ${count(noop.summary, "built")} files built, ${count(noop.summary, "skipped")} unchanged`,
);

// One policy changed, then changed back, and so on (--changes N): each rebuild's time, and the
// manuals' size (updated build after build, a manual should stay the size of one joined anew).
// DCW101 in a library big enough to have it (as every earlier figure), else its first policy.
const policyNames = (await readdir(policiesDir)).filter((name) => name.endsWith(".md")).sort();
const changedName = (policyNames.find((name) => name.startsWith("DCW101-")) ?? policyNames[0]) as string;
const changedFiles = new RegExp(`^${changedName.split("-")[0]}-`);
const file = join(policiesDir, changedName);
const original = await readFile(file, "utf8");
/** The manuals' size in all, in MB. */
const manualsMB = async () => {
  const sizes = await Promise.all(
    (await readdir(out)).map(
      async (org) => (await stat(join(out, org, `${org}-policy-pack.pdf`)).catch(() => undefined))?.size ?? 0,
    ),
  );
  return sizes.reduce((a, b) => a + b, 0) / 2 ** 20;
};
const changes: Run[] = [];
for (let change = 1; change <= CHANGES; change++) {
  const sentence = "A changed sentence.";
  const changed =
    change % 2 === 0
      ? original
      : original.includes("## 1. Purpose")
        ? original.replace("## 1. Purpose", `## 1. Purpose\n\n${sentence}`)
        : `${original.trimEnd()}\n\n${sentence}\n`;
  await writeFile(file, changed);
  const run = await build(dir, REPO, "--format", formats.join(","), ...jobsOption);
  changes.push(run);
  const manualMB = await manualsMB();
  const policyFiles = count(run.summary, "built", changedFiles);
  const packFiles = run.summary.packs.flatMap((p) => p.built.filter((name) => !changedFiles.test(name)));
  const kinds = [
    ...new Set(packFiles.map((name) => name.replace(/^.*?(-policy-pack|-read-and-sign)?(\.[a-z]+)$/, "*$1$2"))),
  ];
  console.log(
    `one policy changed${CHANGES > 1 ? ` (${change})` : ""}: ${run.seconds.toFixed(1)} s; ${policyFiles} policy files rebuilt (${ORGS} orgs × ${formats.length} formats = ${ORGS * formats.length}), plus ${packFiles.length} pack files (${kinds.sort().join(", ")}); manuals ${manualMB.toFixed(0)} MB in all\n  ${cpu(run)}`,
  );
  if (values.base) {
    // The same change built by the other checkout right after: the two alternate.
    const base = await build(dir, values.base, "--format", formats.join(","), ...jobsOption, "--out", baseDir);
    console.log(
      `  --base: ${base.seconds.toFixed(1)} s, ${cpu(base)}; ours is ${(base.seconds / run.seconds).toFixed(2)}× faster`,
    );
  }
}
if (CHANGES > 1) {
  const times = changes.map((run) => run.seconds).sort((a, b) => a - b);
  console.log(
    `one policy changed, ${CHANGES} times: median ${median(times).toFixed(1)} s, slowest ${times.at(-1)?.toFixed(1)} s`,
  );
}
console.log(`peak memory: ${memory([full, noop, ...changes].reduce((a, b) => (b.treeMiB > a.treeMiB ? b : a)))}`);
await rm(dir, { recursive: true, force: true });
