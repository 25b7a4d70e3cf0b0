/**
 * Maps `items` with at most `limit` calls of `work` running at once, keeping the order of
 * the results. `shouldStart` is asked before each item: false leaves it (and its result)
 * out, as when a rollout is stopped.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>, shouldStart: () => boolean = () => true): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      if (!shouldStart()) continue;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
