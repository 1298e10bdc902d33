import { Octokit as CoreOctokit } from "@octokit/core";
import { enterpriseCompatibility } from "@octokit/plugin-enterprise-compatibility";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { config } from "@probot/octokit-plugin-config";
import { createProbotAuth } from "octokit-auth-probot";
import type { ProbotOctokit } from "probot";
import { proxyFetchFromEnv } from "../http/proxy-fetch.js";
import { isContentCreating, rateLimitWait } from "./pace-content-creation.js";

/**
 * Probot's Octokit without its throttling and retry plugins, and with one small request hook in
 * their place (`readRetries` below). Built from the same parts as Probot's `ProbotOctokit`
 * (probot/lib/octokit/probot-octokit.js: @octokit/core with pagination, the REST methods, GitHub
 * Enterprise compatibility, Probot's request log, `context.config()`, and Probot's
 * authentication), at the versions Probot itself depends on, rather than as a subclass of it:
 * Probot builds an Octokit for every delivery it receives, even one no handler reads GitHub for,
 * and the two plugins, switched off, still cost each construction: 6.7 µs per `new` without
 * them, 10.6 µs for Probot's class, 12.8 µs for a subclass of it with them switched off (one
 * process, 30,000 constructions each); with `rest` built on first use (below), 5 µs.
 * BENCHMARKS.md, section 3, has what that made of the webhook intake.
 *
 * Why not Octokit's plugins: both schedule every request through Bottleneck, whose local
 * datastore yields to the timer queue (`setTimeout(0)`, at least 1 ms each) several times per
 * request. Against the GitHub stand-in on loopback that measured about 10 ms per request for
 * the throttling plugin and 5 ms for the retry plugin (plain Octokit about 5 ms in all): with
 * three or four requests, half of a promotion's tag-to-PR time. Probot's default throttling also
 * put every `/graphql` request — queries too — in its write limiter, 1 s apart per installation,
 * and only logged a secondary limit.
 *
 * What the hook keeps, for **reads** (REST GET/HEAD, GraphQL queries, installation tokens):
 *
 * * a primary or secondary rate limit is waited out and retried up to twice when GitHub asks for
 *   at most `MAX_RETRY_AFTER_SECONDS`; beyond that the request fails and the app reports
 *   `github_rate_limited` (with Redis, the job is retried later);
 * * a 5xx answer, a failed connection, or GraphQL's transient "Something went wrong while
 *   executing your query" is retried up to 3 times, 1, 4 and 9 s later (the retry plugin's
 *   schedule).
 *
 * **Content-creating requests** (REST writes, GraphQL mutations) are never retried here: the
 * app's pacer (pace-content-creation.ts) is the one place that spaces them and waits out their
 * rate limits, and after a 5xx the outcome of a write is unknown — the job is retried from a
 * fresh read (with Redis) or the next sweep converges, instead of replaying a mutation that may
 * have landed (the retry plugin replayed it).
 */
export const MAX_RATE_LIMIT_RETRIES = 2;
export const MAX_RETRY_AFTER_SECONDS = 60;
export const MAX_SERVER_ERROR_RETRIES = 3;

interface HookOptions {
  method?: string;
  url?: string;
  query?: unknown;
  [key: string]: unknown;
}

interface RetrySettings {
  /** Waits between tries; tests pass a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Multiplies the 1, 4, 9 s schedule of server-error retries (tests shorten it). */
  serverErrorBaseMs?: number;
}

const TRANSIENT_GRAPHQL = /Something went wrong while executing your query/;

/** Why a failed read may be tried again, and after how long; undefined: it fails now. */
export function readRetryDelay(
  error: unknown,
  tries: { rateLimited: number; serverErrors: number },
  now: number,
  serverErrorBaseMs = 1000,
): { kind: "rate-limit" | "server-error"; delayMs: number } | undefined {
  const waitMs = rateLimitWait(error, now);
  if (waitMs !== undefined) {
    if (tries.rateLimited >= MAX_RATE_LIMIT_RETRIES || waitMs > MAX_RETRY_AFTER_SECONDS * 1000) return undefined;
    return { kind: "rate-limit", delayMs: waitMs };
  }
  const status = (error as { status?: number }).status;
  // Octokit reports a connection that failed (no HTTP answer) as status 500 too.
  if (typeof status === "number" && status >= 500 && tries.serverErrors < MAX_SERVER_ERROR_RETRIES) {
    return { kind: "server-error", delayMs: (tries.serverErrors + 1) ** 2 * serverErrorBaseMs };
  }
  return undefined;
}

