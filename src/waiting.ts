// Waiting for a turn, where what finishes a pack goes first: Chromium's page pool and the one
// render thread's queue.

/** Callbacks waiting for a turn: urgent ones are taken first, each kind in the order it came. */
export class Waiting {
  private readonly urgent: (() => void)[] = [];
  private readonly other: (() => void)[] = [];

  add(wake: () => void, urgent: boolean): void {
    (urgent ? this.urgent : this.other).push(wake);
  }

  /** The next to wake, removed from the list; undefined when none waits. */
  take(): (() => void) | undefined {
    return this.urgent.shift() ?? this.other.shift();
  }

  /** Every one waiting, urgent ones first, removed from the list. */
  takeAll(): (() => void)[] {
    return [...this.urgent.splice(0), ...this.other.splice(0)];
  }
}

/**
 * Calls each piece of work once the one before it has ended, whether it succeeded or not; urgent
 * work (a manual's join, which finishes a pack) before the rest waiting.
 */
export function oneAtATime() {
  const waiting = new Waiting();
  let busy = false;
  const next = () => {
    const start = waiting.take();
    busy = start !== undefined;
    start?.();
  };
  return <T>(work: () => Promise<T>, urgent = false): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      // The next starts after the event loop's turn, not at once: rendering here, back to back,
      // would keep finished writes and Chromium's answers waiting until the queue is empty.
      const start = () =>
        void work()
          .then(resolve, reject)
          .finally(() => setImmediate(next));
      if (busy) waiting.add(start, urgent);
      else {
        busy = true;
        start();
      }
    });
}
