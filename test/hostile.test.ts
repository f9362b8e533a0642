import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO, workspace } from "./helpers.ts";
import type { HostileCase } from "./hostile/case.ts";

// Every case of the hostile corpus runs the real command in its own process, so a hang is a
// failed case rather than a stuck test run: whatever the input, the answer is a sentence and an
// exit code, never a stack trace, an "internal error" or silence.

const folder = join(import.meta.dirname, "hostile");
const files = readdirSync(folder).filter((name) => name.endsWith(".cases.ts"));
const suites = await Promise.all(
  files.map(async (name) => ({
    name,
    cases: ((await import(join(folder, name))) as { cases: HostileCase[] }).cases,
  })),
);

interface Outcome {
  code: number | null;
  output: string;
  hung: boolean;
}

function run(args: string[], cwd: string, seconds: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, "bin", "policypack.js"), ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", SOURCE_DATE_EPOCH: "1795000000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, seconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, hung });
    });
  });
}

const STACK_FRAME = /^\s+at .+[:(]\d+:\d+\)?$/m;

for (const suite of suites) {
  describe.concurrent(suite.name, () => {
    for (const hostile of suite.cases) {
      test(hostile.name, async () => {
        const dir = await workspace();
        try {
          for (const [path, content] of Object.entries(hostile.files ?? {})) {
            const target = join(dir, path);
            if (content === null) await rm(target, { recursive: true, force: true });
            else {
              await mkdir(dirname(target), { recursive: true });
              await writeFile(target, content);
            }
          }
          await hostile.setup?.(dir);
          const seconds = hostile.seconds ?? 30;
          const outcome = await run(hostile.args, dir, seconds);
          expect(outcome.hung, `still running after ${seconds} s`).toBe(false);
          expect(outcome.output).not.toMatch(/internal error/i);
          expect(outcome.output).not.toMatch(STACK_FRAME);
          if (hostile.says) expect(outcome.output).toMatch(hostile.says);
          expect(outcome.code, outcome.output).toBe(hostile.exit);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
