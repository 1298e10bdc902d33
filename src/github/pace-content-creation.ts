import type { Octokit } from "./octokit.js";

/*
 * GitHub's secondary rate limits: no concurrent content-creating requests, at most 80 a minute,
 * and after a secondary-limit answer wait for `retry-after` (or until `x-ratelimit-reset`) before
 * trying again. Probot's throttling only logs a secondary limit and gives up, so a fan-out over
 * dozens of repositories would lose PRs. Every request that creates or changes content (REST
 * POST/PATCH/PUT/DELETE, GraphQL mutations) goes through one pacer per installation: one at a
 * time, at least `minIntervalMs` apart, retried after the wait GitHub asks for.
 */

interface RequestOptions {
  method?: string;
  url?: string;
  query?: unknown;
  [key: string]: unknown;
}

interface HttpError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

export interface PacerOptions {
  minIntervalMs?: number;
  /** Most retries of one request after rate-limit answers. */
  maxRetries?: number;
  /** Longest single wait GitHub may ask for before we give up on the request. */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (info: { waitMs: number; reason: string }) => void;
  /**
   * Several replicas: the spacing is kept across processes by a Bottleneck limiter clustered in
   * Redis (the engine Probot's own throttling uses with REDIS_URL), one per installation: one
   * content-creating request at a time and `minIntervalMs` apart, whichever replica sends it.
   */
  shared?: SharedSpacing;
}

/** Cross-process spacing: runs `send` when the installation's shared limiter allows. */
export interface SharedSpacing {
  schedule<T>(installationKey: string, minIntervalMs: number, send: () => Promise<T>): Promise<T>;
}

export function isContentCreating(options: RequestOptions): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  // GraphQL is `/graphql` on github.com, and on GitHub Enterprise Server (GHE_HOST) the full URL
  // `<host>/api/graphql` that @octokit/graphql derives from the REST base URL: a query is a read there too.
  if (isGraphqlUrl(options.url)) return typeof options.query === "string" && /^\s*mutation\b/.test(options.query);
  // Installation tokens are not content.
  return !/^\/app\/installations\/[^/]+\/access_tokens$/.test(options.url ?? "");
}

function isGraphqlUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  const path = /^https?:\/\//i.test(url) ? new URL(url).pathname : url.split("?")[0]!;
  return path === "/graphql" || path.endsWith("/api/graphql");
}

/** How long GitHub asks us to wait, or undefined when the error is not a rate limit. */
export function rateLimitWait(error: unknown, now: number): number | undefined {
  const e = error as HttpError;
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && /^\d+$/.test(String(retryAfter))) return Number(retryAfter) * 1000;
  const remaining = headers["x-ratelimit-remaining"];
  const reset = headers["x-ratelimit-reset"];
  if (String(remaining) === "0" && reset !== undefined && /^\d+$/.test(String(reset))) return Math.max(0, Number(reset) * 1000 - now);
  // A secondary limit without headers: GitHub says to wait at least a minute.
  if (/secondary rate limit/i.test(e.message ?? "")) return 60_000;
  return undefined;
}

export class ContentCreationPacer {
  private readonly minIntervalMs: number;
  private readonly maxRetries: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private lastStart = Number.NEGATIVE_INFINITY;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: PacerOptions = {},
    /** The installation, for the shared limiter's name. */
    private readonly installationKey = "default",
  ) {
    // 1 s is GitHub's floor; 50 ms of margin keeps jitter on the wire from crossing it.
    this.minIntervalMs = options.minIntervalMs ?? 1050;
    this.maxRetries = options.maxRetries ?? 3;
    this.maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Runs `send` after every earlier content-creating request, paced and retried. */
  run<T>(send: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.sendPaced(send));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Routes an Octokit's content-creating requests through this pacer. */
  install(octokit: Octokit): void {
    octokit.hook.wrap("request", async (request, options) =>
      isContentCreating(options as RequestOptions) ? this.run(async () => request(options)) : request(options),
    );
  }

  private async sendPaced<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const shared = this.options.shared;
      if (shared === undefined) {
        const gap = this.lastStart + this.minIntervalMs - this.now();
        if (gap > 0) await this.sleep(gap);
        this.lastStart = this.now();
      }
      try {
        const result = await (shared === undefined ? send() : shared.schedule(this.installationKey, this.minIntervalMs, send));
        // Spaced from the answer, not the start: GitHub sees the next request at least a second after
        // this one arrived, however long it travelled (a start-to-start gap can shrink on the way).
        if (shared === undefined) this.lastStart = this.now();
        return result;
      } catch (error) {
        if (shared === undefined) this.lastStart = this.now();
        const waitMs = rateLimitWait(error, this.now());
        if (waitMs === undefined || attempt >= this.maxRetries || waitMs > this.maxWaitMs) throw error;
        this.options.onWait?.({ waitMs, reason: (error as HttpError).message ?? "rate limited" });
        await this.sleep(waitMs);
        // The wait counts as the spacing before the retry.
        this.lastStart = this.now() - this.minIntervalMs;
      }
    }
  }
}

/** One pacer per installation, shared by every event of that installation. */
export class Pacers {
  private readonly byInstallation = new Map<number, ContentCreationPacer>();
  constructor(private readonly options: PacerOptions = {}) {}

  for(installationId: number): ContentCreationPacer {
    let pacer = this.byInstallation.get(installationId);
    if (pacer === undefined) {
      pacer = new ContentCreationPacer(this.options, String(installationId));
      this.byInstallation.set(installationId, pacer);
    }
    return pacer;
  }
}
