/**
 * Two replicas' pacers share one installation's content-creating spacing through a real
 * redis-server (a Bottleneck limiter clustered in Redis): one request at a time, at least the
 * interval apart, whichever process sends it.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContentCreationPacer } from "../../src/github/pace-content-creation.js";
import { RedisSpacing } from "../../src/github/redis-spacing.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const INTERVAL_MS = 200;

describe("RedisSpacing", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  /** Two replicas' pacers for one installation, each sending five requests at once; the sends' start and end times. */
  async function sendFromTwoReplicas(shared: boolean) {
    const prefix = `test-${randomUUID()}`;
    const spacings = [0, 1].map(() => new RedisSpacing(new Redis(redis.url, { maxRetriesPerRequest: null }), prefix));
    const pacers = spacings.map((spacing) => new ContentCreationPacer({ minIntervalMs: INTERVAL_MS, ...(shared ? { shared: spacing } : {}) }, "42"));
    const sends: Array<{ start: number; end: number }> = [];
    await Promise.all(
      pacers.flatMap((pacer) =>
        Array.from({ length: 5 }, () =>
          pacer.run(async () => {
            const start = Date.now();
            await new Promise((resolve) => setTimeout(resolve, 20));
            sends.push({ start, end: Date.now() });
          }),
        ),
      ),
    );
    await Promise.all(spacings.map((spacing) => spacing.disconnect()));
    const sorted = sends.sort((a, b) => a.start - b.start);
    return { count: sorted.length, spanMs: sorted.at(-1)!.start - sorted[0]!.start, gaps: sorted.slice(1).map((send, i) => send.start - sorted[i]!.start), overlaps: sorted.slice(1).filter((send, i) => send.start < sorted[i]!.end).length };
  }

  it("keeps one installation's content-creating requests one at a time and the interval apart across replicas", async () => {
    const shared = await sendFromTwoReplicas(true);
    expect(shared.count).toBe(10);
    expect(shared.overlaps).toBe(0);
    // Bottleneck spaces starts by minTime on Redis's clock. One go-ahead can reach its process late
    // (a loaded machine), shortening the next gap as measured here, but never the whole run: ten
    // starts span at least nine intervals, and no gap is anywhere near side by side.
    expect(shared.spanMs).toBeGreaterThanOrEqual(9 * INTERVAL_MS - 15);
    expect(Math.min(...shared.gaps)).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
  });

  it("(the same two pacers without the shared spacing send side by side: what a per-process pacer does)", async () => {
    const alone = await sendFromTwoReplicas(false);
    expect(alone.count).toBe(10);
    expect(Math.min(...alone.gaps)).toBeLessThan(INTERVAL_MS / 2);
  });
});
