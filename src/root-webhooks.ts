import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

/**
 * Deliveries POSTed to `/` are received like those to Probot's webhook path
 * (`/api/github/webhooks`): Probot's setup page registers the app with the server's base URL
 * plus `/` as its webhook URL, so without this every delivery of an app registered that way
 * answered 404. Same handling as the main path — Probot's own middleware (@octokit/webhooks:
 * signature verified against WEBHOOK_SECRET, content type checked), only mounted at `/`. Other
 * methods on `/` are left to Probot.
 */
export function rootWebhookHandler(app: Probot) {
  let middleware: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "POST" || req.url?.split("?")[0] !== "/") return false;
    middleware ??= (await app.getNodeMiddleware({ path: "/" })) as unknown as (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
    return middleware(req, res);
  };
}
