/**
 * Starts a real npm registry (verdaccio 6.8.0, the devDependency) for tests, and publishes small
 * generated packages to it with real `npm publish`.
 *
 * The registry listens on 127.0.0.1 at a port chosen at run time, keeps its storage and config in
 * a temp dir, has no uplinks (nothing reaches the internet), and is spawned so that it cannot
 * outlive the test process (PR_SET_PDEATHSIG via setpriv, plus an exit hook); `stop()` ends it.
 * `@private/*` packages can only be read with a token; everything else anonymously.
 * Publishing authenticates as a user created through the registry's own
 * `PUT /-/user/org.couchdb.user:NAME`, whose token `npm` reads from a userconfig in the temp dir.
 *
 * `runNpm` runs the real npm CLI hermetically: a throwaway HOME, the given userconfig, an empty
 * globalconfig and a cache shared by the test file, so that neither ~/.npmrc nor the machine's
 * npmrc changes what npm writes, and both sides of a byte-for-byte comparison get the same config.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { httpProbe, spawnTestServer, startOnFreePort } from "./test-server.js";

const require = createRequire(import.meta.url);
const VERDACCIO_BIN = join(dirname(require.resolve("verdaccio/package.json")), "bin", "verdaccio");
/** The npm that ships beside this node: the one the app uses by default. */
export const NPM_BIN = join(dirname(process.execPath), "npm");

export interface PackageSpec {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  /** Any other package.json fields (license, engines, bin...). */
  extra?: Record<string, unknown>;
}

export interface Verdaccio {
  /** "http://127.0.0.1:<port>/", as written in an npmrc's registry=. */
  url: string;
  port: number;
  /** A token of the test user, for publishing and for authenticated reads. */
  token: string;
  /** A scratch dir of this registry's test run (removed by stop()). */
  scratch: string;
  /** npm userconfig holding registry= and this registry's token. */
  userconfig: string;
  /** Publishes a generated package with real `npm publish`. */
  publish(spec: PackageSpec): Promise<void>;
  /** Runs the real npm in `cwd`, hermetically (see the module comment). */
  npm(cwd: string, args: string[], options?: { userconfig?: string }): Promise<{ stdout: string; stderr: string }>;
  logs(): string;
  stop(): Promise<void>;
}


export async function startVerdaccio(): Promise<Verdaccio> {
  return startOnFreePort(startOnce);
}

async function startOnce(port: number): Promise<Verdaccio> {
  const scratch = await mkdtemp(join(tmpdir(), "release-promoter-verdaccio-"));
  const home = join(scratch, "home");
  const cache = join(scratch, "npm-cache");
  await mkdir(home, { recursive: true });
  const configPath = join(scratch, "config.yaml");
  const config = {
    storage: join(scratch, "storage"),
    auth: { htpasswd: { file: join(scratch, "htpasswd"), max_users: 100 } },
    // No uplinks: a package that is not published here does not exist.
    uplinks: {},
    packages: {
      // Readable only with a token: proves the registry credential reaches npm.
      "@private/*": { access: "$authenticated", publish: "$authenticated", unpublish: "$authenticated" },
      "@acme/*": { access: "$all", publish: "$authenticated", unpublish: "$authenticated" },
      "**": { access: "$all", publish: "$authenticated", unpublish: "$authenticated" },
    },
    max_body_size: "10mb",
    web: { enable: false },
    middlewares: { audit: { enabled: false } },
    log: { type: "stdout", format: "pretty", level: "warn" },
    server: { keepAliveTimeout: 5 },
  };
  // JSON is YAML; no quoting surprises.
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const url = `http://127.0.0.1:${port}/`;
  const server = await spawnTestServer({
    name: "verdaccio",
    command: process.execPath,
    args: [VERDACCIO_BIN, "--config", configPath, "--listen", `127.0.0.1:${port}`],
    cwd: scratch,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: home, NODE_ENV: "production" },
    probe: httpProbe(`${url}-/ping`, (status) => status === 200),
    readyTimeoutMs: 20_000,
    pollMs: 50,
    cleanup: () => rm(scratch, { recursive: true, force: true }),
  });
  const { logs, stop } = server;

  let token: string;
  try {
    token = await addUser(url, "tester", "tester-password");
  } catch (error) {
    await stop();
    throw error;
  }
  const host = `//127.0.0.1:${port}/`;
  const userconfig = join(scratch, "npmrc");
  await writeFile(userconfig, `registry=${url}\n${host}:_authToken=${token}\n`);

  const npm = async (cwd: string, npmArgs: string[], options: { userconfig?: string } = {}) =>
    runNpm(cwd, npmArgs, { home, cache, userconfig: options.userconfig ?? userconfig, globalconfig: join(scratch, "globalnpmrc") });
  await writeFile(join(scratch, "globalnpmrc"), "");

  let published = 0;
  const publish = async (spec: PackageSpec): Promise<void> => {
    const dir = join(scratch, "packages", String(published++));
    await mkdir(dir, { recursive: true });
    const { extra, ...fields } = spec;
    await writeFile(join(dir, "package.json"), `${JSON.stringify({ ...fields, main: "index.js", license: "MIT", ...extra }, null, 2)}\n`);
    await writeFile(join(dir, "index.js"), `module.exports = ${JSON.stringify(`${spec.name}@${spec.version}`)};\n`);
    await npm(dir, ["publish", "--registry", url, "--tag", "latest"]);
  };

  return { url, port, token, scratch, userconfig, publish, npm, logs, stop };
}

/** Creates a user with the CouchDB-style endpoint npm adduser uses; returns its token. */
async function addUser(url: string, name: string, password: string): Promise<string> {
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: "user", roles: [], date: new Date().toISOString() }),
  });
  const body = (await response.json()) as { token?: string };
  if (response.status !== 201 || typeof body.token !== "string") {
    throw new Error(`verdaccio adduser: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

export interface NpmRunOptions {
  home: string;
  cache: string;
  userconfig: string;
  globalconfig: string;
}

/** Real npm with a hermetic config; rejects with npm's output when it fails. */
export function runNpm(cwd: string, args: string[], options: NpmRunOptions): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      NPM_BIN,
      args,
      {
        cwd,
        timeout: 60_000,
        env: {
          PATH: process.env["PATH"] ?? "/usr/bin:/bin",
          HOME: options.home,
          npm_config_cache: options.cache,
          npm_config_userconfig: options.userconfig,
          npm_config_globalconfig: options.globalconfig,
          npm_config_update_notifier: "false",
          npm_config_fund: "false",
          npm_config_audit: "false",
        },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`npm ${args.join(" ")} in ${cwd} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