/** The request hook; an Octokit plugin. `octokitOptions.readRetries` tunes the clock (tests). */
export function readRetries(octokit: CoreOctokit, octokitOptions: Record<string, unknown>): void {
  const settings = (octokitOptions.readRetries as RetrySettings | undefined) ?? {};
  const sleep = settings.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = settings.now ?? Date.now;
  octokit.hook.wrap("request", async (request, options) => {
    if (isContentCreating(options as HookOptions)) return request(options);
    const tries = { rateLimited: 0, serverErrors: 0 };
    for (;;) {
      let failure: unknown;
      let transient: Awaited<ReturnType<typeof request>> | undefined;
      try {
        const response = await request(options);
        const errors = (response.data as { errors?: Array<{ message?: string }> } | undefined)?.errors;
        if (!Array.isArray(errors) || !TRANSIENT_GRAPHQL.test(errors[0]?.message ?? "")) return response;
        // GraphQL answers 200 with the error; counted as a server error. Out of retries, the
        // answer goes on as it came (@octokit/graphql throws it: github_unavailable).
        transient = response;
        failure = { status: 500, message: errors[0]!.message };
      } catch (error) {
        failure = error;
      }
      const retry = readRetryDelay(failure, tries, now(), settings.serverErrorBaseMs);
      if (retry === undefined) {
        if (transient !== undefined) return transient;
        throw failure;
      }
      if (retry.kind === "rate-limit") tries.rateLimited++;
      else tries.serverErrors++;
      octokit.log.warn(
        `${retry.kind === "rate-limit" ? "Rate limit" : "Server error"} on "${options.method} ${options.url}" (${(failure as Error).message}): retrying in ${Math.ceil(retry.delayMs / 1000)} s.`,
      );
      await sleep(retry.delayMs);
    }
  });
}

type OctokitOptions = Record<string, unknown> & { throttle?: Record<string, unknown> };

/**
 * Probot's request log (probot/lib/octokit/octokit-plugin-probot-request-logging.js, not exported
 * by Probot): every answer, and every failed request that got one, as
 * `GitHub request: GET /path - 200` at debug, with the request's body as fields.
 */
export function probotRequestLogging(octokit: CoreOctokit): void {
  const logAnswer = (options: Parameters<typeof octokit.request.endpoint.parse>[0], status: number) => {
    const { method, url, ...params } = octokit.request.endpoint.parse(options);
    (octokit.log.debug as unknown as (fields: object, message: string) => void)((params as { body?: object }).body ?? {}, `GitHub request: ${method} ${url} - ${status}`);
  };
  octokit.hook.error("request", (error, options) => {
    if ("status" in error) logAnswer(options, (error as { status: number }).status);
    throw error;
  });
  octokit.hook.after("request", (result, options) => logAnswer(options, result.status));
}

const AppOctokitBase = CoreOctokit.plugin(paginateRest, enterpriseCompatibility, probotRequestLogging, config, readRetries);

/**
 * `octokit.rest` (plugin-rest-endpoint-methods), built on first use for each instance instead of
 * in its constructor: a getter on the prototype. The plugin builds a proxy per API scope, about
 * 3 µs of every construction, and most Octokits Probot builds (one per delivery) never reach
 * `rest` — the app's own code uses `request`, `graphql` and `paginate`. (A getter defined on each
 * instance instead made construction slower, not faster: it changes the instance's shape.)
 */
const restOf = new WeakMap<object, unknown>();
Object.defineProperty(AppOctokitBase.prototype, "rest", {
  configurable: true,
  get(this: CoreOctokit) {
    let rest = restOf.get(this);
    if (rest === undefined) {
      rest = restEndpointMethods(this).rest;
      restOf.set(this, rest);
    }
    return rest;
  },
});

/**
 * Passed to Probot's `run()` by src/main.ts. Probot's options (auth, log, baseUrl) are kept; its
 * throttle options (handlers, and with REDIS_URL a Bottleneck connection to Redis) reach no
 * plugin and are ignored. Nothing they shared across replicas is needed: writes are spaced by
 * the app's pacer, whose spacing is shared in Redis (redis-spacing.ts). Typed as Probot's class,
 * which is what `run()` and `Context` expect: every method and plugin of that type is here.
 */
export const AppOctokit = AppOctokitBase.defaults({
  authStrategy: createProbotAuth,
  userAgent: "release-promoter",
}) as unknown as typeof ProbotOctokit;

/**
 * AppOctokit whose every request — REST, GraphQL and installation tokens — goes through `fetch`.
 * Tokens for installation Octokits are requested through that Octokit's own `request` (the proxy
 * end-to-end test sees them at the proxy); the app authentication's separate `auth.request`,
 * which Probot builds from a `request` option `run()` never sets, is given the same `fetch` for
 * direct `auth({ type: "installation" })` calls, which no path of the app makes today.
 */
export function octokitWithFetch(fetch: typeof globalThis.fetch): typeof ProbotOctokit {
  return AppOctokit.defaults((options: OctokitOptions) => {
    const auth = options.auth as { request?: { defaults?: (defaults: object) => unknown } } | undefined;
    return {
      ...options,
      request: { ...(options.request as object | undefined), fetch },
      ...(typeof auth?.request?.defaults === "function" ? { auth: { ...auth, request: auth.request.defaults({ request: { fetch } }) } } : {}),
    };
  }) as typeof ProbotOctokit;
}

/** The Octokit class `run()` gets: AppOctokit, through the proxy when the environment names one (http/proxy-fetch.ts). */
export function appOctokitFor(env: Record<string, string | undefined>): typeof ProbotOctokit {
  const fetch = proxyFetchFromEnv(env);
  return fetch === undefined ? AppOctokit : octokitWithFetch(fetch);
}
