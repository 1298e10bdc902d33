import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appLogOptions, createAppLog, redactLogLine } from "../src/app-log.js";
import { startApp } from "./helpers/app-server.js";

describe("appLogOptions: as Probot's run() reads them in argv mode", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rp-log-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("defaults, variables, .env over the process environment, flags over both", () => {
    expect(appLogOptions([], {}, dir)).toEqual({ level: "info", logFormat: "pretty", logLevelInString: false, logMessageKey: "msg", sentryDsn: undefined });
    const env = { LOG_LEVEL: "warn", LOG_FORMAT: "json", LOG_LEVEL_IN_STRING: "true", LOG_MESSAGE_KEY: "message", SENTRY_DSN: "https://k@sentry.example/1" };
    expect(appLogOptions([], env, dir)).toEqual({ level: "warn", logFormat: "json", logLevelInString: true, logMessageKey: "message", sentryDsn: "https://k@sentry.example/1" });
    writeFileSync(join(dir, ".env"), "LOG_LEVEL=debug\n");
    expect(appLogOptions([], env, dir).level).toBe("debug");
    expect(appLogOptions(["--log-level", "trace", "--log-format=pretty", "--port", "3001"], env, dir)).toMatchObject({ level: "trace", logFormat: "pretty" });
  });
});

describe("createAppLog", () => {
  async function probedApp(level: string): Promise<Array<{ level: number; msg: string }>> {
    const lines: Array<{ level: number; msg: string }> = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
        callback();
      },
    });
    const log = await createAppLog({ level, logFormat: "json", logLevelInString: false, logMessageKey: "msg" }, destination);
    const app = await startApp({ env: {}, log });
    try {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${app.url}/ping`)).status).toBe(200);
      expect((await fetch(`${app.url}/nothing-here`)).status).toBe(404);
    } finally {
      await app.stop();
    }
    // The transform writes asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return lines.filter((line) => /^GET \//.test(line.msg));
  }

  it("logs successful health probes at debug, other requests as Probot does", async () => {
    const atInfo = await probedApp("info");
    expect(atInfo.map((line) => line.msg.replace(/ - \d+ms$/, ""))).toEqual(["GET /nothing-here 404"]);
    expect(atInfo[0]!.level).toBe(30);
    const atDebug = await probedApp("debug");
    expect(atDebug.map((line) => [line.level, line.msg.replace(/ - \d+ms$/, "")])).toEqual([
      [20, "GET /healthz 200"],
      [20, "GET /ping 200"],
      [30, "GET /nothing-here 404"],
    ]);
  });
});

describe("redactLogLine: the status page's token never reaches a log line", () => {
  it("replaces every authorization value and token query value, and leaves the rest byte for byte", () => {
    const line = JSON.stringify({
      req: { method: "GET", url: "/status.json?a=1&token=s3cr%2Bet&b=2#x", headers: { host: "h", authorization: 'Bearer s3cr"et\\' } },
      Authorization: 7,
      msg: "GET /statuses?TOKEN=s3cret 404 - 1ms",
    });
    expect(JSON.parse(redactLogLine(line))).toEqual({
      req: { method: "GET", url: "/status.json?a=1&token=[redacted]&b=2#x", headers: { host: "h", authorization: "[redacted]" } },
      Authorization: "[redacted]",
      msg: "GET /statuses?TOKEN=[redacted] 404 - 1ms",
    });
    // The status page's own request line, once it has read the token, stays as it wrote it.
    const read = JSON.stringify({ msg: "GET /status.json?token=%5Bredacted%5D 200 - 1ms" });
    expect(redactLogLine(read)).toBe(read);
    expect(JSON.parse(redactLogLine(JSON.stringify({ msg: "GET /status?token=%5Bredacted%5Dmore 200" }))).msg).toBe("GET /status?token=[redacted] 200");
    const plain = JSON.stringify({ level: 30, msg: "promoted", tag: "core-v0.10.0", tokens: 3, url: "/api/github/webhooks" });
    expect(redactLogLine(plain)).toBe(plain);
  });

  it("is applied to every line the app's logger writes, child loggers' bindings included", async () => {
    const written: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        written.push(...String(chunk).split("\n").filter(Boolean));
        callback();
      },
    });
    const log = await createAppLog({ level: "info", logFormat: "json", logLevelInString: false, logMessageKey: "msg" }, destination as never);
    const request = log.child({ req: { url: "/status?token=s3cret", headers: { authorization: "Bearer s3cret" } } });
    request.info("GET /nothing?token=s3cret 404 - 1ms");
    request.child({ name: "http" }).warn({ authorization: "token s3cret" }, "failed");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(written).toHaveLength(2);
    expect(written.filter((line) => line.includes("s3cret"))).toEqual([]);
    expect(JSON.parse(written[0]!)).toMatchObject({ req: { url: "/status?token=[redacted]", headers: { authorization: "[redacted]" } }, msg: "GET /nothing?token=[redacted] 404 - 1ms" });
  });
});
