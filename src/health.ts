import type { IncomingMessage, ServerResponse } from "node:http";
import type { PromoterDependencies } from "./dependencies.js";

/** GET /healthz: 200 with the number of promotions in flight; used by the Dockerfile's HEALTHCHECK. */
export function healthHandler(deps: PromoterDependencies) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/healthz") return false;
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ status: "ok", promotionsInFlight: deps.tasks.size }));
    return true;
  };
}
