import type { IncomingMessage, ServerResponse } from "node:http";
import type { JobQueue } from "./jobs/job-queue.js";

/**
 * GET /healthz: 200 with the queue's health (jobs waiting and running, how long the oldest has
 * waited, how many were coalesced); used by the Dockerfile's HEALTHCHECK and Kubernetes probes.
 */
export function healthHandler(queue: JobQueue) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/healthz") return false;
    const stats = queue.stats();
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ status: "ok", queue: stats }));
    return true;
  };
}
