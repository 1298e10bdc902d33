/**
 * The Dockerfile, checked without a Docker engine: the test reads the Dockerfile and follows
 * what it says (COPY from the build context through .dockerignore, RUN in the stage's WORKDIR
 * with the stage's ENV, COPY --from the build stage), each stage in its own empty directory
 * standing in for the container's root. Then it starts the runtime stage's CMD with the image's
 * ENV and checks /healthz and the HEALTHCHECK command itself.
 *
 * Differences from a real `docker build`, on purpose: the host's Node (not node:22) runs the
 * commands; `RUN --mount=type=cache` flags are dropped and npm uses the host's cache with
 * prefer-offline (npm still checks the lockfile's integrity hashes); HOST is 127.0.0.1 and PORT a
 * free port so the test exposes nothing and collides with nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Instruction,
  type Stage,
  commandArgv,
  copyInto,
  dockerignoreMatcher,
  parseCopy,
  parseDockerfile,
  parseEnvInstruction,
  splitFlags,
} from "./dockerfile.js";
import { type Server, baseEnv, freePort, runToEnd, startServer, throwawayPrivateKey, waitForHttp } from "./processes.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const DOCKERIGNORE = readFileSync(join(ROOT, ".dockerignore"), "utf8");
const stages = parseDockerfile(DOCKERFILE);
const runtime = stages.at(-1)!;
const isIgnored = dockerignoreMatcher(DOCKERIGNORE);

const SUPPORTED = new Set(["WORKDIR", "COPY", "RUN", "ENV", "USER", "EXPOSE", "HEALTHCHECK", "CMD"]);
const PRODUCTION_ONLY_ABSENT = ["vitest", "typescript", "nock", "tsx", "fast-check", "@octokit/openapi", "@octokit/graphql-schema"];

function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign({}, ...all(stage, "ENV").map((instruction) => parseEnvInstruction(instruction.args))) as Record<string, string>;
}

function finalWorkdir(stage: Stage): string {
  return all(stage, "WORKDIR").reduce((dir, instruction) => posix.resolve(dir, instruction.args), "/");
}

function healthcheckArgv(stage: Stage): string[] {
  const [healthcheck] = all(stage, "HEALTHCHECK");
  if (!healthcheck) throw new Error("no HEALTHCHECK");
  const { rest } = splitFlags(healthcheck.args);
  const command = /^CMD\s+(.*)$/s.exec(rest);
  if (!command) throw new Error(`HEALTHCHECK without CMD: ${healthcheck.args}`);
  return commandArgv(command[1]!);
}

function cmdArgv(stage: Stage): string[] {
  const cmd = all(stage, "CMD").at(-1);
  if (!cmd) throw new Error("no CMD");
  return commandArgv(cmd.args);
}

describe("Dockerfile, as written", () => {
  it("has a build stage and a runtime stage on the same pinned Node LTS slim image", () => {
    expect(stages.length).toBe(2);
    for (const stage of stages) expect(stage.base).toMatch(/^node:22(?:\.\d+){0,2}-bookworm-slim(?:@sha256:[0-9a-f]{64})?$/);
    expect(new Set(stages.map((stage) => stage.base)).size).toBe(1);
    const copiesFrom = new Set(all(runtime, "COPY").map((instruction) => parseCopy(instruction.args).from));
    expect(copiesFrom).toEqual(new Set([stages[0]!.name]));
  });

  it("uses only instructions this test knows how to reproduce", () => {
    for (const stage of stages) {
      for (const instruction of stage.instructions) expect(SUPPORTED, `line ${instruction.line}`).toContain(instruction.keyword);
    }
  });

  it("runtime: production env, listens on every interface at 3000, non-root user, healthcheck and the app's own entry point as CMD", () => {
    const env = stageEnv(runtime);
    expect(env).toMatchObject({ NODE_ENV: "production", LOG_FORMAT: "json", HOST: "0.0.0.0", PORT: "3000" });
    expect(all(runtime, "EXPOSE").map((instruction) => instruction.args)).toEqual([env.PORT]);

    const users = all(runtime, "USER");
    expect(users.map((instruction) => instruction.args)).toEqual(["node"]);
    const cmdLine = all(runtime, "CMD").at(-1)!.line;
    expect(users[0]!.line).toBeLessThan(cmdLine);
    // Nothing is installed or copied after switching user: the app cannot rewrite its own files.
    expect(runtime.instructions.filter((i) => (i.keyword === "RUN" || i.keyword === "COPY") && i.line > users[0]!.line)).toEqual([]);

    expect(cmdArgv(runtime)).toEqual(["node", "dist/main.js"]);
    const healthcheck = healthcheckArgv(runtime);
    expect(healthcheck[0]).toBe("node"); // slim images have no curl or wget
    expect(healthcheck.join(" ")).toContain("http://127.0.0.1:");
    expect(healthcheck.join(" ")).toContain("/healthz");
  });

  it("runtime installs production dependencies only, without lifecycle scripts (tsc is a dev dependency)", () => {
    const installs = all(runtime, "RUN").map((instruction) => splitFlags(instruction.args).rest);
    expect(installs).toEqual([expect.stringMatching(/^npm ci\b/)]);
    expect(installs[0]).toContain("--omit=dev");
    expect(installs[0]).toContain("--ignore-scripts");
  });

  it("runtime copies exactly the built app from the build stage", () => {
    const copied = all(runtime, "COPY").flatMap((instruction) => parseCopy(instruction.args).sources.map((source) => posix.basename(source)));
    expect(copied.sort()).toEqual(["app.yml", "bin", "dist", "package-lock.json", "package.json", "trust"]);
  });

  it(".dockerignore keeps secrets, local builds and test output out of the build context", () => {
    for (const path of ["node_modules", "node_modules/probot/package.json", "src/node_modules/x", "dist/index.js", ".git/config", ".env", ".env.local", "key.pem", "secrets/app.private-key.pem", "coverage/index.html", ".tmp/x", "test/deploy/x.ts"]) {
      expect(isIgnored(path), path).toBe(true);
    }
    for (const path of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "src/index.ts", "bin/release-promoter.js", "app.yml", ".env.example"]) {
      expect(isIgnored(path), path).toBe(false);
    }
    // Every source the build stage takes from the context exists and is not excluded.
    for (const stage of stages) {
      for (const instruction of all(stage, "COPY")) {
        const spec = parseCopy(instruction.args);
        if (spec.from !== undefined) continue;
        for (const source of spec.sources) {
          expect(existsSync(join(ROOT, source)), source).toBe(true);
          expect(isIgnored(source), source).toBe(false);
        }
      }
    }
  });
});

interface Simulated {
  root: string;
  workdir: string;
  env: Record<string, string>;
}

/** Follows one stage's instructions in `root` (the container's `/`). */
async function simulateStage(stage: Stage, root: string, roots: Map<string, Simulated>, timings: string[]): Promise<Simulated> {
  let workdir = "/";
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case "WORKDIR":
        workdir = posix.resolve(workdir, instruction.args);
        mkdirSync(join(root, workdir), { recursive: true });
        break;
      case "ENV":
        Object.assign(env, parseEnvInstruction(instruction.args));
        break;
      case "COPY": {
        const spec = parseCopy(instruction.args);
        const from = spec.from === undefined ? undefined : roots.get(spec.from);
        if (spec.from !== undefined && from === undefined) throw new Error(`COPY --from=${spec.from}: no such stage before line ${instruction.line}`);
        copyInto({
          contextDir: from === undefined ? ROOT : from.root,
          sources: spec.sources,
          destination: spec.destination,
          rootDir: root,
          workdir,
          ...(from === undefined ? { ignored: isIgnored } : {}),
        });
        break;
      }
      case "RUN": {
        const argv = commandArgv(splitFlags(instruction.args).rest);
        const result = await runToEnd(argv, {
          cwd: join(root, workdir),
          // Test-only: reuse the host's npm cache without revalidating every package.
          env: { ...baseEnv(), ...env, npm_config_prefer_offline: "true", npm_config_update_notifier: "false" },
          timeoutMs: 200_000,
        });
        timings.push(`${stage.name ?? "stage"}: RUN ${argv.at(-1)} — ${(result.ms / 1000).toFixed(1)} s`);
        if (result.code !== 0) throw new Error(`RUN at Dockerfile line ${instruction.line} failed (${result.code ?? result.signal}):\n${result.output}`);
        break;
      }
      default:
        break; // USER, EXPOSE, HEALTHCHECK, CMD: metadata, checked on the runtime stage.
    }
  }
  return { root, workdir, env };
}

