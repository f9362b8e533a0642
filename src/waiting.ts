// Who waits for a turn, for every queue that lets what finishes a pack go first (Chromium's page
// pool, the one render thread).

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
