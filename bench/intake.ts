/**
 * Webhook intake: how many signed deliveries an app process answers per second, how fast, and
 * what that does to its memory. Load comes from autocannon, in this process; the app runs in
 * its own (see app-process.ts).
 */
import { createRequire } from "node:module";
import { type PushPayload, recordedTagPush, webhookHeaders } from "../test/stand-in/webhooks.js";
import type { AppProcess } from "./app-process.js";

export interface IntakePayload {
  event: string;
  /** The exact JSON text sent, and signed. */
  body: string;
}

export interface IntakeResult {
  target: string;
  durationSeconds: number;
  connections: number;
  /** Mean of autocannon's one-second samples. */
  deliveriesPerSecond: number;
  /** Responses received. */
  deliveries: number;
  non2xx: number;
  /** Socket errors other than timeouts. */
  errors: number;
  /** Deliveries not answered within 10 s, when GitHub would have given up on them too. */
  timeouts: number;
  /** Of 2xx responses only, in whole milliseconds (autocannon's resolution): 0 means under 1 ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /**
   * CPU time the app process used per response (all its threads), in microseconds: what each
   * delivery costs the app, much less moved by other load on the machine than deliveries/s.
   */
  cpuMicrosPerDelivery: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** Per round, in order (runIntakeRounds only): what each round measured on its own. */
  rounds?: Array<{ deliveriesPerSecond: number; cpuMicrosPerDelivery: number }>;
}

