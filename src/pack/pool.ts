// The threads that render web pages and Word files, so that every core works (--jobs).
import { setFlagsFromString } from "node:v8";
import type { Tinypool } from "tinypool";
import { oneAtATime } from "../waiting.ts";
import type { WrittenZip } from "../write/zip.ts";
import type { JoinTask, RenderedFiles, RenderTask, WrittenManual, ZipTask } from "./worker.ts";

export interface DocumentPool {
  /** Whether tasks go to other threads (then they are worth filling in there too). */
  threaded: boolean;
  run(task: RenderTask): Promise<RenderedFiles>;
  /** The manual joined from its printed front and the policies' PDFs, or updated, and written (see joinManual). */
  joinManual(task: JoinTask): Promise<WrittenManual>;
  /** A pack's zip written to a new file (see writeZip): its SHA-256 and index. */
  writeZip(task: ZipTask): Promise<WrittenZip>;
  close(): Promise<void>;
}

/**
 * `jobs` threads; with one, documents render in this thread, and zips are written on a thread of
 * their own. Threads start on the first task, so a build that renders nothing starts none.
 * `printing`: whether the build prints PDFs too.
 */
export function documentPool(jobs: number, { printing }: { printing: boolean }): DocumentPool {
  // Every heap of the process grows by at most 60% of what it holds before V8 collects it whole.
  // Node sizes the main thread's heap from the machine's memory (4 GB here), and V8 then lets a
  // heap grow to up to four times what it holds: holding 60-100 MB, this thread's reached
  // 300-370 MB between collections, and a full build of 60 policies x 12 organisations peaked at
  // 532 and 566 MiB; with this, 369 and 377 MiB in as much time (104 and 106 s against 118 and
  // 101 s, alternated, 2026-12-03). 60% is what V8 allows the threads' 1 GB heaps (see threads()).
  // Set here, not at start-up: a command that builds nothing keeps V8's defaults.
  setFlagsFromString("--heap-growing-percent=60");
  if (jobs <= 1) {
    // One at a time, as a thread would: Word files rendered all at once interleave and crowd memory.
    const inTurn = oneAtATime();
    const worker = () => import("./worker.ts");
    // Zips are written on a thread of their own, which loads no renderer: reading, summing,
    // hashing and writing tens of MB a pack took a sixth of this thread's time after one policy
    // changed at 50 x 60 (2.5 of 15 s), while Chromium left a core half idle.
    const zips = threads(1);
    return {
      threaded: false,
      run: (task) => inTurn(async () => (await worker()).renderFiles(task)),
      joinManual: (task) => inTurn(async () => (await worker()).joinManual(task), true),
      writeZip: (task) => zips.run(task, "writeZip") as Promise<WrittenZip>,
      close: () => zips.close(),
    };
  }
  const pool = threads(jobs, { printing });
  // One manual joins at a time: a join holds hundreds of MB, and the other thread renders meanwhile.
  const joinInTurn = oneAtATime();
  return {
    threaded: true,
    run: (task) => pool.run(task) as Promise<RenderedFiles>,
    joinManual: (task) => joinInTurn(() => pool.run(task, "joinManual") as Promise<WrittenManual>),
    // Reading, summing and hashing a pack's tens of MB off this thread, which hashes and writes the other files.
    writeZip: (task) => pool.run(task, "writeZip") as Promise<WrittenZip>,
    close: () => pool.close(),
  };
}

/**
 * `count` threads running worker.ts, started on the first task. `rendering`: they render (and
 * join manuals), so they get the heap that needs; without it, they only write zips.
 */
function threads(count: number, rendering?: { printing: boolean }) {
  let pool: Promise<Tinypool> | undefined;
  const start = async () => {
    const { Tinypool } = await import("tinypool");
    // Each thread's heap may grow to 96 MB before it is first collected whole. V8 sizes a small
    // heap tightly: a thread holding 25 MB was collected whole every 0.3-0.5 s, and each such
    // collection throws away the optimised code of functions no live object holds (pdf-lib's
    // and unist-util-visit's closures, made anew for every document), which V8 then compiles
    // again: two thirds of V8's helper threads' time went to that compiling. With 96 MB, one
    // policy changed at 50 x 60 collected 9-14 times a thread instead of 65-79, and took
    // 14.3-14.8 s instead of 16.3-18.7 s (builds alternated, 2026-12-02). Set as a V8 flag: a
    // thread's heap is configured from the flags when it starts, and Node's resourceLimits has no
    // such setting; this thread's heap is configured already, so it is not changed.
    if (rendering) setFlagsFromString(`--initial-old-space-size=${THREAD_OLD_SPACE_MB}`);
    // From src/ (tsx, vitest) the worker needs tsx's hooks; from dist/ it is plain JavaScript.
    const fromSources = import.meta.url.endsWith(".ts");
    return new Tinypool({
      filename: new URL(fromSources ? "./worker-dev.mjs" : "./worker.js", import.meta.url).href,
      minThreads: count,
      maxThreads: count,
      // Each thread has its next task waiting when it finishes one, rather than waiting for this
      // thread to send it: this one assembles and hashes packs in between, and on a busy machine
      // is not scheduled at once (threads idled 8% of a 10-pack build, now under 2%).
      concurrentTasksPerWorker: rendering ? 2 : 1,
      // The young generation: with PDFs to print, 32 MB. The threads then wait on Chromium, and a
      // bigger one only holds more: at 64 MB a 6 x 60 full build took as long and peaked at 856
      // and 869 MiB against 767 and 778 (at 96 MB, 810-944 MB against 782-788). Without PDFs the
      // threads are what the build waits for, and 64 MB makes them faster: fewer of a Word file's
      // short-lived objects outlive a young collection, so the old generation fills and is
      // collected whole less often (23-29 times against 39-43 in a 10 x 60 web page and Word
      // build), and each whole collection throws away optimised code that V8 then compiles again:
      // 28.1-32.9 s against 35.0-38.5 s, peaking at 442-493 MiB against 382-406 (builds
      // alternated, 2026-12-02).
      // And a 1 GB old generation rather than the machine's default (4 GB here): V8 lets a heap
      // grow to four times what it holds before collecting it only when it may grow to 2 GB, so a
      // thread holding 35 MB no longer grows to 150 MB first. The largest policy the library
      // allows (1 MB) takes about 250 MB to render.
      ...(rendering
        ? { resourceLimits: { maxYoungGenerationSizeMb: rendering.printing ? 32 : 64, maxOldGenerationSizeMb: 1024 } }
        : {}),
    });
  };
  return {
    run: async (task: unknown, name?: string) => {
      pool ??= start();
      return (await pool).run(task, name ? { name } : {}).catch((error: NodeJS.ErrnoException) => {
        // From a thread, only the message still has a file system error's code (ENOSPC: …).
        const code = error.code ?? /^(E[A-Z]+):/.exec(error.message)?.[1];
        throw Object.assign(error, code ? { code } : {});
      });
    },
    close: async () => {
      await (await pool)?.destroy();
    },
  };
}

/** See start(): how far a thread's heap grows before its first whole collection. */
const THREAD_OLD_SPACE_MB = 96;
