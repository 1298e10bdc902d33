import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import type { PromoterDependencies } from "../dependencies.js";
import { isAuthorized } from "./authorize-status-request.js";
import { readStatus } from "./read-status.js";
import { STATUS_CSP, renderStatusPage } from "./render-status-page.js";
import type { StatusPage } from "./status-data.js";

export const STATUS_CACHE_SECONDS = 30;

export interface StatusHandlerOptions {
  /** The clock (tests move it); default Date.now. */
  now?: () => number;
}

/**
 * GET /status (HTML) and GET /status.json (the same data, shape in status-data.ts): per
 * installation, what runs in each environment, the newest tag, the open promotion PR and the
 * last outcome. Off (404) unless STATUS_PAGE_TOKEN is set; then 401 unless the request carries
 * it (`Authorization: Bearer <token>` or `?token=<token>`). What GitHub returned is kept 30 s per
 * process, so page loads do not each read GitHub; concurrent loads share one read.
 */
export function statusHandler(app: Probot, deps: PromoterDependencies, options: StatusHandlerOptions = {}) {
  const now = options.now ?? deps.now ?? Date.now;
  let cached: { at: number; page: Promise<Omit<StatusPage, "ageSeconds" | "cacheSeconds">> } | undefined;
  const load = () => {
    if (cached === undefined || now() - cached.at >= STATUS_CACHE_SECONDS * 1000) {
      const at = now();
      const page = readStatus(app, deps, now);
      cached = { at, page };
      // A read that throws (a bug: readStatus reports GitHub's failures as data) is not kept.
      page.catch(() => {
        if (cached?.page === page) cached = undefined;
      });
    }
    return cached;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://status.invalid");
    const path = url.pathname;
    if (req.method !== "GET" || (path !== "/status" && path !== "/status.json")) return false;
    const authorization = req.headers.authorization;
    redactCredentials(req, url);
    const token = deps.env.STATUS_PAGE_TOKEN?.trim();
    const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
    if (token === undefined || token === "") {
      res.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" });
      res.end("Not Found\n");
      return true;
    }
    if (!isAuthorized(authorization, url, token)) {
      res.writeHead(401, { ...headers, "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="release-promoter status"' });
      res.end("The status page needs its token: Authorization: Bearer <STATUS_PAGE_TOKEN>, or ?token=<STATUS_PAGE_TOKEN>.\n");
      return true;
    }
    const entry = load();
    let data: Awaited<typeof entry.page>;
    try {
      data = await entry.page;
    } catch (error) {
      app.log.error({ err: error }, "status page: read failed");
      res.writeHead(500, { ...headers, "content-type": "text/plain; charset=utf-8" });
      res.end("The status could not be read; the app's logs have the details.\n");
      return true;
    }
    const page: StatusPage = { ...data, ageSeconds: Math.max(0, Math.floor((now() - entry.at) / 1000)), cacheSeconds: STATUS_CACHE_SECONDS };
    if (path === "/status.json") {
      res.writeHead(200, { ...headers, "content-type": "application/json; charset=utf-8" });
      res.end(`${JSON.stringify(page, null, 2)}\n`);
    } else {
      res.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8", "content-security-policy": STATUS_CSP });
      res.end(renderStatusPage(page));
    }
    return true;
  };
}

/**
 * Probot's request log (pino-http, written when the response ends) prints the URL and the
 * headers: the token, in either form, is replaced there once it has been read.
 */
function redactCredentials(req: IncomingMessage, url: URL): void {
  if (url.searchParams.has("token")) {
    const query = new URLSearchParams(url.search);
    query.set("token", "[redacted]");
    req.url = `${url.pathname}?${query.toString()}`;
  }
  if (req.headers.authorization !== undefined) req.headers.authorization = "[redacted]";
}
