import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyFetchFromEnv, proxySettings } from "../../src/http/proxy-fetch.js";
import { defaultNpmPath, npmChildEnvironment } from "../../src/npm/npm-environment.js";
import { type ForwardProxy, startForwardProxy } from "../helpers/forward-proxy.js";

let proxy: ForwardProxy;
let origin: Server;
let originUrl: string;

beforeAll(async () => {
  proxy = await startForwardProxy();
  // A tiny npm registry and web server in one: a packument for `left-pad`, "ok" for anything else.
  origin = createServer((request, response) => {
    if (request.url === "/left-pad") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ name: "left-pad", "dist-tags": { latest: "1.3.0" }, versions: { "1.3.0": { name: "left-pad", version: "1.3.0", dist: { tarball: `${originUrl}/left-pad.tgz` } } } }));
      return;
    }
    response.end("ok");
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await proxy.stop();
  await new Promise((resolve) => origin.close(resolve));
});

describe("proxy settings", () => {
  it("reads HTTP(S)_PROXY and NO_PROXY in either case, uppercase first; none set: no proxy", () => {
    expect(proxySettings({})).toBeUndefined();
    expect(proxySettings({ NO_PROXY: "x" })).toBeUndefined();
    expect(proxySettings({ https_proxy: "http://p:3128", no_proxy: "internal" })).toEqual({ httpProxy: undefined, httpsProxy: "http://p:3128", noProxy: "internal" });
    expect(proxySettings({ HTTP_PROXY: "http://a", http_proxy: "http://b" })).toMatchObject({ httpProxy: "http://a" });
    expect(proxySettings({ HTTP_PROXY: " ", HTTPS_PROXY: "" })).toBeUndefined();
    expect(proxyFetchFromEnv({})).toBeUndefined();
  });

  it("sends requests through the proxy, and directly for hosts in NO_PROXY", async () => {
    const through = proxyFetchFromEnv({ HTTP_PROXY: proxy.url })!;
    const mark = proxy.seen.length;
    expect(await (await through(`${originUrl}/hello`)).text()).toBe("ok");
    // Plain http in absolute form, as curl and npm send it (no CONNECT tunnel).
    expect(proxy.seen.slice(mark)).toEqual([`GET ${originUrl}/hello`]);

    const bypass = proxyFetchFromEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" })!;
    expect(await (await bypass(`${originUrl}/direct`)).text()).toBe("ok");
    expect(proxy.seen.slice(mark)).toEqual([`GET ${originUrl}/hello`]);
  });

  it("the npm the app spawns gets the proxy variables and uses them", async () => {
    const folder = mkdtempSync(join(tmpdir(), "rp-npm-proxy-"));
    try {
      const paths = { dir: join(folder, "work"), home: join(folder, "home"), cache: join(folder, "cache"), userConfig: join(folder, "userrc"), globalConfig: join(folder, "globalrc") };
      for (const dir of [paths.dir, paths.home, paths.cache]) mkdirSync(dir);
      writeFileSync(paths.userConfig, "");
      writeFileSync(paths.globalConfig, "");
      const env = npmChildEnvironment(paths, { parentEnv: { PATH: process.env.PATH, HTTP_PROXY: proxy.url, GITHUB_TOKEN: "secret" } });
      expect(env.GITHUB_TOKEN).toBeUndefined();
      const mark = proxy.seen.length;
      // Asynchronously: the proxy and the registry run in this process's event loop.
      const npm = await promisify(execFile)(defaultNpmPath(), ["view", "left-pad", "version", "--registry", `${originUrl}/`], { cwd: paths.dir, env, encoding: "utf8", timeout: 60_000 });
      expect(npm.stdout.trim()).toBe("1.3.0");
      expect(proxy.seen.slice(mark)).toEqual([`GET ${originUrl}/left-pad`]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
