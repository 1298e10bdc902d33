/**
 * Starts Debian's real `redis-server` for tests: on 127.0.0.1 at a port chosen at run time, its
 * data (an append-only file, fsynced on every write, so a kill loses nothing it acknowledged) in
 * a temporary folder, no config file of the machine's, and unable to outlive the test process.
 * `kill()` ends it with SIGKILL (an outage) and `restart()` starts it again on the same port with
 * the same data; `stop()` ends it for good and removes the folder.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestServer, spawnTestServer, startOnFreePort } from "./test-server.js";

export const REDIS_SERVER_BIN = process.env["REDIS_SERVER_BIN"] ?? "/usr/bin/redis-server";

/** Fails (never skips) when redis-server is missing, saying how to install it. */
export function requireRedisServer(): void {
  if (!existsSync(REDIS_SERVER_BIN)) {
    throw new Error(`${REDIS_SERVER_BIN} not found: the queue tests need Debian's redis-server; run .ci/install-test-deps.sh as root`);
  }
}

export interface RedisServer {
  url: string;
  port: number;
  logs(): string;
  /** SIGKILL, as a crash or an outage: clients see the connection drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the data it had. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** PING over a plain socket: true once the server answers +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString("utf8").startsWith("+PONG")));
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  requireRedisServer();
  const dir = await mkdtemp(join(tmpdir(), "release-promoter-redis-"));
  const spawnOn = (port: number): Promise<TestServer> =>
    spawnTestServer({
      name: "redis-server",
      command: REDIS_SERVER_BIN,
      // Arguments only: no /etc/redis/redis.conf. No RDB snapshots; an fsynced AOF keeps every acknowledged write across a kill.
      args: ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--protected-mode", "yes"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      probe: { what: `redis://127.0.0.1:${port}`, ready: () => ping(port) },
      readyTimeoutMs: 15_000,
      pollMs: 50,
      cleanup: async () => {},
    });
  let port = 0;
  let server = await startOnFreePort(async (candidate) => {
    const started = await spawnOn(candidate);
    port = candidate;
    return started;
  });
  let earlierLogs = "";
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    logs: () => earlierLogs + server.logs(),
    kill: async () => {
      earlierLogs += server.logs();
      await server.stop(true);
    },
    restart: async () => {
      server = await spawnOn(port);
    },
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
