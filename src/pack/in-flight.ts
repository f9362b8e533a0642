// How a build overlaps its packs and waits for what it started.

/**
 * Waits for every promise, then fails with the first failure: nothing is left running (and
 * writing) behind a build that has already given up.
 */
export async function settled(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * Calls `work` for each item, in order of the items: `lanes` at a time, and more while those under
 * way are small. Each item counts as the whole `budget` until its work says how much it holds (its
 * `weigh` callback); another starts while the items under way weigh less than `budget` in all.
 */
export async function inFlight<T>(
  items: readonly T[],
  lanes: number,
  budget: number,
  work: (item: T, index: number, weigh: (weight: number) => void) => Promise<void>,
): Promise<void> {
  const weights = new Map<number, number>();
  const underWay: Promise<unknown>[] = [];
  let failed = false;
  let wake = () => {};
  const room = () => weights.size < lanes || [...weights.values()].reduce((a, b) => a + b, 0) < budget;
  for (let index = 0; index < items.length && !failed; ) {
    if (!room()) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    const i = index++;
    weights.set(i, budget);
    const done = work(items[i] as T, i, (weight) => {
      weights.set(i, weight);
      wake();
    });
    underWay.push(done);
    done
      .catch(() => (failed = true)) // no new pack is started; those under way finish
      .finally(() => {
        weights.delete(i);
        wake();
      });
  }
  await settled(underWay);
}
