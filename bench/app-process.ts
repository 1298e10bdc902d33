/**
 * Starts a Probot app as its own process, the way `npm start` does (`node dist/main.js`; a plain Probot app with `probot run <entry>`), so
 * that the throughput, latency and memory the bench measures are the app's alone and not shared
 * with the load generator. The child is node itself (running main.js, or Probot's CLI): its pid is the app's,
 * and /proc/<pid>/status is the app's memory.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/helpers/free-port.js";
import { sign as signWith, webhookHeaders } from "../test/stand-in/webhooks.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
/** `probot run`, for apps without an entry point of their own (the bare Probot app); run directly so the child pid is the app process. */
const probotCli = join(projectRoot, "node_modules/probot/bin/probot.js");

const READY_TIMEOUT_MS = 20_000;
/** Docker's and Kubernetes' default grace period before SIGKILL. */
const STOP_TIMEOUT_MS = 30_000;
const MAX_LOG_LINES = 2_000;
/** GitHub gives up on a delivery not answered within 10 s. */
const GITHUB_DELIVERY_TIMEOUT_MS = 10_000;

export interface AppProcess {
  name: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  webhookPath: string;
  pid: number;
  /** The process's stdout and stderr lines, oldest first; only the last MAX_LOG_LINES are kept. */
  logs(): string[];
  /** Resident set size right now, from /proc/<pid>/status (Linux only). */
  rssBytes(): number;
  /** CPU time the process has used so far, every thread, user and system, from /proc/<pid>/stat (Linux only). */
  cpuMicros(): number;
  /** The `x-hub-signature-256` header for a body, signed with the app's WEBHOOK_SECRET. */
  sign(body: string): string;
  /** POSTs one signed delivery and waits for the whole response; gives up after 10 s, as GitHub does. */
  deliver(event: string, payload: unknown, options?: { id?: string }): Promise<{ status: number; ms: number }>;
  /** SIGTERM, then SIGKILL if the process has not exited after 30 s. */
  stop(): Promise<void>;
  /** SIGKILL at once: for a measured process whose drain on SIGTERM is not part of the measure. */
  kill(): Promise<void>;
}

/**
 * Runs `entry` (main.js with node, any other app under `probot run`) on 127.0.0.1 at a free port and resolves once it accepts deliveries.
 * `entry` is relative to the project root (`./dist/index.js`, `bench/bare-app.js`); `env` is
 * the app's whole environment (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL,
 * NO_SMEE_SETUP, ...): nothing is inherited from this process but PORT and HOST, which are set here.
 */
export async function startAppProcess(options: { entry: string; env: Record<string, string>; name?: string }): Promise<AppProcess> {
  const secret = options.env.WEBHOOK_SECRET;
  if (!secret) throw new Error("startAppProcess: env.WEBHOOK_SECRET is required to sign deliveries");
  const name = options.name ?? options.entry;
  const webhookPath = options.env.WEBHOOK_PATH ?? "/api/github/webhooks";
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  // Probot's CLI reads `.env` from its working directory and lets it override the environment
  // it was given. Run it in an empty directory, so that a developer's real credentials in the
  // project's .env can never replace the bench's (and send its requests to real GitHub).
  const cwd = mkdtempSync(join(tmpdir(), "release-promoter-bench-"));
  // The app's own entry point (main.js, what `npm start` runs) is run by node; any other app (the bare one) by `probot run`.
  const entry = resolve(projectRoot, options.entry);
  const argv = basename(entry) === "main.js" ? [entry] : [probotCli, "run", entry];
  const child = spawn(process.execPath, argv, {
    cwd,
    env: { ...options.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });

  // Trimmed in batches: at LOG_LEVEL=info the app logs every delivery, and this process's CPU
  // also drives the load.
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (lines.push(line) > 2 * MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
    });
  }

  // Resolves with how the process ended: "code 1", "SIGTERM", or the spawn error.
  const exited = new Promise<string>((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit(signal ?? `code ${code}`));
    child.once("error", (error) => resolveExit(error.message));
  });
  // A bench that crashes or returns early must not leave an app running.
  const killOnExit = () => {
    child.kill("SIGKILL");
    rmSync(cwd, { recursive: true, force: true });
  };
  process.on("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));

  const sign = (body: string) => signWith(body, secret);
  const deliver: AppProcess["deliver"] = async (event, payload, deliverOptions = {}) => {
    const body = JSON.stringify(payload);
    const started = performance.now();
    const response = await fetch(url + webhookPath, {
      method: "POST",
      headers: webhookHeaders(event, deliverOptions.id ?? randomUUID(), sign(body)),
      body,
      signal: AbortSignal.timeout(GITHUB_DELIVERY_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  };

  try {
    await waitUntilReady(url, deliver, exited);
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    rmSync(cwd, { recursive: true, force: true });
    throw new Error(`${name} did not start: ${(error as Error).message}\n--- output ---\n${lines.slice(-MAX_LOG_LINES).join("\n")}`);
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} has no pid`); // only when spawn failed, and then it accepted nothing
  return {
    name,
    url,
    webhookPath,
    pid,
    logs: () => lines.slice(-MAX_LOG_LINES),
    rssBytes: () => readRssBytes(pid),
    cpuMicros: () => readCpuMicros(pid),
    sign,
    deliver,
    async stop() {
      child.kill("SIGTERM"); // a no-op if it has exited already
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
      rmSync(cwd, { recursive: true, force: true });
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** GitHub's `ping` delivery, sent when a webhook is created; no handler of either app reacts to it. */
const PING_PAYLOAD = { zen: "Keep it logically awesome.", hook_id: 1 };

/**
 * Sends signed `ping` deliveries until one is accepted, then makes sure Probot is not in its
 * setup mode: with a missing or invalid APP_ID or PRIVATE_KEY it never loads the app but still
 * listens and answers 200 to deliveries. Not /healthz (only the real app has it), nor Probot's
 * "Listening on" line (logged at info, so never printed at LOG_LEVEL=warn).
 */
async function waitUntilReady(url: string, deliver: AppProcess["deliver"], exited: Promise<string>): Promise<void> {
  let exit: string | undefined;
  void exited.then((how) => (exit = how));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`the process exited (${exit})`);
    let status: number;
    try {
      ({ status } = await deliver("ping", PING_PAYLOAD));
    } catch {
      await sleep(50); // not listening yet
      continue;
    }
    if (status < 200 || status >= 300) throw new Error(`it answered a signed ping delivery with ${status}`);
    // A page only the setup mode serves; a loaded app answers 404.
    const setupPage = await fetch(`${url}/probot/success`);
    await setupPage.arrayBuffer();
    if (setupPage.ok) throw new Error("Probot is in setup mode: APP_ID or PRIVATE_KEY is missing or invalid");
    return;
  }
  throw new Error(`it accepted no delivery within ${READY_TIMEOUT_MS / 1000} s`);
}

function readRssBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  // A process that has exited but not been reaped yet has a status without VmRSS.
  if (kib === undefined) throw new Error(`/proc/${pid}/status has no VmRSS: the process has exited`);
  return Number(kib) * 1024;
}

/** Linux's clock tick for /proc times (USER_HZ), 100 on every architecture Node runs on. */
const USER_HZ = 100;

function readCpuMicros(pid: number): number {
  // The fields after the command name (which may hold spaces, in parentheses): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / USER_HZ;
}
