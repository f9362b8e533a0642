// The shape of a hostile-corpus case: files laid over a copy of the example library, a command,
// and what must come of it. test/hostile.test.ts runs every `*.cases.ts` file in this folder.

export interface HostileCase {
  name: string;
  /** Written over a copy of the example library (paths relative to the workspace); null deletes. */
  files?: Record<string, string | Uint8Array | null>;
  /** Runs in the workspace before the command: symlinks, FIFOs, very large or very deep files. */
  setup?: (dir: string) => Promise<void>;
  /** policypack's arguments, run as a separate process in the workspace. */
  args: string[];
  exit: number;
  /** What the output (stdout and stderr together) must say. */
  says?: RegExp;
  /** Seconds the command may take; past it, the case fails as a hang (default 30). */
  seconds?: number;
}
