/**
 * Work that outlives the webhook response. GitHub waits at most 10 seconds for a delivery's
 * answer, and a promotion may wait minutes for CI to push its image, so handlers answer at once
 * and the promotion runs here. Tasks with the same key run one after another (two tags of one
 * repository pushed together are promoted in order); other keys run side by side.
 *
 * The queue lives in memory: a restart loses what waits here, and the sweep at the next start
 * finds it again from GitHub's state (and completes its check run). See README, "Operating".
 */
export class BackgroundTasks {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (error: unknown, key: string) => void) {}

  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => this.onError(error, key));
    this.tails.set(key, next);
    this.running.add(next);
    void next.finally(() => {
      this.running.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves when every task started so far, and every task they started, has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  get size(): number {
    return this.running.size;
  }
}
