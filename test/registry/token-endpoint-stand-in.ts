/**
 * A strict stand-in for a vendor's token endpoint (AWS ECR's API, Google STS, Microsoft Entra,
 * ACR's /oauth2/exchange) on 127.0.0.1 at a port chosen at run time, over http or, with `tls`,
 * https. Each test scripts the requests it expects, in order, each with its answer; a request
 * nobody scripted is answered 500 and recorded, and `assertDone()` fails on it and on a scripted
 * request that never came (and starts the next test's record).
 */
import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface StandInRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ExpectedRequest {
  method: string;
  path: string;
  /** Throws (e.g. an expect) when the request is not the one expected. */
  check?: (request: StandInRequest) => void;
  /** "hang": never answer (the connection closes at stop()). */
  answer: StandInAnswer | "hang" | ((request: StandInRequest) => StandInAnswer);
}

export interface TokenEndpointStandIn {
  /** "http://127.0.0.1:<port>" or "https://…" */
  url: string;
  /** "127.0.0.1:<port>" */
  host: string;
  /** Every request received since the last assertDone(), in order. */
  readonly received: StandInRequest[];
  expect(...requests: ExpectedRequest[]): void;
  assertDone(): void;
  stop(): Promise<void>;
}

export async function startTokenEndpointStandIn(options: { tls?: { certificatePath: string; keyPath: string } } = {}): Promise<TokenEndpointStandIn> {
  const expected: ExpectedRequest[] = [];
  const problems: string[] = [];
  const received: StandInRequest[] = [];

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const seen: StandInRequest = {
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(seen);
      const next = expected.shift();
      let answer: StandInAnswer;
      try {
        if (next === undefined) throw new Error("nothing more was expected");
        const path = seen.path.split("?")[0];
        if (seen.method !== next.method || path !== next.path) throw new Error(`expected ${next.method} ${next.path}`);
        next.check?.(seen);
        if (next.answer === "hang") return;
        answer = typeof next.answer === "function" ? next.answer(seen) : next.answer;
      } catch (error) {
        problems.push(`unexpected ${seen.method} ${seen.path}: ${(error as Error).message}`);
        answer = { status: 500, body: { error: "not expected by the test" } };
      }
      const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
      response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      response.end(body);
    });
  };

  const server =
    options.tls === undefined
      ? createHttpServer(handle)
      : createHttpsServer({ cert: await readFile(options.tls.certificatePath), key: await readFile(options.tls.keyPath) }, handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    received,
    expect: (...requests) => expected.push(...requests),
    assertDone: () => {
      const left = expected.splice(0).map((request) => `expected request never came: ${request.method} ${request.path}`);
      const all = [...problems.splice(0), ...left];
      received.splice(0);
      if (all.length > 0) throw new Error(`token endpoint stand-in:\n${all.join("\n")}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
