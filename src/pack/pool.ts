// The threads that render web pages and Word files, so that every core works (--jobs).
import type { Tinypool } from "tinypool";
import type { RenderedFiles, RenderTask } from "./worker.ts";

export interface DocumentPool {
  /** Whether tasks go to other threads (then they are worth filling in there too). */
  threaded: boolean;
  run(task: RenderTask): Promise<RenderedFiles>;
  close(): Promise<void>;
}

/**
 * `jobs` threads; with one, documents render in this thread. Threads start on the first task,
 * so a build that renders nothing starts none.
 */
export function documentPool(jobs: number): DocumentPool {
  if (jobs <= 1) {
    // One at a time, as a thread would: Word files rendered all at once interleave and crowd memory.
    let queue: Promise<unknown> = Promise.resolve();
    const run = (task: RenderTask) => {
      const rendered = queue.then(async () => (await import("./worker.ts")).renderFiles(task));
      queue = rendered.catch(() => {});
      return rendered;
    };
    return { threaded: false, run, close: async () => {} };
  }
  let pool: Promise<Tinypool> | undefined;
  const start = async () => {
    const { Tinypool } = await import("tinypool");
    // From src/ (tsx, vitest) the worker needs tsx's hooks; from dist/ it is plain JavaScript.
    const fromSources = import.meta.url.endsWith(".ts");
    return new Tinypool({
      filename: new URL(fromSources ? "./worker-dev.mjs" : "./worker.js", import.meta.url).href,
      minThreads: jobs,
      maxThreads: jobs,
    });
  };
  return {
    threaded: true,
    run: async (task) => {
      pool ??= start();
      return (await pool).run(task) as Promise<RenderedFiles>;
    },
    close: async () => {
      await (await pool)?.destroy();
    },
  };
}
