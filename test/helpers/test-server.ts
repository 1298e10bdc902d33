/**
 * A real server process for a test (docker-registry, verdaccio): spawned so that it cannot
 * outlive the test process (PR_SET_PDEATHSIG via setpriv, plus an exit hook), its output kept
 * for error messages, ready once its probe answers (`httpProbe` for HTTP servers), and stopped
 * with `stop()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { freePort } from "./free-port.js";

const SETPRIV_BIN = "/usr/bin/setpriv";

export interface TestServer {
  logs(): string;
  /** SIGTERM (SIGKILL after 5 s), or SIGKILL at once with `kill`. */
  stop(kill?: boolean): Promise<void>;
}

/** How a test knows a server is ready: `what` names it in messages. */
export interface ReadinessProbe {
  what: string;
  ready(): Promise<boolean>;
}

/** Ready once `url` answers with a status `isReady` accepts. */
export function httpProbe(url: string, isReady: (status: number) => boolean): ReadinessProbe {
  return {
    what: url,
    async ready() {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return isReady(response.status);
    },
  };
}

export interface TestServerOptions {
  /** For messages: "docker-registry", "verdaccio". */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  /** The whole environment of the server: nothing of ours leaks in. */
  env: Record<string, string>;
  /** Polled until it resolves true; a throw counts as "not yet". */
  probe: ReadinessProbe;
  readyTimeoutMs: number;
  pollMs: number;
  /** Runs after the process ended (temp dirs). */
  cleanup: () => Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Calls `start` with a free port, again with another when the port was taken meanwhile. */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      lastError = error;
      // Another process took the port between our probe and the server's bind: pick another.
      if (!(error instanceof Error && /EADDRINUSE|address already in use/.test(error.message))) throw error;
    }
  }
  throw lastError;
}

export async function spawnTestServer(options: TestServerOptions): Promise<TestServer> {
  const [command, args] = existsSync(SETPRIV_BIN)
    ? [SETPRIV_BIN, ["--pdeathsig", "KILL", "--", options.command, ...options.args]]
    : [options.command, options.args];
  const child = spawn(command, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  trackChild(child);

  let logs = "";
  const append = (chunk: Buffer): void => {
    logs = (logs + chunk.toString("utf8")).slice(-256 * 1024);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const stop = async (kill = false): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(kill ? "SIGKILL" : "SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    await options.cleanup();
  };

  try {
    await waitUntilReady(options, exited, () => logs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { logs: () => logs, stop };
}

async function waitUntilReady(options: TestServerOptions, exited: Promise<number | null>, logs: () => string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`${options.name} exited (code ${exitCode}) before answering on ${options.probe.what}:\n${logs()}`);
    }
    try {
      if (await options.probe.ready()) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  throw new Error(`${options.name} did not answer on ${options.probe.what} within ${options.readyTimeoutMs / 1000}s:\n${logs()}`);
}

function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous last resort when the test process ends without afterAll (pdeathsig covers crashes).
    process.once("exit", () => {
      for (const server of running) server.kill("SIGKILL");
    });
  }
}