// autocannon publishes no type declarations (and @types/autocannon is not a dependency):
// describe the part used here.
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  idReplacement: boolean;
  requests: Array<{ method: "POST"; path: string; headers: Record<string, string>; body: string }>;
}
interface AutocannonResult {
  requests: { mean: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = createRequire(import.meta.url)("autocannon") as (options: AutocannonOptions) => PromiseLike<AutocannonResult>;

/** autocannon puts a fresh id wherever this appears in a request (with `idReplacement`). */
const ID_PLACEHOLDER = "[<id>]";

/**
 * Sends `payloads` in turn on each connection for `durationSeconds`, every delivery signed for
 * `target`, each with its own x-github-delivery id.
 */
export async function runIntake(options: {
  target: AppProcess;
  payloads: IntakePayload[];
  durationSeconds?: number;
  connections?: number;
}): Promise<IntakeResult> {
  const { target, payloads, durationSeconds = 20, connections = 10 } = options;
  const requests = payloads.map(({ event, body }) => {
    // The id replacement runs over the whole request; in the body it would break the signature.
    if (body.includes(ID_PLACEHOLDER)) throw new Error(`runIntake: a ${event} payload contains ${ID_PLACEHOLDER}`);
    return { method: "POST" as const, path: target.webhookPath, headers: webhookHeaders(event, ID_PLACEHOLDER, target.sign(body)), body };
  });

  const rssBeforeBytes = target.rssBytes();
  const cpuBefore = target.cpuMicros();
  const result = await autocannon({
    url: target.url,
    connections,
    duration: durationSeconds,
    timeout: 10, // seconds: GitHub gives up on a delivery after 10 s
    idReplacement: true,
    requests,
  });
  const cpuMicros = target.cpuMicros() - cpuBefore;
  const rssAfterBytes = target.rssBytes();

  return {
    target: target.name,
    durationSeconds,
    connections,
    deliveriesPerSecond: result.requests.mean,
    deliveries: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors - result.timeouts, // autocannon counts a timeout as an error too
    timeouts: result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    cpuMicrosPerDelivery: result.requests.total === 0 ? Number.NaN : cpuMicros / result.requests.total,
    rssBeforeBytes,
    rssAfterBytes,
  };
}

/**
 * `runIntake` against each target in turn, `rounds` times (app, bare, then bare, app, …), each round
 * `durationSeconds / rounds` long, merged per target: deliveries and errors summed, throughput =
 * deliveries / time, p50 and p99 the mean of the rounds' (autocannon reports percentiles per
 * run), CPU per delivery over all rounds, RSS before the first round and after the last. Alternating makes a drift of the machine
 * (a noisy neighbour on a shared VM moved single runs by ±20 %) fall on both targets alike
 * instead of on whichever ran second.
 */
export async function runIntakeRounds(options: { targets: AppProcess[]; payloads: IntakePayload[]; durationSeconds: number; rounds?: number; connections?: number }): Promise<IntakeResult[]> {
  const rounds = options.rounds ?? 4;
  const perRound = Math.max(1, Math.round(options.durationSeconds / rounds));
  const results: IntakeResult[][] = options.targets.map(() => []);
  const order = options.targets.map((_, i) => i);
  for (let round = 0; round < rounds; round++) {
    // Every other round in reverse (A B, B A, …): going first in a round measured about 7 % slower
    // (three copies of the same bare app: 3978, 4266, 4227 deliveries/s by position).
    for (const i of round % 2 === 0 ? order : [...order].reverse()) {
      results[i]!.push(await runIntake({ target: options.targets[i]!, payloads: options.payloads, durationSeconds: perRound, connections: options.connections }));
    }
  }
  return results.map((runs) => {
    const sum = (pick: (run: IntakeResult) => number) => runs.reduce((total, run) => total + pick(run), 0);
    const mean = (pick: (run: IntakeResult) => number) => Math.round(sum(pick) / runs.length);
    const seconds = sum((run) => run.durationSeconds);
    return {
      target: runs[0]!.target,
      durationSeconds: seconds,
      connections: runs[0]!.connections,
      deliveriesPerSecond: sum((run) => run.deliveries) / seconds,
      deliveries: sum((run) => run.deliveries),
      non2xx: sum((run) => run.non2xx),
      errors: sum((run) => run.errors),
      timeouts: sum((run) => run.timeouts),
      latencyP50Ms: mean((run) => run.latencyP50Ms),
      latencyP99Ms: mean((run) => run.latencyP99Ms),
      cpuMicrosPerDelivery: sum((run) => run.cpuMicrosPerDelivery * run.deliveries) / sum((run) => run.deliveries),
      rssBeforeBytes: runs[0]!.rssBeforeBytes,
      rssAfterBytes: runs.at(-1)!.rssAfterBytes,
      rounds: runs.map((run) => ({ deliveriesPerSecond: run.deliveries / run.durationSeconds, cpuMicrosPerDelivery: run.cpuMicrosPerDelivery })),
    };
  });
}

/**
 * The delivery mix: per 20 deliveries, 19 pushes of `main` and one push of a tag (by default
 * the recorded `core-v0.10.0` in acme/core-api). Most push deliveries an org's installation receives are
 * branch pushes; the app ignores those without a single GitHub request, so they measure the
 * bare intake cost. The tag push starts a promotion as background work, which must not hold
 * the response: its latency should stay that of a branch push.
 */
export function intakePayloads(tagPush: PushPayload = recordedTagPush()): IntakePayload[] {
  const branchPush: IntakePayload = { event: "push", body: JSON.stringify(pushOfMain(tagPush)) };
  return [
    ...Array.from({ length: 19 }, () => branchPush),
    { event: "push", body: JSON.stringify(tagPush) },
  ];
}

/** The same repository, sender and commit, pushed to `main` on top of a parent commit. */
function pushOfMain(tagPush: PushPayload): PushPayload {
  const before = "a10867b14bb761a232cd80139fbd4c0d33264240"; // a made-up parent of the pushed commit
  return {
    ...tagPush,
    ref: "refs/heads/main",
    before,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${tagPush.repository.html_url}/compare/${before.slice(0, 12)}...${tagPush.after.slice(0, 12)}`,
    commits: tagPush.head_commit === null ? [] : [tagPush.head_commit],
  };
}
