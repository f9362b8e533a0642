import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inFlight } from "../src/pack/in-flight.ts";
import { oneAtATime } from "../src/waiting.ts";
import { runCli, workspace } from "./helpers.ts";

/** Every file under `dir`, by path relative to it, with its bytes. */
async function files(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name))] as const)));
}

describe("build --jobs", () => {
  it("writes the same bytes with three threads as with one, in every format", async () => {
    const dir = await workspace();
    const build = (jobs: string, out: string) =>
      runCli(["build", "--json", "--as-of", "2026-11-24", "--jobs", jobs, "--out", out], dir);
    const one = await build("1", "one");
    const three = await build("3", "three");
    expect(one.code).toBe(0);
    expect(three.code).toBe(0);
    // The same diagnostics and files built, in the same order, whichever thread finished first.
    expect(three.stdout.replaceAll("three", "one")).toBe(one.stdout);
    const [a, b] = await Promise.all([files(join(dir, "one")), files(join(dir, "three"))]);
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect([...a.keys()].filter((name) => /\.(html|pdf|docx|zip)$/.test(name)).length).toBeGreaterThan(40);
    const differing = [...a].filter(([name, bytes]) => !bytes.equals(b.get(name) as Buffer)).map(([name]) => name);
    expect(differing).toEqual([]);
  });

  it("writes the same web pages and Word files with two threads, which fill the policies in themselves", async () => {
    const dir = await workspace();
    const build = (jobs: string, out: string) =>
      runCli(["build", "--as-of", "2026-11-24", "--format", "html,docx", "--jobs", jobs, "--out", out], dir);
    expect((await build("1", "one")).code).toBe(0);
    expect((await build("2", "two")).code).toBe(0);
    const [a, b] = await Promise.all([files(join(dir, "one")), files(join(dir, "two"))]);
    expect([...b.keys()]).toEqual([...a.keys()]);
    const differing = [...a].filter(([name, bytes]) => !bytes.equals(b.get(name) as Buffer)).map(([name]) => name);
    expect(differing).toEqual([]);
  });

  it("refuses a number of threads that is not a whole number from 1", async () => {
    const dir = await workspace();
    for (const jobs of ["0", "two", "1.5"]) {
      const run = await runCli(["build", "--jobs", jobs, "--as-of", "2026-11-24"], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--jobs wants a whole number/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe("packs in flight", () => {
  /** Runs `inFlight` over items of the given weights, each taking a few ticks; the most under way at once. */
  async function mostAtOnce(weights: number[], lanes: number, budget: number, fail?: number) {
    let underWay = 0;
    let most = 0;
    const started: number[] = [];
    const run = inFlight(weights, lanes, budget, async (weight, i, weigh) => {
      started.push(i);
      most = Math.max(most, ++underWay);
      await new Promise((resolve) => setTimeout(resolve, 1));
      weigh(weight); // as a pack does once it has planned
      await new Promise((resolve) => setTimeout(resolve, 40));
      underWay--;
      if (i === fail) throw new Error(`pack ${i} failed`);
    });
    const error = await run.then(
      () => undefined,
      (e: Error) => e.message,
    );
    return { most, started, error };
  }

  it("starts more packs than threads while those under way have little to render", async () => {
    const { most, started } = await mostAtOnce(Array(20).fill(4), 2, 60);
    expect(most).toBeGreaterThan(10);
    expect(started).toEqual([...Array(20).keys()]); // in order, every one
  });

  it("starts no more than one pack a thread while they are big, or before they have said", async () => {
    expect((await mostAtOnce(Array(8).fill(181), 2, 60)).most).toBe(2);
    expect((await mostAtOnce(Array(8).fill(4), 3, 0)).most).toBe(3);
  });

  it("starts no pack after one failed, and waits for those under way", async () => {
    const { started, error } = await mostAtOnce(Array(20).fill(181), 2, 60, 1);
    expect(error).toBe("pack 1 failed");
    expect(started.length).toBeLessThan(5);
  });
});

describe("one render at a time (--jobs 1, on the thread that writes the files)", () => {
  it("lets what finished meanwhile (a file written, Chromium's answer) through between two renders", async () => {
    const inTurn = oneAtATime();
    const order: string[] = [];
    const render = (name: string) =>
      inTurn(async () => {
        order.push(name);
        const until = performance.now() + 20;
        while (performance.now() < until); // a render holds the thread
      });
    const renders = [1, 2, 3, 4, 5].map((i) => render(`render ${i}`));
    const written = stat(import.meta.filename).then(() => order.push("file written"));
    await Promise.all([...renders, written]);
    // Back to back, every render ran before the write's completion was seen.
    expect(order.indexOf("file written")).toBeLessThan(order.indexOf("render 5"));
  });
});
