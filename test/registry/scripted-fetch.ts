/**
 * A strict scripted `fetch` for registry unit tests: requests must arrive in the scripted order
 * with the scripted method, URL and headers. An unexpected request fails the test (it is
 * recorded, so a caller that catches the thrown error cannot hide it), and so does a scripted
 * request that never came: in `assertDone()`, or, if the test never calls it, in the check
 * after every test (test/setup/strict-mocks.ts), which knows every scripted fetch created.
 */
import { trackMock } from "../setup/strict-mocks.js";

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface ScriptedRequest {
  method: "GET" | "HEAD";
  /** Full URL, query included (compared after normalisation by `new URL`). */
  url: string;
  /** Headers that must have exactly these values; `null` means the header must be absent. */
  headers?: Record<string, string | null>;
  /** How many consecutive requests this entry answers (default 1). */
  times?: number;
  /** The response, an Error to reject with (a network failure), or "hang" until aborted. */
  respond: ScriptedResponse | Error | "hang";
}

export interface ScriptedFetch {
  fetch: typeof fetch;
  /** Every request received, in order: "HEAD https://…". */
  readonly calls: string[];
  assertDone(): void;
}

export function scriptedFetch(script: ScriptedRequest[]): ScriptedFetch {
  const pending = script.map((entry) => ({ ...entry, remaining: entry.times ?? 1, reported: false }));
  const problems: string[] = [];
  const calls: string[] = [];

  /** Problems and unused entries not reported yet; each is reported once. */
  const takeProblems = (): string[] => {
    const unused = pending.filter((entry) => !entry.reported);
    for (const entry of unused) entry.reported = true;
    return [
      ...problems.splice(0),
      ...unused.map((entry) => `scripted request never came: ${entry.method} ${entry.url} (${entry.remaining} more)`),
    ];
  };
  trackMock({ takeProblems: () => takeProblems().map((p) => `scripted fetch: ${p}`) });

  const fake = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString()).toString();
    const method = (init.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers);
    calls.push(`${method} ${url}`);

    const next = pending[0];
    if (next === undefined || next.method !== method || new URL(next.url).toString() !== url) {
      const expected = next === undefined ? "no more requests" : `${next.method} ${new URL(next.url).toString()}`;
      const problem = `unexpected request ${method} ${url} (expected ${expected})`;
      problems.push(problem);
      throw new Error(problem);
    }
    for (const [name, value] of Object.entries(next.headers ?? {})) {
      const actual = headers.get(name);
      if (actual !== value) {
        const problem = `${method} ${url}: header ${name} was ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`;
        problems.push(problem);
        throw new Error(problem);
      }
    }
    next.remaining -= 1;
    if (next.remaining === 0) pending.shift();

    const { respond } = next;
    if (respond instanceof Error) throw respond;
    if (respond === "hang") {
      return new Promise<Response>((_, reject) => {
        const signal = init.signal;
        if (!signal) return reject(new Error("scripted 'hang' needs a request with an AbortSignal"));
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    const raw = respond.body ?? "";
    const body = method === "HEAD" || respond.status === 204 ? null : typeof raw === "string" ? raw : new Uint8Array(raw);
    return new Response(body, { status: respond.status, headers: respond.headers });
  };

  return {
    fetch: fake as typeof fetch,
    calls,
    assertDone() {
      const reported = takeProblems();
      if (reported.length > 0) throw new Error(reported.join("\n"));
    },
  };
}
