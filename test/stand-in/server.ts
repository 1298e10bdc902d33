/**
 * A GitHub stand-in on 127.0.0.1, for tests, the demo and the benchmark. It plays a GitHub
 * Enterprise Server: REST under /api/v3, GraphQL at /api/graphql, so the app reaches it through
 * its ordinary settings (GHE_HOST, GHE_PROTOCOL) and no test-only path exists in src/.
 *
 * - Real state (world.ts): a commit the app makes is what the next read returns.
 * - Refuses what GitHub would refuse: every REST request is checked against @octokit/openapi,
 *   every GraphQL document and its variables against @octokit/graphql-schema; installation
 *   tokens come only for a JWT signed with the app's key. A non-conforming request is answered
 *   as GitHub would (404/422, GraphQL errors), printed to stderr and kept in `problems`, which
 *   `assertNoProblems()` turns into a failure.
 * - Latency per request, faults (5xx, secondary-limit 403 with Retry-After, a branch moved
 *   under the app's feet), and every request counted by kind.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { assertRestRequest } from "../helpers/github-description.js";
import { runGraphql } from "./graphql-api.js";
import { RestError, runRest } from "./rest-api.js";
import { type CheckRun, World } from "./world.js";

export type RequestKind = "token" | "read" | "write";

export interface StandInRequest {
  method: string;
  path: string;
  /** REST route template, or the GraphQL operation name. */
  name: string;
  kind: RequestKind;
  /**
   * Writes that create content, which GitHub's secondary limits cap at 80 a minute: REST POST
   * and PUT (check runs, refs, files, PRs, labels) and GraphQL mutations with a create…/add…/
   * merge… field. Updates and deletions (PATCH a check run, updateRef, deleteRef,
   * updatePullRequest alone) are writes but create nothing.
   */
  contentCreating: boolean;
  status: number;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** When it arrived and when its answer was sent, on this process's performance.now() clock. */
  receivedMs: number;
  answeredMs: number;
}

export interface Fault {
  /** REST route template or GraphQL operation name the fault applies to. */
  name: string;
  /** How many matching requests it affects (default 1). */
  times?: number;
  /** Answer with this instead of handling the request. */
  reply?: { status: number; body?: unknown; headers?: Record<string, string> };
  /** Run this against the state first, then handle the request normally (e.g. move a branch). */
  before?: (world: World) => void;
}

export interface StandInOptions {
  appId: number;
  /** The app's private key (PEM); the stand-in keeps only its public half, to verify JWTs. */
  privateKey: string;
  /** Added to every request before it is answered. */
  latencyMs?: number;
  /** Where refusals are printed as they happen (default: stderr). */
  onProblem?: (problem: string) => void;
}

/** A secondary rate limit as GitHub answers it: 403 with Retry-After. */
export function secondaryRateLimit(name: string, retryAfterSeconds: number, times = 1): Fault {
  return {
    name,
    times,
    reply: {
      status: 403,
      headers: { "retry-after": String(retryAfterSeconds) },
      body: {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      },
    },
  };
}

export function serverError(name: string, status = 502, times = 1): Fault {
  return { name, times, reply: { status, body: { message: "Server Error" } } };
}

/** Someone pushes to `branch` just before the request: the app's expected head is then stale. */
export function moveBranchBefore(name: string, repository: string, branch: string, times = 1): Fault {
  return {
    name,
    times,
    before: (world) => world.commitOn(repository, { [`moved-${Date.now()}.txt`]: "pushed by someone else\n" }, { branch, message: "Concurrent push" }),
  };
}

function isContentCreating(method: string, name: string, mutationFields: string[]): boolean {
  if (name === "/app/installations/{installation_id}/access_tokens") return false;
  if (method === "POST" && name === "/graphql") return mutationFields.some((field) => /^(create|add|merge)/.test(field));
  return method === "POST" || method === "PUT";
}

