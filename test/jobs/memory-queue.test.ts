/**
 * The in-process queue coalesces: one waiting job per id, exactly one more run after a running
 * one (not sooner than a second after its start), one job per key at a time. Deterministic: runs
 * hold on deferreds the test releases, and the spacing runs on the harness's clock.
 */
import { describe, expect, it, vi } from "vitest";
import { BackgroundTasks } from "../../src/background-tasks.js";
import { MemoryJobQueue } from "../../src/jobs/job-queue.js";
import type { Job } from "../../src/jobs/job.schema.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const promote = (tag: string, repository = "acme/core-api", pusher?: string): Job => ({ kind: "promote-tag", installationId: 1, repository, tag, trigger: "push", pusher });

/** A queue whose runner records each run and holds it until the test releases it. */
function harness(limit?: number) {
  const errors: unknown[] = [];
  const tasks = new BackgroundTasks((error) => errors.push(error));
  const runs: Job[] = [];
  const holds: Array<ReturnType<typeof deferred>> = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const refused: Job[] = [];
  const clock = { now: 0, sleeps: [] as number[] };
  const queue = new MemoryJobQueue(
    tasks,
    async (job) => {
      runs.push(job);
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const hold = deferred();
      holds.push(hold);
      await hold.promise;
      concurrent--;
    },
    (job) => refused.push(job),
    limit,
    {
      ms: 1000,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.sleeps.push(ms);
        clock.now += ms;
      },
    },
  );
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const releaseAll = async () => {
    while (holds.length > 0 || tasks.size > 0) {
      holds.splice(0).forEach((hold) => hold.resolve());
      await tick();
    }
  };
  return { queue, tasks, runs, errors, refused, tick, releaseAll, clock, maxConcurrent: () => maxConcurrent };
}

describe("MemoryJobQueue", () => {
  it("a storm of one delivery is one run, with the newest data", async () => {
    const h = harness();
    const results = Array.from({ length: 1000 }, (_, i) => h.queue.enqueueNow(promote("core-v1.0.0", "acme/core-api", `pusher-${i}`)));
    expect(results.filter((r) => r === "queued")).toHaveLength(1);
    expect(await h.queue.stats()).toMatchObject({ waiting: 1, coalesced: 999 });
    await h.releaseAll();
    expect(h.runs).toEqual([promote("core-v1.0.0", "acme/core-api", "pusher-999")]);
  });

  it("the same job arriving while it runs runs exactly once more after it, however often it arrives", async () => {
    const h = harness();
    h.queue.enqueueNow(promote("core-v1.0.0"));
    await h.tick();
    expect(await h.queue.stats()).toMatchObject({ running: 1, waiting: 0 });
    for (let i = 0; i < 50; i++) h.queue.enqueueNow(promote("core-v1.0.0"));
    expect(await h.queue.stats()).toMatchObject({ running: 1, waiting: 1, coalesced: 49 });
    await h.releaseAll();
    expect(h.runs).toHaveLength(2);
    expect(h.maxConcurrent()).toBe(1);
  });

  it("a job that ran less than a second ago waits out the rest before it runs again; a quiet one runs at once", async () => {
    const h = harness();
    h.queue.enqueueNow(promote("core-v1.0.0"));
    await h.releaseAll();
    expect(h.clock.sleeps).toEqual([]);

    h.clock.now += 300;
    h.queue.enqueueNow(promote("core-v1.0.0"));
    // Another id is not held by it.
    h.queue.enqueueNow(promote("core-v1.1.0"));
    await h.releaseAll();
    expect(h.clock.sleeps).toEqual([700]);
    expect(h.runs.map((job) => (job as { tag: string }).tag)).toEqual(["core-v1.0.0", "core-v1.1.0", "core-v1.0.0"]);

    h.clock.now += 1000;
    h.queue.enqueueNow(promote("core-v1.0.0"));
    await h.releaseAll();
    expect(h.clock.sleeps).toEqual([700]);
    expect(h.runs).toHaveLength(4);
  });

  it("jobs of one key run one at a time, in order; other keys run side by side", async () => {
    const h = harness();
    h.queue.enqueueNow(promote("core-v1.0.0"));
    h.queue.enqueueNow(promote("core-v1.1.0"));
    h.queue.enqueueNow(promote("web-v2.0.0", "acme/web-ui"));
    await h.tick();
    expect(h.runs.map((job) => (job as { tag: string }).tag)).toEqual(["core-v1.0.0", "web-v2.0.0"]);
    expect(await h.queue.stats()).toMatchObject({ running: 2, waiting: 1 });
    await h.releaseAll();
    expect(h.runs.map((job) => (job as { tag: string }).tag)).toEqual(["core-v1.0.0", "web-v2.0.0", "core-v1.1.0"]);
    expect(h.maxConcurrent()).toBe(2);
    expect(await h.queue.stats()).toMatchObject({ running: 0, waiting: 0, oldestWaitingMs: 0 });
  });

  it("refuses a new job beyond its limit of distinct waiting jobs (the sweep finds that work later); identical ones still coalesce", async () => {
    const h = harness(2);
    h.queue.enqueueNow(promote("core-v1.0.0"));
    await h.tick(); // running, no longer waiting
    expect(h.queue.enqueueNow(promote("core-v1.1.0"))).toBe("queued");
    expect(h.queue.enqueueNow(promote("core-v1.2.0"))).toBe("queued");
    expect(h.queue.enqueueNow(promote("core-v1.3.0"))).toBe("refused");
    expect(h.queue.enqueueNow(promote("core-v1.2.0"))).toBe("coalesced");
    expect(h.refused).toEqual([promote("core-v1.3.0")]);
    await h.releaseAll();
    expect(h.runs).toHaveLength(3);
    expect(h.errors).toEqual([]);
  });

  it("reports how long the oldest waiting job has waited", async () => {
    const h = harness();
    h.queue.enqueueNow(promote("core-v1.0.0"));
    await h.tick();
    h.queue.enqueueNow(promote("core-v1.1.0"));
    await new Promise((r) => setTimeout(r, 30));
    expect((await h.queue.stats()).oldestWaitingMs).toBeGreaterThanOrEqual(25);
    await h.releaseAll();
  });
});

describe("MemoryJobQueue.enqueueLater (a gate re-checked at a known time)", () => {
  // Each in an infra repository of its own: one key each, so a held run does not hold the other.
  const gates = (number: number): Job => ({ kind: "check-gates", installationId: 1, infra: `acme/infra-${number}`, number });

  it("runs the job once its delay has passed, not before; the earliest of several times wins", async () => {
    vi.useFakeTimers();
    try {
      const { queue, runs, releaseAll } = harness();
      expect(await queue.enqueueLater(gates(7), 20 * 60_000)).toBe("queued");
      expect(await queue.enqueueLater(gates(7), 5 * 60_000)).toBe("queued"); // earlier: replaces the timer
      expect(await queue.enqueueLater(gates(7), 30 * 60_000)).toBe("coalesced"); // later: the earlier one stands
      expect(await queue.enqueueLater(gates(8), 60_000)).toBe("queued");
      await vi.advanceTimersByTimeAsync(59_000);
      expect(runs).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs).toEqual([gates(8)]);
      await vi.advanceTimersByTimeAsync(4 * 60_000);
      expect(runs).toEqual([gates(8), gates(7)]);
      // The 20-minute timer was cleared: nothing more runs.
      await vi.advanceTimersByTimeAsync(60 * 60_000);
      expect(runs).toHaveLength(2);
      vi.useRealTimers();
      await releaseAll();
    } finally {
      vi.useRealTimers();
    }
  });
});
