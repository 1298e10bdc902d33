/**
 * Strict GitHub HTTP mocks (nock). Every request is checked against GitHub's published API
 * descriptions before it is answered; a request nobody expected, a request that does not
 * conform, and an expected request that never came all fail the test: in `assertDone()`, or,
 * if the test never calls it, in the check after every test (test/setup/strict-mocks.ts).
 * Every request is recorded with its kind, for the request-count tests.
 */
import nock from "nock";
import type { OperationDefinitionNode } from "graphql";
import { assertRestRoute, assertValidGraphql } from "./github-description.js";
import { takeUnexpectedRequests, trackMock } from "../setup/strict-mocks.js";

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

interface Expectation {
  /** "GraphQL ReadPromotionTargets", "POST /repos/acme/core-api/check-runs". */
  name: string;
  interceptor: nock.Interceptor;
  answered: boolean;
  reported: boolean;
}

export class GitHubMock {
  readonly requests: RecordedRequest[] = [];
  private readonly problems: string[] = [];
  private readonly expectations: Expectation[] = [];
  private readonly scope: nock.Scope;

  constructor(readonly baseUrl = GITHUB) {
    this.scope = nock(baseUrl);
    trackMock(this);
  }

  /** The installation token Probot asks for before the first call (excluded from counts). */
  accessToken(installationId: number): this {
    const expectation = this.expect(`POST /app/installations/${installationId}/access_tokens`, this.scope.post(`/app/installations/${installationId}/access_tokens`));
    expectation.interceptor.reply(201, () => {
      expectation.answered = true;
      this.record("POST", `/app/installations/${installationId}/access_tokens`, "token", "/app/installations/{installation_id}/access_tokens", undefined);
      return { token: "ghs_test_installation_token", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} };
    });
    return this;
  }

  /** Answers one GraphQL request whose operation is `operationName`. */
  graphql(operationName: string, respond: (call: GraphqlCall) => unknown): this {
    const expectation = this.expect(
      `GraphQL ${operationName}`,
      this.scope.post("/graphql", (body: { query?: string }) => typeof body.query === "string" && new RegExp(`\\b(query|mutation)\\s+${operationName}\\b`).test(body.query)),
    );
    expectation.interceptor.reply((_uri, body) => {
      expectation.answered = true;
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
    const expectation = this.expect(`${method} ${path}`, this.scope.intercept(path, method));
    expectation.interceptor.reply((uri, body) => {
      expectation.answered = true;
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

  /**
   * Fails on any unexpected or non-conforming request and on any expected request that never
   * came. It leaves other mocks (a registry's) alone: the check after the test covers those.
   * What it reports is reported once; calling it is optional, the check after the test runs it.
   */
  assertDone(): void {
    const problems = [...this.takeOwnProblems(), ...takeUnexpectedRequests()];
    if (problems.length > 0) throw new Error(`GitHub mock:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  }

  /** For the check after the test: the problems `assertDone()` has not reported. */
  takeProblems(): string[] {
    return this.takeOwnProblems().map((p) => `GitHub mock (${this.baseUrl}): ${p}`);
  }

  /** Non-conforming requests and unanswered expectations, once; those leave nock's pending list. */
  private takeOwnProblems(): string[] {
    const problems = this.problems.splice(0);
    for (const expectation of this.expectations) {
      if (expectation.answered || expectation.reported) continue;
      expectation.reported = true;
      nock.removeInterceptor(expectation.interceptor);
      problems.push(`expected request never came: ${expectation.name}`);
    }
    return problems;
  }

  private expect(name: string, interceptor: nock.Interceptor): Expectation {
    const expectation: Expectation = { name, interceptor, answered: false, reported: false };
    this.expectations.push(expectation);
    return expectation;
  }

  private record(method: string, path: string, kind: RequestKind, name: string, body: unknown): void {
    this.requests.push({ method, path, kind, name, body, at: Date.now() });
  }
}

