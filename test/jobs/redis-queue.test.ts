/**
 * The BullMQ queue on a real redis-server: two queue instances are two replicas. The same work
 * enqueued by both is one job (plus exactly one more run when it arrives while running), one key
 * never runs on two replicas at once, and a Redis outage refuses new work without losing what was
 * queued.
 */
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisJobQueue } from "../../src/jobs/redis-queue.js";
import { RunLater } from "../../src/jobs/run-later.js";
import type { Job } from "../../src/jobs/job.schema.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const log = pino({ level: "silent" }) as never;
const promote = (tag: string, repository = "acme/core-api"): Job => ({ kind: "promote-tag", installationId: 1, repository, tag, trigger: "push" });
const tagOf = (job: Job) => (job as { tag: string }).tag;

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("RedisJobQueue on a real redis-server", () => {
  let redis: RedisServer;
  let replicas: RedisJobQueue[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    replicas = [];
  });

  /** Two replicas on one queue (a prefix of their own per test), with one runner. */
  function twoReplicas(runner: (job: Job, replica: number) => Promise<void>, options = {}) {
    const prefix = `test-${randomUUID()}`;
    replicas = [0, 1].map((i) => {
      const replica = new RedisJobQueue(redis.url, log, { prefix, keyBusyDelayMs: 100, enqueueTimeoutMs: 1_000, ...options });
      replica.start((job) => runner(job, i));
      return replica;
    });
    return replicas;
  }

  it("the same work enqueued on both replicas, again and again while it runs, runs once and exactly once more", async () => {
    const runs: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const [a, b] = twoReplicas(async (job) => {
      runs.push(tagOf(job));
      if (runs.length === 1) await held;
    });
    await a!.enqueue(promote("core-v1.0.0"));
    await until(() => runs.length === 1, "the first run");
    for (let i = 0; i < 10; i++) await Promise.all([a!.enqueue(promote("core-v1.0.0")), b!.enqueue(promote("core-v1.0.0"))]);
    release();
    await until(() => runs.length === 2, "the one more run");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs).toEqual(["core-v1.0.0", "core-v1.0.0"]);
    expect(await a!.stats()).toMatchObject({ backend: "redis", redis: "ready", waiting: 0, running: 0 });
  });

  it("jobs of one key never run on two replicas at once; other keys run side by side", async () => {
    const running = new Map<string, number>();
    let overlapSameKey = 0;
    let overlapOtherKeys = 0;
    const done: string[] = [];
    twoReplicas(async (job) => {
      const key = (job as { repository: string }).repository;
      running.set(key, (running.get(key) ?? 0) + 1);
      if (running.get(key)! > 1) overlapSameKey++;
      if (running.size > 1) overlapOtherKeys++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      running.set(key, running.get(key)! - 1);
      if (running.get(key) === 0) running.delete(key);
      done.push(tagOf(job));
    });
    const [a, b] = replicas;
    await Promise.all([
      a!.enqueue(promote("core-v1.0.0")),
      b!.enqueue(promote("core-v1.1.0")),
      a!.enqueue(promote("core-v1.2.0")),
      b!.enqueue(promote("web-v2.0.0", "acme/web-ui")),
      a!.enqueue(promote("web-v2.1.0", "acme/web-ui")),
    ]);
    await until(() => done.length === 5, "all five jobs");
    expect(done.sort()).toEqual(["core-v1.0.0", "core-v1.1.0", "core-v1.2.0", "web-v2.0.0", "web-v2.1.0"]);
    expect(overlapSameKey).toBe(0);
    expect(overlapOtherKeys).toBeGreaterThan(0);
  });

  // Up to the 20 s key and job locks: a lock its holder could not refresh during the outage lapses before the job behind it runs.
  it("Redis down: a new job is refused (the delivery fails), /healthz says unreachable; back up: what was queued before still runs", { timeout: 120_000 }, async () => {
    const runs: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const [a] = twoReplicas(async (job) => {
      runs.push(tagOf(job));
      if (tagOf(job) === "core-v1.0.0") await held;
    });
    await a!.enqueue(promote("core-v1.0.0"));
    await until(() => runs.length === 1, "the first run");
    await a!.enqueue(promote("core-v1.1.0")); // waits for core's key in Redis
    await redis.kill();
    await expect(a!.enqueue(promote("web-v2.0.0", "acme/web-ui"))).rejects.toThrow();
    expect(await a!.stats()).toMatchObject({ backend: "redis", redis: "unreachable" });
    await redis.restart();
    release();
    await until(() => runs.includes("core-v1.1.0"), "the job queued before the outage", 90_000);
    await a!.enqueue(promote("web-v2.0.0", "acme/web-ui"));
    await until(() => runs.includes("web-v2.0.0"), "a job queued after the outage", 20_000);
    expect(await a!.stats()).toMatchObject({ redis: "ready" });
  });

  it("RunLater makes the job a delayed job: no key held while it waits, its new data runs next, on a replica alive when it is due", async () => {
    const runs: Array<{ replica: number; job: Job }> = [];
    const replicas = twoReplicas(async (job, replica) => {
      runs.push({ replica, job });
      if (job.kind === "promote-tag" && job.imageWait === undefined) {
        throw new RunLater({ ...job, imageWait: { since: 1_000, attempts: 1 } }, 2_000, "waiting for the image");
      }
    });
    await replicas[0]!.enqueue(promote("core-v1.0.0"));
    await until(() => runs.length === 1, "the first run");
    const delayedBy = runs[0]!.replica;
    let stats = await replicas[0]!.stats();
    for (const deadline = Date.now() + 1_500; stats.delayed !== 1 && Date.now() < deadline; stats = await replicas[0]!.stats()) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stats).toMatchObject({ delayed: 1, running: 0 });
    // While it waits, its key is free: another job of the same key runs at once.
    await replicas[0]!.enqueue({ kind: "tag-changed", installationId: 1, repository: "acme/core-api", tag: "core-v0.9.0", change: "deleted" });
    await until(() => runs.length === 2, "the other job of the key", 1_500);
    expect(runs[1]!.job.kind).toBe("tag-changed");
    // The replica that delayed it goes away; the job is in Redis, so the other runs it when it is due.
    await replicas[delayedBy]!.close();
    await until(() => runs.length === 3, "the delayed job", 10_000);
    expect(runs[2]).toMatchObject({ replica: 1 - delayedBy, job: { kind: "promote-tag", tag: "core-v1.0.0", imageWait: { since: 1_000, attempts: 1 } } });
    expect(await replicas[1 - delayedBy]!.stats()).toMatchObject({ delayed: 0, waiting: 0 });
  });

  it("enqueueLater is a delayed job in Redis: it runs when due (not before), beside the same job due now, and survives the replica that queued it", async () => {
    const runs: Array<{ at: number; replica: number }> = [];
    const replicas = twoReplicas(async (_, replica) => {
      runs.push({ at: Date.now(), replica });
    });
    const gates: Job = { kind: "check-gates", installationId: 1, infra: "acme/infra", number: 7 };
    const queuedAt = Date.now();
    await replicas[0]!.enqueueLater(gates, 1_500);
    let stats = await replicas[1]!.stats();
    expect(stats.delayed).toBe(1);
    // The same job due now is not swallowed by the delayed one.
    await replicas[1]!.enqueue(gates);
    await until(() => runs.length === 1, "the job due now", 1_000);
    await replicas[0]!.close();
    await until(() => runs.length === 2, "the delayed job", 10_000);
    expect(runs[1]!.at - queuedAt).toBeGreaterThanOrEqual(1_500);
    expect(runs[1]!.replica).toBe(1);
    stats = await replicas[1]!.stats();
    expect(stats).toMatchObject({ delayed: 0, waiting: 0 });
  });

  it("close() returns within its timeout even when BullMQ's worker close cannot finish (a job that never ends)", async () => {
    const prefix = `test-${randomUUID()}`;
    const replica = new RedisJobQueue(redis.url, log, { prefix, enqueueTimeoutMs: 1_000, closeTimeoutMs: 500 });
    let started = false;
    replica.start(async () => {
      started = true;
      await new Promise(() => {}); // never settles: BullMQ's close waits for it forever
    });
    await replica.enqueue(promote("core-v1.0.0"));
    await until(() => started, "the job to start");
    const before = Date.now();
    await replica.close();
    expect(Date.now() - before).toBeLessThan(5_000);
  });

  it("jobs waiting in Redis survive Redis being killed and restarted (append-only file): a worker started afterwards runs them all", async () => {
    const prefix = `test-${randomUUID()}`;
    const producer = new RedisJobQueue(redis.url, log, { prefix, enqueueTimeoutMs: 1_000 });
    replicas = [producer];
    for (const tag of ["core-v1.0.0", "core-v1.1.0", "core-v1.2.0"]) await producer.enqueue(promote(tag));
    await redis.kill();
    await redis.restart();
    const runs: string[] = [];
    producer.start(async (job) => void runs.push(tagOf(job)));
    await until(() => runs.length === 3, "the three jobs queued before the outage", 30_000);
    expect(runs.sort()).toEqual(["core-v1.0.0", "core-v1.1.0", "core-v1.2.0"]);
  });
});
