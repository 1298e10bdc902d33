import type { IncomingMessage, ServerResponse } from "node:http";
import type { JobQueue } from "./jobs/job-queue.js";

/**
 * GET /healthz: the queue's health (backend, Redis reachable when configured, jobs waiting and
 * running, how long the oldest has waited); 200, or 503 when Redis is configured and does not
 * answer. Used by the Dockerfile's HEALTHCHECK and the Kubernetes probes in deploy/.
 */
export function healthHandler(queue: JobQueue) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/healthz") return false;
    const stats = await queue.stats();
    // Redis configured but not answering: not healthy (a readiness probe takes the replica out; deliveries would be refused).
    const healthy = stats.redis !== "unreachable";
    res.writeHead(healthy ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ status: healthy ? "ok" : "redis unreachable", queue: stats }));
    return true;
  };
}
