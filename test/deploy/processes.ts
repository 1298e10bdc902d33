/**
 * Child processes for the deploy tests: commands run to completion with captured output, and
 * servers started in their own process group so that stopping them also stops anything they
 * spawned (npm → sh → node). Every started server is also killed when the test process exits.
 */
import { type ChildProcess, spawn } from "node:child_process";

export { freePort } from "../helpers/free-port.js";
export { throwawayPrivateKey } from "../helpers/throwaway-key.js";

/**
 * The environment a clean shell would have: PATH, HOME (npm's cache and npmrc), locale, temp dir
 * and proxy settings. Nothing of vitest's or npm's own environment (NODE_ENV=test, npm_config_*,
 * npm_lifecycle_*) leaks into the commands under test.
 */
export function baseEnv(): Record<string, string> {
  const keep = /^(PATH|HOME|USER|LANG|LC_ALL|TMPDIR|TMP|TEMP|SYSTEMROOT|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE)$/;
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => keep.test(entry[0]) && entry[1] !== undefined));
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/** Runs argv to completion (killed after `timeoutMs`), stdout and stderr interleaved in `output`. */
export function runToEnd(argv: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<Finished> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, ms: Date.now() - started });
    });
  });
}

export interface Server {
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has exited; its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Starts argv in its own process group; `stop` sends SIGTERM, then SIGKILL after 3 s. */
export function startServer(argv: string[], options: { cwd: string; env: Record<string, string> }): Server {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once("error", (error) => {
      output += `\nspawn error: ${error.message}`;
      running.delete(child);
      resolve(null);
    });
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        // The leader is gone; make sure nothing it started is left behind.
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // no such group
          }
        }
        return;
      }
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // group already empty
      }
    },
  };
}

/**
 * Polls `url` until it answers (any HTTP status), the server exits, or `timeoutMs` passes.
 * Redirects are not followed. Throws with the server's output when it never answers.
 */
export async function waitForHttp(server: Server, url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`server exited (code ${exitCode}) before answering ${url}:\n${server.output()}`);
    }
    try {
      return await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms (${String(lastError)}):\n${server.output()}`);
}
