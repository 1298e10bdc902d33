import Bottleneck from "bottleneck";
import type { Redis } from "ioredis";
import type { SharedSpacing } from "./pace-content-creation.js";

/** Longer than any one GitHub request (GitHub itself gives up after 10 s). */
const SLOT_EXPIRATION_MS = 60_000;

/**
 * The content-creating pacer's spacing shared by every replica through Redis: one Bottleneck
 * limiter per installation, clustered (its state lives in Redis), `maxConcurrent: 1` and
 * `minTime` the pacer's interval. GitHub's secondary limits count per installation, not per
 * process, so two replicas must not each send one a second.
 */
export class RedisSpacing implements SharedSpacing {
  private readonly connection: InstanceType<typeof Bottleneck.IORedisConnection>;
  private readonly limiters = new Map<string, Bottleneck>();

  constructor(
    client: Redis,
    private readonly prefix = "release-promoter",
    onError: (error: Error) => void = () => {},
  ) {
    this.connection = new Bottleneck.IORedisConnection({ client });
    this.connection.on("error", onError);
  }

  schedule<T>(installationKey: string, minIntervalMs: number, send: () => Promise<T>): Promise<T> {
    let limiter = this.limiters.get(installationKey);
    if (limiter === undefined) {
      limiter = new Bottleneck({
        id: `${this.prefix}:content-creating:${installationKey}`,
        datastore: "ioredis",
        connection: this.connection,
        clearDatastore: false,
        maxConcurrent: 1,
        minTime: minIntervalMs,
        // Idle limiters' keys leave Redis after this long.
        timeout: 10 * 60_000,
      });
      this.limiters.set(installationKey, limiter);
    }
    // A replica killed while its request holds the slot would hold it for ever (Bottleneck frees a
    // dead client's running jobs only when they expire): every request expires after a minute.
    return limiter.schedule({ expiration: SLOT_EXPIRATION_MS }, send);
  }

  async disconnect(): Promise<void> {
    await this.connection.disconnect(false);
  }
}
