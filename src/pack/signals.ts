import { type Dirent, readdirSync, rmSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** Milliseconds a stopping build may take to finish the file it writes and close Chromium. */
const GRACE_MS = 10_000;

/** A build stopped by a signal; it exits 128 + the signal's number, as shells report it. */
export class Interrupted extends Error {
  constructor(readonly signal: StopSignal) {
    super(`stopped by ${signal}`);
  }

  get exitCode(): number {
    return 128 + constants.signals[this.signal];
  }

  /** Says what state the output is in, and returns the exit code. */
  report(stderr: { write(text: string): unknown }): number {
    stderr.write(
      `policypack: ${this.message}; every file already written is complete, and the next build writes the rest\n`,
    );
    return this.exitCode;
  }
}

/** Temporary files of this process (src/write/atomic.ts names them `<file>.<pid>-<random>.tmp`) under `dir`. */
export function removeTemporaryFiles(dir: string): void {
  const pattern = new RegExp(`\\.${process.pid}(-[0-9a-f]+)?\\.tmp$`);
  const mine = (name: string) => pattern.test(name);
  const sweep = (folder: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isFile() && mine(entry.name)) rmSync(join(folder, entry.name), { force: true });
      else if (entry.isDirectory() && depth > 0) sweep(join(folder, entry.name), depth - 1);
    }
  };
  sweep(dir, 1); // the output folder and its pack folders
}

/**
 * Runs `work` with an AbortSignal that SIGINT, SIGTERM or SIGHUP aborts: the build stops at its
 * next step, lets the file being written finish, closes Chromium, and this returns the
 * Interrupted. A second signal, or a build that takes longer than GRACE_MS to stop, exits at
 * once after `cleanup` (Chromium dies with us: it is driven over a pipe).
 */
export async function stoppable<T>(
  work: (signal: AbortSignal) => Promise<T>,
  cleanup: () => void = () => {},
): Promise<T | Interrupted> {
  const controller = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  const exitNow = (stop: Interrupted) => {
    cleanup();
    process.stderr.write(
      `policypack: ${stop.message}, at once; every file in the output is whole (the files being written were left out), and the next build writes the rest\n`,
    );
    process.exit(stop.exitCode);
  };
  const onSignal = (signal: StopSignal) => {
    const stop = new Interrupted(signal);
    if (controller.signal.aborted) return exitNow(stop);
    controller.abort(stop);
    grace = setTimeout(() => exitNow(stop), GRACE_MS);
    grace.unref();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    const result = await work(controller.signal);
    return controller.signal.aborted ? (controller.signal.reason as Interrupted) : result;
  } catch (error) {
    if (controller.signal.aborted) return controller.signal.reason as Interrupted;
    throw error;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    clearTimeout(grace);
  }
}
