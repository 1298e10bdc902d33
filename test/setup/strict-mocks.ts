/**
 * Strict HTTP mocks for every test, without a test having to remember anything.
 *
 * `checkStrictMocks()` (run after each test by `check-mocks-after-each-test.ts`, the vitest
 * setup file) throws when the test left behind:
 * - a nock interceptor nobody requested (`nock.pendingMocks()`), including interceptors a
 *   test's own `afterEach` threw away with `nock.cleanAll()` before the check ran;
 * - a request nock could not answer (nock's "no match" event). Loopback requests (127.0.0.1,
 *   localhost, [::1]) are not counted: tests send those on purpose to the app server, a local
 *   docker-registry or verdaccio;
 * - a tracked mock (every `GitHubMock` and every `scriptedFetch`) with problems it has not
 *   reported yet: a non-conforming or unexpected request, an expected request that never came.
 *
 * Problems are reported once: a mock's explicit `assertDone()` takes its problems, so the check
 * after the test does not report them a second time, and anything that happens after
 * `assertDone()` is still caught by the check.
 */
import nock from "nock";

/** A mock that can say what went wrong with it; taking the problems marks them reported. */
export interface TrackedMock {
  takeProblems(): string[];
}

interface StrictMocksState {
  tracked: TrackedMock[];
  /** Requests nock could not answer, not yet reported. */
  unexpected: string[];
  /** Problems collected when a test called `nock.cleanAll()` before the check. */
  discarded: string[];
  /** nock's own `cleanAll`, for the reset after the check. */
  cleanAll: () => void;
}

const STATE = Symbol.for("release-promoter.strict-mocks");
type NockWithState = typeof nock & { [STATE]?: StrictMocksState };

/** One state per nock instance, installed once even if this module is evaluated again. */
function state(): StrictMocksState {
  const holder = nock as NockWithState;
  if (holder[STATE] !== undefined) return holder[STATE];
  const created: StrictMocksState = { tracked: [], unexpected: [], discarded: [], cleanAll: nock.cleanAll.bind(nock) };
  holder[STATE] = created;
  nock.emitter.on("no match", (req: RequestLike, options?: RequestLike) => {
    const request = describeRequest(req, options);
    if (request !== undefined) created.unexpected.push(`unexpected request: ${request}`);
  });
  // A test's `afterEach(() => nock.cleanAll())` runs before the check (vitest runs afterEach
  // hooks in reverse order, the setup file's last); keep what it would throw away.
  Object.defineProperty(nock, "cleanAll", {
    configurable: true,
    writable: true,
    value: function cleanAll(): void {
      created.discarded.push(...collect(created).map((p) => `${p} (discarded by nock.cleanAll() before the check)`));
      created.cleanAll();
    },
  });
  return created;
}
state();

interface RequestLike {
  method?: string;
  href?: string;
  proto?: string;
  protocol?: string;
  host?: string;
  hostname?: string;
  path?: string;
  options?: RequestLike;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** "GET https://ghcr.io/v2/…", or undefined for a loopback request, which tests let through. */
function describeRequest(req: RequestLike, options?: RequestLike): string | undefined {
  const o = options ?? req.options ?? req;
  const protocol = o.proto ?? o.protocol?.replace(/:$/, "") ?? "http";
  const href = o.href ?? `${protocol}://${o.host ?? o.hostname ?? "?"}${o.path ?? ""}`;
  let hostname = o.hostname;
  try {
    hostname = new URL(href).hostname;
  } catch {
    // keep the hostname from the options
  }
  if (hostname !== undefined && (LOOPBACK.has(hostname) || /^127\./.test(hostname))) return undefined;
  return `${(o.method ?? req.method ?? "GET").toUpperCase()} ${href}`;
}

function collect(s: StrictMocksState): string[] {
  // Tracked mocks first: a GitHubMock names its missing requests better than nock does and
  // removes them from nock, so they are not listed twice.
  const fromMocks = s.tracked.flatMap((mock) => mock.takeProblems());
  const pending = nock.pendingMocks().map((key) => `pending nock mock never requested: ${key}`);
  return [...fromMocks, ...pending];
}

/** Registers a mock whose unreported problems fail the current test. */
export function trackMock(mock: TrackedMock): void {
  state().tracked.push(mock);
}

/** Requests nock could not answer since they were last taken (loopback excluded). */
export function takeUnexpectedRequests(): string[] {
  return state().unexpected.splice(0);
}

/** Throws, listing every problem, if any mock was left unused or any request was unexpected. */
export function checkStrictMocks(): void {
  const s = state();
  const problems = [...s.discarded.splice(0), ...takeUnexpectedRequests(), ...collect(s)];
  if (problems.length > 0) {
    throw new Error(`Strict mocks: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((p) => `- ${p}`).join("\n")}`);
  }
}

/** Forgets every mock, interceptor and recorded request, so one test's leftovers stay its own. */
export function resetStrictMocks(): void {
  const s = state();
  s.cleanAll();
  nock.abortPendingRequests();
  s.tracked.length = 0;
  s.unexpected.length = 0;
  s.discarded.length = 0;
}
