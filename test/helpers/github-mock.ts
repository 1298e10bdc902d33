/**
 * Strict GitHub HTTP mocks (nock). Every request is checked against GitHub's published API
 * descriptions before it is answered; a request nobody expected, a request that does not
 * conform, and an expected request that never came all fail the test in `assertDone()`.
 * Every request is recorded with its kind, for the request-count tests.
 */
import nock from "nock";
import type { OperationDefinitionNode } from "graphql";
import { assertRestRoute, assertValidGraphql } from "./github-description.js";

export const GITHUB = "https://api.github.com";

export type RequestKind = "token" | "read" | "write";

export interface RecordedRequest {
  method: string;
  path: string;
  kind: RequestKind;
  /** GraphQL operation name, or the REST route template. */
  name: string;
  body: unknown;
  at: number;
}

type Reply = [status: number, body?: unknown, headers?: Record<string, string>];

export interface GraphqlCall {
  query: string;
  variables: Record<string, unknown>;
}

export class GitHubMock {
  readonly requests: RecordedRequest[] = [];
  private readonly problems: string[] = [];
  private readonly scope: nock.Scope;
  private readonly onNoMatch = (req: { method?: string; path?: string; href?: string; options?: { href?: string } }) => {
    const href = req.href ?? req.options?.href ?? req.path ?? "?";
    // Loopback traffic (the app's own server, a local registry) is let through on purpose.
    if (/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(href)) return;
    this.problems.push(`unexpected request: ${req.method ?? "?"} ${href}`);
  };

  constructor(readonly baseUrl = GITHUB) {
    this.scope = nock(baseUrl);
    nock.emitter.on("no match", this.onNoMatch);
  }

  /** The installation token Probot asks for before the first call (excluded from counts). */
  accessToken(installationId: number): this {
    this.scope.post(`/app/installations/${installationId}/access_tokens`).reply(201, () => {
      this.record("POST", `/app/installations/${installationId}/access_tokens`, "token", "/app/installations/{installation_id}/access_tokens", undefined);
      return { token: "ghs_test_installation_token", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} };
    });
    return this;
  }

  /** Answers one GraphQL request whose operation is `operationName`. */
  graphql(operationName: string, respond: (call: GraphqlCall) => unknown): this {
    this.scope
      .post("/graphql", (body: { query?: string }) => typeof body.query === "string" && new RegExp(`\\b(query|mutation)\\s+${operationName}\\b`).test(body.query))
      .reply((_uri, body) => {
        const call = body as unknown as GraphqlCall;
        let operation: OperationDefinitionNode;
        try {
          operation = assertValidGraphql(call.query, call.variables ?? {});
        } catch (error) {
          this.problems.push(`${operationName}: ${(error as Error).message}`);
          return [400, { message: (error as Error).message }];
        }
        this.record("POST", "/graphql", operation.operation === "mutation" ? "write" : "read", operationName, call);
        const result = respond({ query: call.query, variables: call.variables ?? {} }) as Record<string, unknown> | null;
        // `__status`/`__headers` let a test answer with an HTTP failure (500, a secondary-limit 403).
        if (result !== null && typeof result === "object" && "__status" in result) {
          const { __status, __headers, ...body } = result;
          return [__status as number, body, (__headers ?? {}) as Record<string, string>];
        }
        return [200, result !== null && typeof result === "object" && "errors" in result ? result : { data: result }];
      });
    return this;
  }

  /** Answers one REST request; the route, method and body fields must exist in GitHub's OpenAPI description. */
  rest(method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", path: string, respond: (body: unknown) => Reply): this {
    const interceptor = this.scope.intercept(path, method);
    interceptor.reply((uri, body) => {
      let template: string;
      try {
        template = assertRestRoute(method, uri, body);
      } catch (error) {
        this.problems.push((error as Error).message);
        return [400, { message: (error as Error).message }];
      }
      this.record(method, uri, method === "GET" ? "read" : "write", template, body);
      const [status, replyBody, headers] = respond(body);
      return [status, replyBody ?? "", headers ?? {}];
    });
    return this;
  }

  /** Requests of the given kinds, in order. */
  count(...kinds: RequestKind[]): number {
    return this.requests.filter((r) => kinds.includes(r.kind)).length;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === "write");
  }

  /** Fails on any unexpected or non-conforming request and on any expected request that never came. */
  assertDone(): void {
    nock.emitter.off("no match", this.onNoMatch);
    const pending = this.scope.pendingMocks();
    const problems = [...this.problems, ...pending.map((p) => `expected request never came: ${p}`)];
    nock.cleanAll();
    if (problems.length > 0) throw new Error(`GitHub mock:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  }

  private record(method: string, path: string, kind: RequestKind, name: string, body: unknown): void {
    this.requests.push({ method, path, kind, name, body, at: Date.now() });
  }
}

