/**
 * Prometheus metrics at `/metrics` (prom-client), for the people who run the app: what it
 * promoted and refused, how fast, what it asks of GitHub, what waits in its queue.
 *
 * Names follow Prometheus conventions (`release_promoter_` prefix, `_total` counters, base units:
 * seconds). Label values are bounded sets, never a tag, a sha, a repository or a user: outcomes,
 * the app's refusal codes (src/errors.ts), request kinds, queue states. Plus prom-client's
 * default process metrics (CPU, memory, event-loop lag, GC) without a prefix, as exporters
 * usually publish them.
 *
 * Per process: with several replicas each is scraped on its own and the figures are summed
 * across them (queue figures with Redis are the shared queue's, so take one replica's or the
 * maximum).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { JobQueue } from "./jobs/job-queue.js";

const NONE = "none";

export class Metrics {
  readonly registry = new Registry();
  readonly promotions = new Counter({
    name: "release_promoter_promotions_total",
    help: "Promotions per environment, by outcome (pull_request, noop, refused, failed) and refusal code (none when not refused).",
    labelNames: ["outcome", "code"] as const,
    registers: [this.registry],
  });
  readonly contractsBumps = new Counter({
    name: "release_promoter_contracts_bumps_total",
    help: "Contracts bumps per consumer, by outcome (pull_request, up_to_date, skipped, failed) and code.",
    labelNames: ["outcome", "code"] as const,
    registers: [this.registry],
  });
  readonly tagToPullRequest = new Histogram({
    name: "release_promoter_tag_to_pull_request_seconds",
    help: "From the start of a promotion's run (the delivery's job, or the sweep's) to its pull request opened or updated.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly githubRequests = new Counter({
    name: "release_promoter_github_requests_total",
    help: "Requests to GitHub by kind (read, write: a content-creating request) and result (2xx, 3xx, 4xx, 5xx, error: no answer).",
    labelNames: ["kind", "result"] as const,
    registers: [this.registry],
  });
  readonly rateLimitRemaining = new Gauge({
    name: "release_promoter_github_rate_limit_remaining",
    help: "x-ratelimit-remaining of GitHub's last answer that carried it (the installation's primary rate limit).",
    registers: [this.registry],
  });
  readonly sweepDuration = new Histogram({
    name: "release_promoter_sweep_duration_seconds",
    help: "One installation's sweep, from its job's start to every key judged (the promotions it queues run after).",
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly registryWait = new Histogram({
    name: "release_promoter_registry_wait_seconds",
    help: "How long a promotion waited for CI to push its image (only promotions that had to wait).",
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly queueJobs = new Gauge({
    name: "release_promoter_queue_jobs",
    help: "Jobs in the queue by state: waiting (for their key's turn), running, delayed (waiting for a time: an image wait, a retry; Redis only).",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  readonly queueOldestWaiting = new Gauge({
    name: "release_promoter_queue_oldest_waiting_seconds",
    help: "How long the oldest waiting job has waited (0: none waits).",
    registers: [this.registry],
  });
  private queue: JobQueue | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The metrics in Prometheus's text format; the queue's figures read once per scrape (with Redis, its stats are Redis calls). */
  async scrape(): Promise<string> {
    const stats = await this.queue?.stats();
    this.queueJobs.set({ state: "waiting" }, stats?.waiting ?? 0);
    this.queueJobs.set({ state: "running" }, stats?.running ?? 0);
    this.queueJobs.set({ state: "delayed" }, stats?.delayed ?? 0);
    this.queueOldestWaiting.set((stats?.oldestWaitingMs ?? 0) / 1000);
    return this.registry.metrics();
  }

  /** The queue whose depth `/metrics` reports. */
  watch(queue: JobQueue): void {
    this.queue = queue;
  }

  promotion(outcome: string, code: string | undefined): void {
    this.promotions.inc({ outcome, code: code ?? NONE });
  }

  contractsBump(outcome: string, code: string | undefined): void {
    this.contractsBumps.inc({ outcome, code: code ?? NONE });
  }

  /** One GitHub answer (or none: `status` undefined). */
  githubRequest(kind: "read" | "write", status: number | undefined, headers?: Record<string, unknown>): void {
    this.githubRequests.inc({ kind, result: status === undefined || status < 100 ? "error" : `${Math.floor(status / 100)}xx` });
    const remaining = Number(headers?.["x-ratelimit-remaining"]);
    if (headers?.["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining)) this.rateLimitRemaining.set(remaining);
  }
}

/** GET /metrics in Prometheus's text format. */
export function metricsHandler(metrics: Metrics) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") return false;
    const body = await metrics.scrape();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    res.end(body);
    return true;
  };
}
