import { describe, expect, it } from "vitest";
import { BackgroundTasks } from "../src/background-tasks.js";

// Deterministic promise control: no timers, no sleeps. A task waits on a deferred the test
// resolves; the order of events is read from a log.
interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function collectErrors() {
  const errors: Array<{ error: unknown; key: string }> = [];
  return { errors, onError: (error: unknown, key: string) => void errors.push({ error, key }) };
}

describe("BackgroundTasks: key serialisation", () => {
  // The first task holds until the test has seen it start; by then a second task that may run
  // beside it has started too (its job was queued before the first one's signal).
  it.each([
    { keys: ["1:acme/core-api", "1:acme/core-api"], runs: "in order", log: ["first start", "first end", "second start"] },
    { keys: ["1:acme/core-api", "1:acme/web-ui"], runs: "side by side", log: ["first start", "second start", "first end"] },
    { keys: ["1:acme/core-api", "2:acme/core-api"], runs: "side by side", log: ["first start", "second start", "first end"] },
    // The queue compares keys exactly; the handler lowercases the repository name itself.
    { keys: ["1:acme/core-api", "1:ACME/core-api"], runs: "side by side", log: ["first start", "second start", "first end"] },
  ])("$keys.0 then $keys.1: $runs", async ({ keys, log: expected }) => {
    const { errors, onError } = collectErrors();
    const tasks = new BackgroundTasks(onError);
    const log: string[] = [];
    const started = deferred();
    const release = deferred();
    void tasks.run(keys[0]!, async () => {
      log.push("first start");
      started.resolve();
      await release.promise;
      log.push("first end");
    });
    void tasks.run(keys[1]!, async () => {
      log.push("second start");
    });
    await started.promise;
    release.resolve();
    await tasks.idle();
    expect(log).toStrictEqual(expected);
    expect(errors).toStrictEqual([]);
  });

  it("runs many tasks of one key in the order they were queued, each after the previous settled", async () => {
    const tasks = new BackgroundTasks(collectErrors().onError);
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    for (const [i, gate] of gates.entries()) {
      void tasks.run("k", async () => {
        log.push(`${i} start`);
        await gate.promise;
        log.push(`${i} end`);
      });
    }
    // Release in reverse: the order still follows the queue, not the releases.
    for (const gate of [...gates].reverse()) gate.resolve();
    await tasks.idle();
    expect(log).toStrictEqual(["0 start", "0 end", "1 start", "1 end", "2 start", "2 end"]);
  });

  // Each task waits until the other has started: only side-by-side keys can finish at all, so
  // serialised keys show up as a deadlock (hence the short timeout), whatever the tick order.
  it("lets two keys finish in either order: neither waits for the other", { timeout: 5_000 }, async () => {
    const tasks = new BackgroundTasks(collectErrors().onError);
    const log: string[] = [];
    const aStarted = deferred();
    const bStarted = deferred();
    const a = tasks.run("a", async () => {
      aStarted.resolve();
      await bStarted.promise;
      log.push("a end");
    });
    const b = tasks.run("b", async () => {
      bStarted.resolve();
      await aStarted.promise;
      log.push("b end");
    });
    await Promise.all([a, b]);
    expect(log.sort()).toStrictEqual(["a end", "b end"]);
  });
});

describe("BackgroundTasks: errors", () => {
  it.each([
    { failure: "rejects with an Error", task: () => Promise.reject(new Error("registry said 503")), error: new Error("registry said 503") },
    {
      failure: "throws before returning a promise",
      task: () => {
        throw new Error("sync");
      },
      error: new Error("sync"),
    },
    { failure: "rejects with something that is not an Error", task: () => Promise.reject("plain text"), error: "plain text" },
  ])("a task that $failure: onError gets it with the key, the next task of the key still runs", async ({ task, error }) => {
    const { errors, onError } = collectErrors();
    const tasks = new BackgroundTasks(onError);
    const log: string[] = [];
    const failing = tasks.run("1:acme/core-api", task);
    const next = tasks.run("1:acme/core-api", async () => void log.push("next ran"));
    const other = tasks.run("1:acme/web-ui", async () => void log.push("other key ran"));
    // The promise run() returns settles without rejecting: nobody needs to catch it.
    await expect(failing).resolves.toBeUndefined();
    await expect(next).resolves.toBeUndefined();
    await expect(other).resolves.toBeUndefined();
    await tasks.idle();
    expect(errors).toStrictEqual([{ error, key: "1:acme/core-api" }]);
    expect(log.sort()).toStrictEqual(["next ran", "other key ran"]);
    expect(tasks.size).toBe(0);
  });

  it("a failure does not leak into a later task of the same key, queued after it settled", async () => {
    const { errors, onError } = collectErrors();
    const tasks = new BackgroundTasks(onError);
    await tasks.run("k", () => Promise.reject(new Error("first")));
    await tasks.idle();
    let ran = false;
    await tasks.run("k", async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(errors).toStrictEqual([{ error: new Error("first"), key: "k" }]);
  });
});

describe("BackgroundTasks: idle and size", () => {
  it("idle() waits for tasks started by tasks, however deep", async () => {
    const tasks = new BackgroundTasks(collectErrors().onError);
    const log: string[] = [];
    const depth = 6;
    const spawn = (level: number): Promise<void> =>
      tasks.run(`key-${level}`, async () => {
        // Let the queue's own bookkeeping of the parent run first, then go on.
        await Promise.resolve();
        await Promise.resolve();
        if (level < depth) void spawn(level + 1);
        log.push(`level ${level}`);
      });
    void spawn(1);
    await tasks.idle();
    expect(log).toStrictEqual(["level 1", "level 2", "level 3", "level 4", "level 5", "level 6"]);
    expect(tasks.size).toBe(0);
  });

  it("idle() waits for a task that a finished task started, while that task is held", async () => {
    const tasks = new BackgroundTasks(collectErrors().onError);
    const log: string[] = [];
    const release = deferred();
    const events: string[] = [];
    void tasks.run("a", async () => {
      void tasks.run("b", async () => {
        await release.promise;
        log.push("child end");
      });
      log.push("parent end");
    });
    const waiting = tasks.idle().then(() => void events.push("idle"));
    // The parent is done and its child is blocked: idle() must not have resolved, however long
    // the child takes; it resolves once the child ends.
    await tasks.run("a", async () => {
      expect(log).toStrictEqual(["parent end"]);
    });
    expect(events).toStrictEqual([]);
    release.resolve();
    await waiting;
    expect(log).toStrictEqual(["parent end", "child end"]);
  });

  it.each([
    { queued: ["a"], size: 1 },
    { queued: ["a", "a", "a"], size: 3 },
    { queued: ["a", "b", "a", "c"], size: 4 },
  ])("size counts running and waiting tasks: $queued → $size, then 0", async ({ queued, size }) => {
    const tasks = new BackgroundTasks(collectErrors().onError);
    const release = deferred();
    const sizesSeen: number[] = [];
    for (const key of queued) {
      void tasks.run(key, async () => {
        sizesSeen.push(tasks.size);
        await release.promise;
      });
    }
    expect(tasks.size).toBe(size);
    release.resolve();
    await tasks.idle();
    expect(tasks.size).toBe(0);
    // A running task counts itself.
    expect(Math.min(...sizesSeen)).toBeGreaterThanOrEqual(1);
  });

  it("idle() with nothing queued resolves at once", async () => {
    const tasks = new BackgroundTasks(collectErrors().onError);
    await tasks.idle();
    expect(tasks.size).toBe(0);
  });
});