export class GitHubStandIn {
  readonly world = new World();
  readonly requests: StandInRequest[] = [];
  readonly problems: string[] = [];
  latencyMs: number;
  private readonly faults: Array<Fault & { left: number }> = [];
  private readonly waiters = new Set<(request: StandInRequest) => void>();
  private readonly tokens = new Map<string, number>();
  private readonly installations = new Set<number>();
  private readonly publicKey: KeyObject;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly options: StandInOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.publicKey = createPublicKey(options.privateKey);
  }

  /** The origin, e.g. http://127.0.0.1:43121 */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The REST root, as Probot derives it from GHE_HOST: http://127.0.0.1:43121/api/v3 */
  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  /** The app's ordinary GitHub Enterprise settings that point it here. */
  get env(): { GHE_HOST: string; GHE_PROTOCOL: string } {
    return { GHE_HOST: `127.0.0.1:${this.port}`, GHE_PROTOCOL: "http" };
  }

  addInstallation(id: number): this {
    this.installations.add(id);
    return this;
  }

  /**
   * An installation token, as POST /app/installations/{id}/access_tokens would mint one, for a
   * client the test drives itself (the bench's baseline workflow script, which GitHub Actions
   * would hand a token). Not counted as a request.
   */
  installationToken(installationId: number): string {
    if (!this.installations.has(installationId)) throw new Error(`no installation ${installationId}`);
    const token = `ghs_${randomBytes(18).toString("base64url")}`;
    this.tokens.set(token, installationId);
    return token;
  }

  fault(fault: Fault): this {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  /** Requests by kind since the last reset (tokens counted apart). */
  counts(from = 0): { token: number; read: number; write: number; contentCreating: number; total: number } {
    const requests = this.requests.slice(from);
    const count = (kind: RequestKind) => requests.filter((r) => r.kind === kind).length;
    return {
      token: count("token"),
      read: count("read"),
      write: count("write"),
      contentCreating: requests.filter((r) => r.contentCreating).length,
      total: requests.filter((r) => r.kind !== "token").length,
    };
  }

  /** Resolves with the first request from now on that `matches`, once it has been answered. */
  nextRequest(matches: (request: StandInRequest) => boolean, timeoutMs = 60_000): Promise<StandInRequest> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching GitHub request within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (request: StandInRequest) => {
        if (!matches(request)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(request);
      };
      this.waiters.add(waiter);
    });
  }

  /** The first completed check run on `commit`, once there is one (the app reports in the background); undefined after `timeoutMs`. */
  async completedCheckRun(repository: string, commit: string, timeoutMs: number): Promise<CheckRun | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = this.world.checkRunsOn(repository, commit).find((candidate) => candidate.status === "completed");
      if (run !== undefined || Date.now() >= deadline) return run;
      await sleep(100);
    }
  }

  assertNoProblems(): void {
    if (this.problems.length > 0) throw new Error(`GitHub stand-in refused requests:\n${this.problems.map((p) => `- ${p}`).join("\n")}`);
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.problem(`stand-in crashed on ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
        if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: "stand-in error" }));
      });
    });
    // Keep-alive sockets must not hold the process open after stop().
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    this.world.htmlBase = this.url;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private problem(message: string): void {
    this.problems.push(message);
    (this.options.onProblem ?? ((line: string) => process.stderr.write(`[github stand-in] ${line}\n`)))(message);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const receivedMs = performance.now();
    const method = request.method ?? "GET";
    const url = request.url ?? "/";
    const raw = await readBody(request);
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    const send = (status: number, body: unknown, headers: Record<string, string> = {}, record?: Omit<StandInRequest, "status" | "at" | "method" | "path" | "receivedMs" | "answeredMs">) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      response.end(body === undefined ? "" : JSON.stringify(body));
      if (record === undefined) return;
      const recorded: StandInRequest = { method, path: url, ...record, status, at, receivedMs, answeredMs: performance.now() };
      this.requests.push(recorded);
      for (const waiter of [...this.waiters]) waiter(recorded);
    };

    let body: unknown;
    try {
      body = raw.length === 0 ? undefined : JSON.parse(raw);
    } catch {
      this.problem(`${method} ${url}: body is not JSON`);
      return send(400, { message: "Problems parsing JSON" });
    }

    if (url === "/api/graphql" && method === "POST") return this.handleGraphql(request, body, send);
    if (!url.startsWith("/api/v3/")) {
      this.problem(`${method} ${url} is outside GitHub Enterprise's API paths (/api/v3, /api/graphql)`);
      return send(404, { message: "Not Found" });
    }
    const path = url.slice("/api/v3".length);
    let route: { template: string; params: Record<string, string> };
    try {
      route = assertRestRequest(method, path, body);
    } catch (error) {
      this.problem((error as Error).message);
      const notARoute = /is not a route|is not allowed/.test((error as Error).message);
      return send(notARoute ? 404 : 422, { message: notARoute ? "Not Found" : `Invalid request.\n\n${(error as Error).message}` });
    }
    const name = route.template;

    if (name === "/app/installations/{installation_id}/access_tokens" && method === "POST") {
      const record = { name, kind: "token" as const, contentCreating: false };
      const refusal = this.checkJwt(request.headers.authorization);
      if (refusal !== undefined) {
        this.problem(`installation token refused: ${refusal}`);
        return send(401, { message: refusal }, {}, record);
      }
      const installationId = Number(route.params.installation_id);
      if (!this.installations.has(installationId)) return send(404, { message: "Not Found" }, {}, record);
      const token = this.installationToken(installationId);
      return send(
        201,
        { token, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { contents: "write", pull_requests: "write", checks: "write", metadata: "read", attestations: "read", issues: "write" }, repository_selection: "selected" },
        {},
        record,
      );
    }

    if (name === "/app/installations" && method === "GET") {
      // The app's JWT lists its installations (the sweep's first request); an installation token may not.
      const record = { name, kind: "read" as const, contentCreating: false };
      const refusal = this.checkJwt(request.headers.authorization);
      if (refusal !== undefined) {
        this.problem(`GET /app/installations refused: ${refusal}`);
        return send(401, { message: refusal }, {}, record);
      }
      return send(200, [...this.installations].map((id) => this.installationModel(id)), {}, record);
    }

    const kind: RequestKind = method === "GET" ? "read" : "write";
    const record = { name, kind, contentCreating: kind === "write" && isContentCreating(method, name, []) };
    const installationId = this.installationFor(request.headers.authorization);
    if (installationId === undefined) {
      this.problem(`${method} ${path} without a valid installation token`);
      return send(401, { message: "Bad credentials" }, {}, record);
    }
    const faulted = this.applyFault(name);
    if (faulted !== undefined) return send(faulted.status, faulted.body, faulted.headers, record);
    try {
      const search = path.split("?")[1] ?? "";
      const reply = runRest(method, name, {
        world: this.world,
        installationId,
        apiUrl: this.apiUrl,
        params: route.params,
        query: new URLSearchParams(search),
        body: (body ?? {}) as Record<string, unknown>,
      });
      return send(reply.status, reply.body, reply.headers, record);
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      if (error.status === 501) this.problem(error.message);
      return send(error.status, { message: error.message, documentation_url: "https://docs.github.com/rest" }, {}, record);
    }
  }

  private handleGraphql(
    request: IncomingMessage,
    body: unknown,
    send: (status: number, body: unknown, headers?: Record<string, string>, record?: Omit<StandInRequest, "status" | "at" | "method" | "path" | "receivedMs" | "answeredMs">) => void,
  ): void {
    const installationId = this.installationFor(request.headers.authorization);
    if (installationId === undefined) {
      this.problem("GraphQL request without a valid installation token");
      return send(401, { message: "Bad credentials" });
    }
    // Faults match on the operation name, known only once the document is parsed: peek at it.
    const operationName = /\b(?:query|mutation)\s+(\w+)/.exec(String((body as { query?: unknown } | undefined)?.query ?? ""))?.[1] ?? "(anonymous)";
    const isMutation = /^\s*mutation\b/.test(String((body as { query?: unknown } | undefined)?.query ?? ""));
    const faulted = this.applyFault(operationName);
    if (faulted !== undefined) {
      return send(faulted.status, faulted.body, faulted.headers, { name: operationName, kind: isMutation ? "write" : "read", contentCreating: false });
    }
    const outcome = runGraphql({ world: this.world, installationId }, body);
    for (const problem of outcome.problems) this.problem(`${outcome.operationName ?? "(anonymous)"}: ${problem}`);
    const kind: RequestKind = outcome.operation === "mutation" ? "write" : "read";
    send(outcome.status, outcome.body, {}, {
      name: outcome.operationName ?? "(anonymous)",
      kind,
      contentCreating: kind === "write" && isContentCreating("POST", "/graphql", outcome.mutationFields),
    });
  }

  private applyFault(name: string): Fault["reply"] | undefined {
    const fault = this.faults.find((f) => f.name === name && f.left > 0);
    if (fault === undefined) return undefined;
    fault.left -= 1;
    fault.before?.(this.world);
    return fault.reply;
  }

  /** An installation as GET /app/installations lists it: the account is the owner of its repositories. */
  private installationModel(id: number): Record<string, unknown> {
    const owner = [...this.world.repositories.values()].find((repository) => repository.installationId === id)?.owner ?? `installation-${id}`;
    const stamp = "2026-01-01T00:00:00Z";
    return {
      id,
      account: { login: owner, id, type: "Organization" },
      repository_selection: "selected",
      app_id: 1,
      target_id: id,
      target_type: "Organization",
      permissions: { contents: "write", pull_requests: "write", checks: "write", metadata: "read", attestations: "read" },
      events: ["push", "pull_request"],
      created_at: stamp,
      updated_at: stamp,
      suspended_at: null,
      suspended_by: null,
    };
  }

  private installationFor(authorization: string | undefined): number | undefined {
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    return token === undefined ? undefined : this.tokens.get(token);
  }

  /** Why GitHub would refuse this app JWT, or undefined when it is good (RS256, signed with the app's key, iss, ≤10 min). */
  private checkJwt(authorization: string | undefined): string | undefined {
    const jwt = /^bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (jwt === undefined) return "A JSON web token could not be decoded";
    const [header = "", payload = "", signature = ""] = jwt.split(".");
    const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      if (decode(header).alg !== "RS256") return "'alg' must be RS256";
      claims = decode(payload);
    } catch {
      return "A JSON web token could not be decoded";
    }
    if (!verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), this.publicKey, Buffer.from(signature, "base64url"))) {
      return "A JSON web token could not be decoded (signature does not match the app's key)";
    }
    if (String(claims.iss) !== String(this.options.appId)) return `'Issuer' claim ('iss') must be ${this.options.appId}`;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp < now) return "'Expiration time' claim ('exp') must be a numeric value representing the future time";
    if (typeof claims.iat !== "number" || claims.exp - claims.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

export async function startGitHubStandIn(options: StandInOptions): Promise<GitHubStandIn> {
  return new GitHubStandIn(options).start();
}
