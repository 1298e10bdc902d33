/**
 * Starts the real app the way `probot run` does: Probot's Server on 127.0.0.1 at a free port,
 * webhook signature checked with a secret, handlers loaded from `createApp`. Only the
 * dependencies differ (a zero sleep, a task queue the test can await), never the code path.
 */
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { BackgroundTasks } from "../../src/background-tasks.js";
import type { PromoterDependencies } from "../../src/dependencies.js";
import { createApp } from "../../src/index.js";
import { sign } from "../stand-in/webhooks.js";
import { freePort } from "./free-port.js";
import { throwawayPrivateKey } from "./throwaway-key.js";

export const WEBHOOK_SECRET = "test-webhook-secret";

let privateKey: string | undefined;
/** One throwaway key per test process: no key files in the project. */
export function testPrivateKey(): string {
  privateKey ??= throwawayPrivateKey();
  return privateKey;
}

export { freePort };

export function signPayload(body: string, secret = WEBHOOK_SECRET): string {
  return sign(body, secret);
}

/** Octokit without retries or throttling: a test sees each request once, and no shared throttle state. */
// (The function form wins over the throttle options Probot layers on top; an object would lose.)
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export interface RunningApp {
  url: string;
  tasks: BackgroundTasks;
  logs: Array<Record<string, unknown>>;
  /** POSTs a signed webhook delivery and returns the HTTP status. */
  deliver(event: string, payload: unknown, options?: { id?: string; signature?: string }): Promise<number>;
  stop(): Promise<void>;
}

/** A pino logger at debug level whose lines are kept, parsed, in `logs` (for assertions on what was logged). */
export function collectingLogger(): { log: Logger; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }),
  );
  return { log, logs };
}

export async function startApp(options: { env: Record<string, string | undefined>; fetch?: typeof fetch; baseUrl?: string; log?: Logger }): Promise<RunningApp> {
  const collecting = collectingLogger();
  const { logs } = collecting;
  const log = options.log ?? collecting.log;
  const tasks = new BackgroundTasks((error, key) => log.error({ err: error, key }, "background task failed"));
  const deps: Partial<PromoterDependencies> = {
    env: options.env,
    tasks,
    fetch: options.fetch,
    sleep: async () => undefined,
  };
  const port = await freePort();
  const server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({
      appId: 1,
      privateKey: testPrivateKey(),
      secret: WEBHOOK_SECRET,
      Octokit: TestOctokit,
      log,
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    }),
  });
  await server.load(createApp(deps));
  await server.start();
  const url = `http://127.0.0.1:${port}`;
  let delivery = 0;
  return {
    url,
    tasks,
    logs,
    async deliver(event, payload, deliverOptions = {}) {
      const body = JSON.stringify(payload);
      const response = await fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": deliverOptions.id ?? `delivery-${++delivery}`,
          "x-hub-signature-256": deliverOptions.signature ?? signPayload(body),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    async stop() {
      await tasks.idle();
      await server.stop();
    },
  };
}

/** A Probot instance with the app loaded, for feeding payloads through `probot.receive`. */
export async function createTestProbot(
  env: Record<string, string | undefined>,
  extra: Partial<PromoterDependencies> = {},
  log: Logger = pino({ level: "silent" }),
): Promise<{ probot: Probot; tasks: BackgroundTasks }> {
  const tasks = new BackgroundTasks((error) => {
    throw error;
  });
  const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), secret: WEBHOOK_SECRET, Octokit: TestOctokit, log });
  // No HTTP server here: routes (/healthz) have nowhere to go.
  await probot.load(createApp({ env, tasks, sleep: async () => undefined, ...extra }), { cwd: process.cwd(), addHandler: () => undefined });
  return { probot, tasks };
}