describe("Dockerfile, reproduced without Docker", () => {
  let tmp: string;
  let image: Simulated;
  let server: Server | undefined;
  const timings: string[] = [];

  /** The app as `docker run` would start it, with the image's ENV plus `extra`. */
  function startImage(extra: Record<string, string>): Server {
    const argv = cmdArgv(runtime);
    const appDir = join(image.root, image.workdir);
    const executable = argv[0]!.includes("/") && !isAbsolute(argv[0]!) ? join(appDir, argv[0]!) : argv[0]!;
    return startServer([executable, ...argv.slice(1)], { cwd: appDir, env: { ...baseEnv(), ...image.env, ...extra } });
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "release-promoter-image-"));
    const roots = new Map<string, Simulated>();
    for (const [index, stage] of stages.entries()) {
      const root = join(tmp, stage.name ?? `stage-${index}`);
      mkdirSync(root);
      roots.set(stage.name ?? String(index), await simulateStage(stage, root, roots, timings));
    }
    image = roots.get(runtime.name ?? String(stages.length - 1))!;
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    if (timings.length > 0) console.info(`simulated docker build:\n  ${timings.join("\n  ")}`);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it("the image holds the built app and production dependencies only", () => {
    const appDir = join(image.root, image.workdir);
    expect(readdirSync(appDir).sort()).toEqual(["app.yml", "bin", "dist", "node_modules", "package-lock.json", "package.json", "trust"]);
    expect(existsSync(join(appDir, "dist/main.js"))).toBe(true);
    expect(existsSync(join(appDir, "node_modules/probot/package.json"))).toBe(true);
    for (const name of PRODUCTION_ONLY_ABSENT) expect(existsSync(join(appDir, "node_modules", name)), name).toBe(false);
    expect(existsSync(join(appDir, "node_modules/.bin/tsc"))).toBe(false);
    // No sources, tests or secrets came along.
    expect(existsSync(join(appDir, "src"))).toBe(false);
    expect(readdirSync(appDir).filter((name) => name.endsWith(".pem") || name.startsWith(".env"))).toEqual([]);
  });

  it("the image carries the command-line tools: plan runs in it against a mounted infra checkout", async () => {
    const appDir = join(image.root, image.workdir);
    // docker run --rm -v "$PWD:/work" release-promoter node bin/release-promoter.js plan --config /work/... --infra /work ...
    const infra = join(ROOT, "test/fixtures/infra");
    const argv = [process.execPath, "bin/release-promoter.js", "plan", "--config", join(infra, ".github/release-promoter.yml"), "--infra", infra, "--repository", "acme/core-api", "--tag", "core-v0.10.0", "--digest", `sha256:${"ab12".repeat(16)}`];
    const result = await runToEnd(argv, { cwd: appDir, env: { ...baseEnv(), ...image.env }, timeoutMs: 30_000 });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`+core_image = "ghcr.io/acme/core-api@sha256:${"ab12".repeat(16)}" # core-v0.10.0`);
  });

  it("the image carries the pinned trusted root provenance is verified against, where the built app looks for it", async () => {
    const appDir = join(image.root, image.workdir);
    const argv = [process.execPath, "--input-type=module", "-e", "const { trustedRoots } = await import('./dist/provenance/trusted-roots.js'); console.log(trustedRoots({}).map((root) => root.tlogs.map((log) => log.baseUrl).join(',')).join(';'));"];
    const result = await runToEnd(argv, { cwd: appDir, env: { ...baseEnv(), ...image.env }, timeoutMs: 30_000 });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("https://rekor.sigstore.dev");
  });

  it("without credentials the production image refuses to start instead of serving the setup page", async () => {
    const port = await freePort();
    const refused = startImage({ HOST: "127.0.0.1", PORT: String(port) });
    try {
      const code = await Promise.race([refused.exited, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 20_000))]);
      expect(code, refused.output()).not.toBe("running");
      expect(code).not.toBe(0);
      expect(refused.output()).toContain("App ID is missing");
    } finally {
      await refused.stop();
    }
  }, 30_000);

  it("the CMD serves /healthz, and the HEALTHCHECK command passes against it and fails without it", async () => {
    const port = await freePort();
    server = startImage({
      APP_ID: "12345",
      PRIVATE_KEY: throwawayPrivateKey(),
      WEBHOOK_SECRET: "smoke-test-secret",
      HOST: "127.0.0.1",
      PORT: String(port),
    });
    const response = await waitForHttp(server, `http://127.0.0.1:${port}/healthz`, 30_000);
    expect(response.status, server.output()).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toMatchObject({ status: "ok" });

    // The HEALTHCHECK runs inside the container, with the container's environment (PORT included).
    const healthcheck = healthcheckArgv(runtime);
    const appDir = join(image.root, image.workdir);
    const containerEnv = { ...baseEnv(), ...image.env, PORT: String(port) };
    const healthy = await runToEnd(healthcheck, { cwd: appDir, env: containerEnv, timeoutMs: 15_000 });
    expect(healthy.code, healthy.output).toBe(0);

    const unhealthy = await runToEnd(healthcheck, { cwd: appDir, env: { ...containerEnv, PORT: String(await freePort()) }, timeoutMs: 15_000 });
    expect(unhealthy.code).not.toBe(0);

    // JSON logs (one object a line) in production, and the key never reaches them.
    const lines = server.output().split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(server.output()).not.toContain("PRIVATE KEY");
  }, 60_000);
});
