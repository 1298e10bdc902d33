/**
 * End to end over real HTTP: the app started by Probot's own `run()` from environment settings
 * (GHE_HOST/GHE_PROTOCOL point it at the GitHub stand-in, as at a GitHub Enterprise Server),
 * a real docker-registry holding the image CI built, signed webhook deliveries in, and the
 * stand-in's state (PR, branch file, check run) out. No nock, no test-only path in src/.
 */
import { type Server, run } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BackgroundTasks } from "../../src/background-tasks.js";
import { AppOctokit, appOctokitFor } from "../../src/github/app-octokit.js";
import { createApp } from "../../src/index.js";
import { collectingLogger } from "../helpers/app-server.js";
import { standInAppEnv } from "../helpers/app-env.js";
import { startForwardProxy } from "../helpers/forward-proxy.js";
import { makeThrowawaySigstore, type ThrowawaySigstore } from "../provenance/throwaway-sigstore.js";
import { freePort } from "../helpers/free-port.js";
import { type OciRegistry, pushImage, startOciRegistry } from "../helpers/oci-registry.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { type SampleOrg, seedSampleOrg } from "../stand-in/sample-org.js";
import { type GitHubStandIn, secondaryRateLimit, startGitHubStandIn } from "../stand-in/server.js";
import { deliver, issueCommentPayload, pullRequestClosedPayload, pushPayload } from "../stand-in/webhooks.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SECRET = "stand-in-webhook-secret";
const INSTALLATION = 7;
const privateKey = throwawayPrivateKey();

describe("promotion through the GitHub stand-in, over real HTTP", () => {
  let registry: OciRegistry;
  let storage: string;
  let github: GitHubStandIn;
  let org: SampleOrg;
  let server: Server;
  let tasks: BackgroundTasks;
  let appUrl: string;
  let digest: string;
  let log: ReturnType<typeof collectingLogger>["log"];
  let logs: ReturnType<typeof collectingLogger>["logs"];
  /** The app's sweep of every installation (what the schedule runs at start and every interval). */
  let sweep: () => Promise<void>;

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), "release-promoter-e2e-registry-"));
    registry = await startOciRegistry({ storageDir: storage });
  });
  afterAll(async () => {
    await registry.stop();
    await rm(storage, { recursive: true, force: true });
  });

  /** Probot's run() adds a SIGINT listener per call and never removes it: the ones a test added go with it. */
  let sigintListeners: Array<(...args: unknown[]) => void> = [];
  beforeEach(async () => {
    sigintListeners = process.listeners("SIGINT") as Array<(...args: unknown[]) => void>;
    github = await startGitHubStandIn({ appId: 1, privateKey });
    github.addInstallation(INSTALLATION);
    org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: registry.host });
    digest = (
      await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.10.0\n" }, reference: org.coreCommit })
    ).digest;

    const port = await freePort();
    const env = standInAppEnv(github, { privateKey, secret: SECRET, port });
    // Kept in memory, not printed: the assertions are on the stand-in's state.
    ({ log, logs } = collectingLogger());
    tasks = new BackgroundTasks((error) => log.error({ err: error }, "background task failed"));
    // Probot's own entry point with the app's Octokit, settings from the environment: what `npm start` (src/main.ts) does.
    server = await run(createApp({ env, tasks, onStart: (start) => (sweep = start.sweep) }), { env, log, Octokit: AppOctokit });
    appUrl = `http://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    for (const listener of process.listeners("SIGINT")) if (!sigintListeners.includes(listener as (...args: unknown[]) => void)) process.removeListener("SIGINT", listener);
    await tasks.idle();
    await server.stop();
    await github.stop();
    github.assertNoProblems();
  });

  async function pushTag(repository: string, tag: string, commit: string): Promise<void> {
    const tagObject = github.world.tag(repository, tag, commit, { annotated: true });
    const delivery = await deliver(appUrl, SECRET, "push", pushPayload(github.world, { repository, ref: `refs/tags/${tag}`, after: tagObject, installationId: INSTALLATION }));
    expect(delivery.status).toBe(200);
    await tasks.idle();
  }

  it("opens one PR in acme/infra changing one line, reports on the tagged commit, and a redelivery writes nothing", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);

    const [pr, ...others] = github.world.pullRequestsOf("acme/infra", "open");
    expect(others).toHaveLength(0);
    expect(pr).toMatchObject({ title: "Promote core v0.10.0 to prod", head: "release-promoter/prod/core", base: "main" });
    const before = org.prodTfvars.split("\n");
    const after = github.world.fileAt("acme/infra", "envs/prod.tfvars", pr!.head)!.split("\n");
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [[before[i], line]]));
    expect(changed).toEqual([
      [
        before.find((line) => line.startsWith("core_image")),
        `core_image = "${registry.host}/acme/core-api@${digest}" # core-v0.10.0`,
      ],
    ]);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars")).toBe(org.prodTfvars); // main untouched

    const [check, ...moreChecks] = github.world.checkRunsOn("acme/core-api", org.coreCommit);
    expect(moreChecks).toHaveLength(0);
    expect(check).toMatchObject({ name: "release-promoter", status: "completed", conclusion: "success" });
    expect(check!.summary).toContain(`${github.url}/acme/infra/pull/${pr!.number}`);

    // 2 reads, 1 mutation (branch + signed commit + PR), 1 check run; the token apart.
    expect(github.counts()).toMatchObject({ read: 2, write: 2, contentCreating: 2, token: 1 });

    // The redelivery: the config unchanged since (same blob), so one read holds the tag, the file and the PR; nothing written.
    const mark = github.requests.length;
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit).catch(() => undefined);
    expect(github.counts(mark)).toMatchObject({ read: 1, write: 0 });
    expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(1);
  });

  /** A new commit on core-api's main with its image pushed. */
  async function release(version: string): Promise<{ commit: string; digest: string }> {
    const commit = github.world.commitOn("acme/core-api", { VERSION: `${version}\n` }, { message: `Release ${version}` });
    const pushed = await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": `${version}\n` }, reference: commit });
    return { commit, digest: pushed.digest };
  }

  it("with the config unchanged since the last promotion: 3 requests (one read, the write, the check run); a newer tag on the open PR: 4", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    expect(github.counts()).toMatchObject({ read: 2, write: 2, token: 1 });
    github.world.merge(github.world.pullRequestsOf("acme/infra", "open")[0]!);

    const next = await release("0.10.1");
    let mark = github.requests.length;
    await pushTag("acme/core-api", "core-v0.10.1", next.commit);
    expect(github.counts(mark)).toMatchObject({ read: 1, write: 2, contentCreating: 2 });
    expect(github.requests.slice(mark).map((request) => request.name)).toEqual([
      "ReadPromotionContext",
      // The merged PR's branch is still there: the app reuses it.
      expect.stringMatching(/OpenPromotionPullRequest$/),
      "/repos/{owner}/{repo}/check-runs",
    ]);
    const [opened] = github.world.pullRequestsOf("acme/infra", "open");
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", opened!.head)).toContain(`@${next.digest}" # core-v0.10.1`);

    const newer = await release("0.10.2");
    mark = github.requests.length;
    await pushTag("acme/core-api", "core-v0.10.2", newer.commit);
    // The write is two requests on an open PR (scratch branch, then the PR branch moved and the PR updated).
    expect(github.counts(mark)).toMatchObject({ read: 1, write: 3 });
    const open = github.world.pullRequestsOf("acme/infra", "open");
    expect(open.map((pr) => pr.number)).toEqual([opened!.number]);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", open[0]!.head)).toContain(`@${newer.digest}" # core-v0.10.2`);
  });

  it("a config edited since the last promotion is the one that decides: the guesses made from the old one are dropped", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    github.world.merge(github.world.pullRequestsOf("acme/infra", "open")[0]!);
    // The environment's file moves: what the app remembered would read (and edit) the old path.
    const moved = github.world.fileAt("acme/infra", "envs/prod.tfvars")!;
    github.world.commitOn(
      "acme/infra",
      { "envs/production.tfvars": moved, ".github/release-promoter.yml": org.configText.replace("file: envs/prod.tfvars", "file: envs/production.tfvars") },
      { message: "Rename the prod file" },
    );

    const next = await release("0.10.1");
    const mark = github.requests.length;
    await pushTag("acme/core-api", "core-v0.10.1", next.commit);
    // The new config is parsed from the first read, and the targets read again for it.
    expect(github.requests.slice(mark).map((request) => request.name)).toEqual([
      "ReadPromotionContext",
      "ReadPromotionTargets",
      expect.stringMatching(/OpenPromotionPullRequest$/),
      "/repos/{owner}/{repo}/check-runs",
    ]);
    const [pr] = github.world.pullRequestsOf("acme/infra", "open");
    expect(github.world.fileAt("acme/infra", "envs/production.tfvars", pr!.head)).toContain(`@${next.digest}" # core-v0.10.1`);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", pr!.head)).toBe(moved);
  });

  it("promotes one tag into a Helm values file and a kustomization in the same run: one PR per environment, each one line", async () => {
    const values = [
      "# EU cluster. Only core.image.digest is the app's.",
      "core:",
      "  replicas: 3",
      "  image:",
      `    repository: ${registry.host}/acme/core-api`,
      '    digest: "" # core-v0.9.0',
      "    pullPolicy: IfNotPresent",
      "",
    ].join("\r\n");
    const kustomization = [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources: [deployment.yaml]",
      "images:",
      `- digest: sha256:${"3".repeat(64)}`,
      `  name: ${registry.host}/acme/core-api`,
      "",
    ].join("\n");
    const config = org.configText
      .replace("    variable: core_image\n", "    variable: core_image\n    targets:\n      helm: { path: core.image.digest }\n")
      .replace("environments:\n", "environments:\n  prod-eu: { file: clusters/eu/values.yaml, kind: helm, services: [core] }\n  prod-us: { file: clusters/us/kustomization.yaml, kind: kustomization, services: [core] }\n");
    github.world.commitOn(
      "acme/infra",
      { ".github/release-promoter.yml": config, "clusters/eu/values.yaml": values, "clusters/us/kustomization.yaml": kustomization },
      { message: "Add the Kubernetes clusters" },
    );

    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);

    const prs = github.world.pullRequestsOf("acme/infra", "open");
    expect(prs.map((pr) => pr.head).sort()).toEqual(["release-promoter/prod-eu/core", "release-promoter/prod-us/core", "release-promoter/prod/core"]);
    const changedLines = (file: string, head: string) => {
      const before = github.world.fileAt("acme/infra", file)!.split("\n");
      const after = github.world.fileAt("acme/infra", file, head)!.split("\n");
      expect(after).toHaveLength(before.length);
      return after.flatMap((line, i) => (line === before[i] ? [] : [line]));
    };
    expect(changedLines("clusters/eu/values.yaml", "release-promoter/prod-eu/core")).toEqual([`    digest: "${digest}" # core-v0.10.0\r`]);
    expect(changedLines("clusters/us/kustomization.yaml", "release-promoter/prod-us/core")).toEqual([`- digest: ${digest} # core-v0.10.0`]);
    expect(changedLines("envs/prod.tfvars", "release-promoter/prod/core")).toHaveLength(1);
    // Each PR touches its environment's file only.
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", "release-promoter/prod-eu/core")).toBe(org.prodTfvars);
    const eu = prs.find((pr) => pr.head === "release-promoter/prod-eu/core")!;
    expect(eu.title).toBe("Promote core v0.10.0 to prod-eu");
    expect(eu.body).toContain("by changing `core.image.digest` in `clusters/eu/values.yaml`");
    expect(eu.body).toContain("Version | v0.9.0 → v0.10.0");
    expect(eu.body).toContain("re-parsed the file with a YAML parser");
    const [check] = github.world.checkRunsOn("acme/core-api", org.coreCommit);
    expect(check).toMatchObject({ status: "completed", conclusion: "success" });
    for (const pr of prs) expect(check!.summary).toContain(`/acme/infra/pull/${pr.number}`);
  });

  it("behind a corporate proxy (HTTP_PROXY): GitHub, its installation token and the registry are all reached through it", async () => {
    const proxy = await startForwardProxy();
    const port = await freePort();
    const env = standInAppEnv(github, { privateKey, secret: SECRET, port, extra: { HTTP_PROXY: proxy.url } });
    const proxiedTasks = new BackgroundTasks((error) => log.error({ err: error }, "background task failed"));
    // What src/main.ts passes to run(): the Octokit class for this environment.
    const proxied = await run(createApp({ env, tasks: proxiedTasks }), { env, log, Octokit: appOctokitFor(env) });
    try {
      const tagObject = github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
      const delivery = await deliver(`http://127.0.0.1:${port}`, SECRET, "push", pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: tagObject, installationId: INSTALLATION }));
      expect(delivery.status).toBe(200);
      await proxiedTasks.idle();
      expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(1);
      const githubHost = new URL(github.url).host;
      const through = proxy.seen.map((line) => line.replace(/^(\S+) http:\/\/([^/]+)(\/\S*).*$/, "$1 $2 $3"));
      expect(through).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^POST ${githubHost} /api/v3/app/installations/${INSTALLATION}/access_tokens$`)),
          `POST ${githubHost} /api/graphql`,
          `POST ${githubHost} /api/v3/repos/acme/core-api/check-runs`,
          // The loopback registry: https first (tunnelled, and refused at the TLS handshake), then plain http.
          `CONNECT ${registry.host}`,
          `HEAD ${registry.host} /v2/acme/core-api/manifests/${org.coreCommit}`,
        ]),
      );
      // Every request the promotion made went through the proxy: none reached the stand-in directly.
      expect(proxy.seen.filter((line) => line.includes(githubHost)).length).toBe(github.requests.length);
    } finally {
      await proxiedTasks.idle();
      await proxied.stop();
      await proxy.stop();
    }
  });

  describe("with build provenance required (requireProvenance)", () => {
    /** An app whose config requires provenance for prod, trusting a throwaway Sigstore (PROVENANCE_TRUSTED_ROOTS). */
    async function provenanceApp(sigstore: ThrowawaySigstore): Promise<{ url: string; tasks: BackgroundTasks; stop: () => Promise<void> }> {
      const dir = await mkdtemp(join(tmpdir(), "release-promoter-roots-"));
      const roots = join(dir, "trusted_root.json");
      await writeFile(roots, JSON.stringify(sigstore.trustedRoot()));
      github.world.commitOn(
        "acme/infra",
        {
          ".github/release-promoter.yml": org.configText
            .replace("    variable: core_image\n", "    variable: core_image\n    provenance: { signerWorkflow: acme/core-api/.github/workflows/build.yml }\n")
            .replace("    file: envs/prod.tfvars\n", "    file: envs/prod.tfvars\n    requireProvenance: true\n    services: [core]\n"),
        },
        { message: "Require build provenance in prod" },
      );
      const port = await freePort();
      const env = standInAppEnv(github, { privateKey, secret: SECRET, port, extra: { PROVENANCE_TRUSTED_ROOTS: roots } });
      const appTasks = new BackgroundTasks((error) => log.error({ err: error }, "background task failed"));
      const server = await run(createApp({ env, tasks: appTasks }), { env, log, Octokit: AppOctokit });
      return {
        url: `http://127.0.0.1:${port}`,
        tasks: appTasks,
        stop: async () => {
          await appTasks.idle();
          await server.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }

    /** What the build workflow of acme/core-api at the tagged commit attests (actions/attest-build-provenance). */
    const attestation = (sigstore: ThrowawaySigstore, identity: Record<string, string> = {}) =>
      sigstore.bundle({
        subjects: [digest.replace("sha256:", "")],
        identity: { sourceRepositoryDigest: org.coreCommit, ...identity },
      });

    async function pushTo(app: { url: string; tasks: BackgroundTasks }): Promise<void> {
      const tagObject = github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
      const delivery = await deliver(app.url, SECRET, "push", pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: tagObject, installationId: INSTALLATION }));
      expect(delivery.status).toBe(200);
      await app.tasks.idle();
    }

    it("a digest main's CI attested from the tagged commit opens the PR, which links the attestation and the workflow run; one more request", async () => {
      const sigstore = makeThrowawaySigstore();
      github.world.attest("acme/core-api", digest, attestation(sigstore));
      const app = await provenanceApp(sigstore);
      try {
        const mark = github.requests.length;
        await pushTo(app);
        const [pr, ...others] = github.world.pullRequestsOf("acme/infra", "open");
        expect(others).toHaveLength(0);
        expect(pr!.body).toContain(`| Build provenance | verified: [attestation](${github.url}/api/v3/repos/acme/core-api/attestations/${digest}) signed by \`https://github.com/acme/core-api/.github/workflows/build.yml@refs/heads/main\`, built by [this workflow run](https://github.com/acme/core-api/actions/runs/4242/attempts/1) |`);
        expect(github.requests.slice(mark).map((request) => request.name)).toContain("/repos/{owner}/{repo}/attestations/{subject_digest}");
        const [check] = github.world.checkRunsOn("acme/core-api", org.coreCommit);
        expect(check).toMatchObject({ status: "completed", conclusion: "success" });
      } finally {
        await app.stop();
      }
    });

    it("a forged attestation (built from another commit, or signed by a CA nobody trusts) opens nothing, and the check run names the reason", async () => {
      const sigstore = makeThrowawaySigstore();
      github.world.attest("acme/core-api", digest, attestation(sigstore, { sourceRepositoryDigest: "f".repeat(40) }));
      const app = await provenanceApp(sigstore);
      try {
        await pushTo(app);
        expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);
        const [check] = github.world.checkRunsOn("acme/core-api", org.coreCommit);
        expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
        expect(`${check!.title}\n${check!.summary}`).toContain("provenance_invalid");
        expect(check!.summary).toContain(`source digest is ${"f".repeat(40)}, not the tagged commit ${org.coreCommit}`);

        // Signed by another Sigstore than the one the app trusts.
        github.world.attestations.clear();
        github.world.attest("acme/core-api", digest, attestation(makeThrowawaySigstore()));
        await pushTo(app);
        expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);
        const latest = github.world.checkRunsOn("acme/core-api", org.coreCommit).at(-1)!;
        expect(latest.summary).toContain("certificate not issued by a trusted CA");
      } finally {
        await app.stop();
      }
    });

    it("no attestation at all: provenance_missing, nothing opened", async () => {
      const app = await provenanceApp(makeThrowawaySigstore());
      try {
        await pushTo(app);
        expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);
        const [check] = github.world.checkRunsOn("acme/core-api", org.coreCommit);
        expect(`${check!.title}\n${check!.summary}`).toContain("provenance_missing");
      } finally {
        await app.stop();
      }
    });
  });

  it("/metrics: promotions by outcome and code, GitHub requests by kind, the latency histogram, the queue; no tag, sha or repository as a label", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    // A refusal too: a tag pushed from the wrong repository.
    await pushTag("acme/web-ui", "core-v0.10.1", org.webCommit);
    const response = await fetch(`${appUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value('release_promoter_promotions_total{outcome="pull_request",code="none"}')).toBe(1);
    expect(value('release_promoter_promotions_total{outcome="refused",code="wrong_repository"}')).toBe(1);
    expect(value('release_promoter_github_requests_total{kind="read",result="2xx"}')).toBeGreaterThanOrEqual(2);
    expect(value('release_promoter_github_requests_total{kind="write",result="2xx"}')).toBeGreaterThanOrEqual(3);
    expect(value("release_promoter_tag_to_pull_request_seconds_count")).toBe(1);
    expect(value('release_promoter_tag_to_pull_request_seconds_bucket{le="+Inf"}')).toBe(1);
    expect(value('release_promoter_queue_jobs{state="waiting"}')).toBe(0);
    expect(value("release_promoter_queue_oldest_waiting_seconds")).toBe(0);
    expect(value("release_promoter_github_rate_limit_remaining")).toEqual(expect.any(Number));
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // Bounded labels only: nothing a user or a release names.
    for (const unbounded of ["core-v0.10", org.coreCommit, org.coreCommit.slice(0, 12), "acme/", digest]) expect(text).not.toContain(unbounded);
    for (const line of text.split("\n").filter((l) => l.startsWith("release_promoter_"))) {
      expect(line).toMatch(/^release_promoter_[a-z_]+(\{[a-z_]+="[A-Za-z0-9_.+]*"(,[a-z_]+="[A-Za-z0-9_.+]*")*\})? -?[\d.e+-]+$/);
    }
  });

  describe("commands by comment in the infra repository", () => {
    async function comment(issue: number, body: string, author: string, authorType: "User" | "Bot" = "User"): Promise<void> {
      const delivery = await deliver(appUrl, SECRET, "issue_comment", issueCommentPayload(github.world, { repository: "acme/infra", issue, body, author, authorType, installationId: INSTALLATION }));
      expect(delivery.status).toBe(200);
      await tasks.idle();
    }
    const answers = (issue: number) => github.world.issues.get("acme/infra")!.find((i) => i.number === issue)!.comments.map((c) => c.body);

    it("a rollback by comment opens a labelled rollback PR naming who asked; merged, it holds prod until released", async () => {
      // prod runs core v0.10.0, put there by hand (no promotion PR); v0.9.5 is an older release (tagged later, its image pushed) nobody promoted.
      github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
      github.world.commitOn("acme/infra", {
        "envs/prod.tfvars": org.prodTfvars.replace(/^core_image = .*$/m, `core_image = "${registry.host}/acme/core-api@${digest}" # core-v0.10.0`),
      }, { message: "core v0.10.0, by hand" });
      const older = await release("0.9.5");
      github.world.tag("acme/core-api", "core-v0.9.5", older.commit, { annotated: true });
      github.world.grant("acme/infra", "alice", "write");
      const issue = github.world.openIssue("acme/infra", "core v0.10.0 breaks checkout");

      await comment(issue, "/release-promoter promote core v0.9.5 to prod", "alice");
      const [rollback, ...others] = github.world.pullRequestsOf("acme/infra", "open");
      expect(others).toHaveLength(0);
      expect(rollback).toMatchObject({ title: "Roll back core to v0.9.5 in prod", head: "release-promoter/prod/core", labels: ["rollback"] });
      expect(rollback!.body).toContain(`Rolls **core** back from v0.10.0 to **v0.9.5** in **prod**`);
      expect(rollback!.body).toContain(`@alice asked for it in #${issue}.`);
      expect(rollback!.body).toContain("**Once merged, this is a hold:**");
      expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", rollback!.head)).toContain(`@${older.digest}" # core-v0.9.5`);
      expect(answers(issue)).toEqual([`@alice core-v0.9.5 → prod: ${github.world.htmlUrl(github.world.mustRepository("acme/infra"), `/pull/${rollback!.number}`)}`]);

      // Merged: neither the sweep (not even for a release between the two, v0.9.8) nor the tag pushed again proposes v0.10.0 or below.
      github.world.merge(rollback!);
      const between = await release("0.9.8");
      github.world.tag("acme/core-api", "core-v0.9.8", between.commit, { annotated: true });
      await sweep();
      await tasks.idle();
      expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(0);
      // The sweep does not even try the held tags (no check run written on them).
      expect(github.world.checkRunsOn("acme/core-api", between.commit)).toEqual([]);
      expect(github.world.checkRunsOn("acme/core-api", org.coreCommit)).toEqual([]);
      await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
      expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(0);
      const held = github.world.checkRunsOn("acme/core-api", org.coreCommit).at(-1)!;
      expect(held).toMatchObject({ conclusion: "neutral" });
      expect(held.title).toBe("core-v0.10.0 not promoted to prod: rollback_hold");
      expect(held.summary).toContain(`prod holds core at v0.9.5: [PR #${rollback!.number}]`);

      // Released by comment: the hold is lifted in the rollback PR's record, and the sweep proposes v0.10.0 again.
      await comment(issue, "/release-promoter release core in prod", "alice");
      expect(github.world.pullRequestsOf("acme/infra").find((pr) => pr.number === rollback!.number)!.body).toContain(`**Hold released** by @alice in #${issue}`);
      expect(answers(issue).at(-1)).toMatch(new RegExp(`^@alice the hold of \\[PR #${rollback!.number}\\]\\(.*\\) on core in prod is lifted`));
      const [again] = github.world.pullRequestsOf("acme/infra", "open");
      expect(again).toMatchObject({ title: "Promote core v0.10.0 to prod" });
    });

    /** prod runs core v0.10.0 (promoted, merged); alice, with `permission` on infra, asks on an issue to roll back to v0.9.5 (an older release, tagged later). */
    async function rollBackByComment(permission: "write" | "admin", version: string): Promise<void> {
      await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
      github.world.merge(github.world.pullRequestsOf("acme/infra", "open")[0]!);
      const older = await release("0.9.5");
      github.world.tag("acme/core-api", "core-v0.9.5", older.commit, { annotated: true });
      github.world.grant("acme/infra", "alice", permission);
      const issue = github.world.openIssue("acme/infra", "roll back");
      await comment(issue, `/release-promoter promote core ${version} to prod`, "alice");
    }

    it("an open rollback PR waiting for review is not replaced by a newer tag", async () => {
      await rollBackByComment("write", "v0.9.5");
      const fixed = await release("0.10.1");
      await pushTag("acme/core-api", "core-v0.10.1", fixed.commit);
      const [open] = github.world.pullRequestsOf("acme/infra", "open");
      expect(open).toMatchObject({ title: "Roll back core to v0.9.5 in prod", labels: ["rollback"] });
      const check = github.world.checkRunsOn("acme/core-api", fixed.commit).at(-1)!;
      expect(check).toMatchObject({ conclusion: "neutral", title: "core-v0.10.1 not promoted to prod: rollback_hold" });
      expect(check.summary).toContain(`is a rollback a person asked for and waits for review; a tag does not replace it`);
    });

    it("a newer release than the one rolled back from is promoted as usual", async () => {
      await rollBackByComment("admin", "0.9.5");
      github.world.merge(github.world.pullRequestsOf("acme/infra", "open")[0]!);
      const fixed = await release("0.10.1");
      await pushTag("acme/core-api", "core-v0.10.1", fixed.commit);
      expect(github.world.pullRequestsOf("acme/infra", "open")[0]).toMatchObject({ title: "Promote core v0.10.1 to prod" });
    });

    it("no write permission, a malformed command, an unknown service: a clear answer, nothing changed; other comments and bots are ignored", async () => {
      github.world.grant("acme/infra", "bob", "read");
      const issue = github.world.openIssue("acme/infra", "please roll back");
      const mark = github.requests.length;
      await comment(issue, "LGTM", "bob");
      await comment(issue, "/release-promoter promote core v0.9.0 to prod", "release-promoter[bot]", "Bot");
      expect(github.requests.slice(mark).map((r) => r.name)).toEqual([]);
      await comment(issue, "/release-promoter promote core v0.9.0 to prod", "bob");
      await comment(issue, "/release-promoter promote core core-v0.9.0 to prod", "bob");
      github.world.grant("acme/infra", "carol", "write");
      await comment(issue, "/release-promoter promote core core-v0.9.0 to prod", "carol");
      await comment(issue, "/release-promoter promote api v0.9.0 to prod", "carol");
      await comment(issue, "/release-promoter promote core v0.9.0 to qa", "carol");
      expect(answers(issue)).toEqual([
        "@bob release-promoter commands need write permission on acme/infra, and GitHub says you have `read`; nothing was changed.",
        // Malformed too, but bob cannot run commands: he hears only that (his words are not quoted back).
        "@bob release-promoter commands need write permission on acme/infra, and GitHub says you have `read`; nothing was changed.",
        expect.stringMatching(/^@carol this command was not run: `core-v0\.9\.0` is a tag; write the version: `\/release-promoter promote core v0\.9\.0 to …`\.\n\nThe commands are:\n/),
        "@carol this command was not run: there is no service `api` in the config (its services: `core`, `web`); nothing was changed.",
        "@carol this command was not run: there is no environment `qa` in the config (its environments: `prod`); nothing was changed.",
      ]);
      expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);
    });

    it("a version that was never released: the answer says so, nothing opened", async () => {
      github.world.grant("acme/infra", "alice", "write");
      const issue = github.world.openIssue("acme/infra", "roll back");
      await comment(issue, "/release-promoter promote core v0.8.0 to prod", "alice");
      expect(answers(issue)).toEqual([expect.stringMatching(/^@alice core-v0\.8\.0 was not promoted to prod \(`tag_not_found`\)/)]);
      expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);
    });
  });

  it("a PR from a fork named like the promotion branch is someone else's: not updated, not taken as the promotion, its own PR opened beside it", async () => {
    const infra = github.world.mustRepository("acme/infra");
    const fork = github.world.openPullRequest(infra, { title: "Innocent change", body: "please merge", head: "release-promoter/prod/core", base: "main", fromFork: "mallory/infra" }, "mallory");
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    expect(fork).toMatchObject({ title: "Innocent change", body: "please merge", state: "open" });
    const ours = github.world.pullRequestsOf("acme/infra", "open").filter((pr) => pr !== fork);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ title: "Promote core v0.10.0 to prod", head: "release-promoter/prod/core", author: "release-promoter" });
    // A second fork PR copies the app's body, record included; then infra's main changes the environment
    // file, which refreshes promotions: neither fork PR is among them (never rebuilt, updated or commented on).
    const copy = github.world.openPullRequest(infra, { title: "Promote core v0.10.0 to prod", body: ours[0]!.body, head: "release-promoter/prod/core", base: "main", fromFork: "mallory/infra" }, "mallory");
    const mainFile = github.world.fileAt("acme/infra", "envs/prod.tfvars")!;
    github.world.commitOn("acme/infra", { "envs/prod.tfvars": mainFile.replace('region = "eu-west-1"', 'region = "eu-west-2"') }, { message: "Move region" });
    const delivery = await deliver(appUrl, SECRET, "push", pushPayload(github.world, { repository: "acme/infra", ref: "refs/heads/main", after: github.world.mustRepository("acme/infra").git.refs.get("refs/heads/main")!, installationId: INSTALLATION }));
    expect(delivery.status).toBe(200);
    await tasks.idle();
    expect(fork.comments).toEqual([]);
    expect(fork).toMatchObject({ title: "Innocent change", state: "open" });
    expect(copy.comments).toEqual([]);
    expect(copy).toMatchObject({ title: "Promote core v0.10.0 to prod", body: ours[0]!.body, state: "open" });
    // The app's own PR was rebuilt on the new main.
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", ours[0]!.head)).toContain('region = "eu-west-2"');
  });

  it("the digest looked up early, from the push payload's commit, is dropped when the tag names another commit", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    github.world.merge(github.world.pullRequestsOf("acme/infra", "open")[0]!);
    const claimed = await release("0.10.1-claimed");
    const tagged = await release("0.10.1");
    const tagObject = github.world.tag("acme/core-api", "core-v0.10.1", tagged.commit, { annotated: true });
    const payload = pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.1", after: tagObject, installationId: INSTALLATION }) as { head_commit: { id: string } };
    // A payload that names another commit than the tag does (a tag moved since, or a forged delivery).
    payload.head_commit.id = claimed.commit;
    expect((await deliver(appUrl, SECRET, "push", payload)).status).toBe(200);
    await tasks.idle();

    const [pr] = github.world.pullRequestsOf("acme/infra", "open");
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", pr!.head)).toContain(`@${tagged.digest}" # core-v0.10.1`);
    expect(tagged.digest).not.toBe(claimed.digest);
  });

  it("updates the open PR when a newer tag comes, and survives infra's main moving under it", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const next = github.world.commitOn("acme/core-api", { "src/fix.txt": "fix\n" }, { message: "Fix" });
    const nextDigest = (
      await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.10.1\n" }, reference: next })
    ).digest;
    // Someone merges another change to infra's main while the app plans: its commit must not be stale-written.
    github.world.commitOn("acme/infra", { "envs/staging.tfvars": 'region = "eu-west-1"\n' }, { message: "Add staging" });

    await pushTag("acme/core-api", "core-v0.10.1", next);

    const open = github.world.pullRequestsOf("acme/infra", "open");
    expect(open).toHaveLength(1);
    expect(open[0]!.title).toBe("Promote core v0.10.1 to prod");
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", open[0]!.head)).toContain(`@${nextDigest}" # core-v0.10.1`);
    // The PR branch starts from the new main: the staging file is there, untouched.
    expect(github.world.fileAt("acme/infra", "envs/staging.tfvars", open[0]!.head)).toBe('region = "eu-west-1"\n');
  });

  it("logs each promotion's start and end at info, with its fields (nothing is silent between the delivery and the outcome)", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const lines = logs.filter((line) => line.repository === "acme/core-api" && line.tag === "core-v0.10.0");
    const started = lines.find((line) => line.msg === "promotion started");
    const finished = lines.find((line) => line.msg === "promotion finished");
    expect(started).toMatchObject({ level: 30, trigger: "push", headCommit: org.coreCommit });
    expect(finished).toMatchObject({ level: 30, service: "core", digest, conclusion: "success", outcomes: ["prod: PR #1"] });
    expect(typeof finished!.ms).toBe("number");
  });

  /** GitHub's `check_run.rerequested` for one of the stand-in's check runs (the Re-run button), as the app that made it receives it. */
  function rerequested(check: { id: number; name: string; headSha: string; externalId: string | null }, repository: string, appId = 1) {
    const [owner, name] = repository.split("/");
    return {
      action: "rerequested",
      check_run: { id: check.id, name: check.name, head_sha: check.headSha, external_id: check.externalId ?? "", status: "completed", app: { id: appId, slug: "release-promoter" } },
      repository: { full_name: repository, name, owner: { login: owner } },
      sender: { login: "octocat" },
      installation: { id: INSTALLATION },
    };
  }

  it("the check run's Re-run button promotes the tag again and reports in a new check run; another app's check run is ignored", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const [first] = github.world.checkRunsOn("acme/core-api", org.coreCommit);
    expect(first).toMatchObject({ name: "release-promoter", externalId: "core-v0.10.0", conclusion: "success" });

    let mark = github.requests.length;
    expect((await deliver(appUrl, SECRET, "check_run", rerequested({ ...first!, id: first!.id }, "acme/core-api", 999))).status).toBe(200);
    await tasks.idle();
    expect(github.requests.length).toBe(mark);

    mark = github.requests.length;
    expect((await deliver(appUrl, SECRET, "check_run", rerequested(first!, "acme/core-api"))).status).toBe(200);
    await tasks.idle();
    const checks = github.world.checkRunsOn("acme/core-api", org.coreCommit);
    expect(checks).toHaveLength(2);
    expect(checks[1]).toMatchObject({ name: "release-promoter", status: "completed", conclusion: "success", externalId: "core-v0.10.0" });
    // Promoted again: the PR was already there, so the one read and the new check run; still one PR.
    expect(github.counts(mark)).toMatchObject({ read: 1, write: 1 });
    expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(1);
  });

  it("takes deliveries at / too (the webhook URL Probot's setup page registers), signature checked the same way", async () => {
    const tagObject = github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
    const payload = pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: tagObject, installationId: INSTALLATION });
    expect((await deliver(appUrl, SECRET, "push", payload, { path: "/", signature: `sha256=${"0".repeat(64)}` })).status).toBe(400);
    await tasks.idle();
    expect(github.requests.filter((request) => request.kind !== "token")).toHaveLength(0);

    expect((await deliver(appUrl, SECRET, "push", payload, { path: "/" })).status).toBe(200);
    await tasks.idle();
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(1);
    // Anything but a POST on / is still Probot's (a 404 with credentials).
    expect((await fetch(`${appUrl}/`)).status).toBe(404);
  });

  it("refuses a tag pushed from the wrong repository, says why on that commit, and opens nothing", async () => {
    await pushTag("acme/web-ui", "core-v0.10.0", org.webCommit);

    expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);
    const [check] = github.world.checkRunsOn("acme/web-ui", org.webCommit);
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(`${check!.title}\n${check!.summary}`).toMatch(/acme\/core-api/);
    expect(github.counts().write).toBe(1); // the check run, nothing else
  });

  it("reads are not spaced: the promotion's second GraphQL query follows the first without a second's wait, on GitHub Enterprise's /api/graphql too", async () => {
    // The first promotion of a process reads twice (no config cached yet).
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const first = github.requests.find((request) => request.name === "ReadPromotionContext")!;
    const second = github.requests.find((request) => request.name === "ReadPromotionTargets")!;
    // On the stand-in's clock (the app reaches it as GHE_HOST). Between them: the registry lookup and planning.
    expect(second.receivedMs - first.receivedMs).toBeLessThan(1000);
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(1);
  });

  it("waits out a secondary rate limit (403, Retry-After) on a query and retries it (Probot's default only logs it and fails)", async () => {
    github.fault(secondaryRateLimit("ReadPromotionTargets", 1));
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const attempts = github.requests.filter((request) => request.name === "ReadPromotionTargets");
    expect(attempts.map((request) => request.status)).toEqual([403, 200]);
    expect(attempts[1]!.receivedMs - attempts[0]!.answeredMs).toBeGreaterThanOrEqual(1000);
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(1);
  });

  it("waits out a secondary rate limit (403, Retry-After) on the write and then opens the PR", async () => {
    github.fault(secondaryRateLimit("OpenPromotionPullRequest", 1));
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);

    const attempts = github.requests.filter((request) => request.name === "OpenPromotionPullRequest");
    expect(attempts.map((request) => request.status)).toEqual([403, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(1);
  });

  async function sweepAndSettle(): Promise<void> {
    await sweep();
    await tasks.idle();
  }

  it("tags pushed without any webhook (GitHub sends none for more than three at once) are promoted by one sweep: one PR per service at its highest tag; a second sweep writes nothing", async () => {
    const webDigest = (await pushImage(registry.url, "acme/web-ui", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "1.5.0\n" }, reference: org.webCommit })).digest;
    // Five tags at once: below what runs (web-v1.4.0), a prerelease prod does not take, older and newest releases.
    for (const [repository, tag, commit] of [
      ["acme/core-api", "core-v0.9.9", org.coreCommit],
      ["acme/core-api", "core-v0.10.0", org.coreCommit],
      ["acme/core-api", "core-v0.11.0-rc.1", org.coreCommit],
      ["acme/web-ui", "web-v1.4.0", org.webCommit],
      ["acme/web-ui", "web-v1.5.0", org.webCommit],
    ] as const) {
      github.world.tag(repository, tag, commit, { annotated: true });
    }

    await sweepAndSettle();
    const prs = github.world.pullRequestsOf("acme/infra", "open");
    expect(prs.map((pr) => [pr.head, pr.title]).sort()).toEqual([
      ["release-promoter/prod/core", "Promote core v0.10.0 to prod"],
      ["release-promoter/prod/web", "Promote web v1.5.0 to prod"],
    ]);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", "release-promoter/prod/web")).toContain(`web_image  = "${registry.host}/acme/web-ui@${webDigest}" # web-v1.5.0`);
    expect(github.world.checkRunsOn("acme/core-api", org.coreCommit)).toEqual([expect.objectContaining({ status: "completed", conclusion: "success" })]);
    expect(github.world.checkRunsOn("acme/web-ui", org.webCommit)).toEqual([expect.objectContaining({ status: "completed", conclusion: "success" })]);

    // Converged: the next sweep reads (the installations, the infra head and config, the state) and writes nothing.
    const mark = github.requests.length;
    await sweepAndSettle();
    expect(github.counts(mark)).toMatchObject({ write: 0, read: 3 });
    expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(2);
  });

  it("a service the sweep cannot read is skipped and listed in the release-promoter/sweep check run on infra's head; the others are promoted; once readable, the check run says so", async () => {
    github.world.tag("acme/core-api", "core-v0.10.0", org.coreCommit, { annotated: true });
    github.world.tag("acme/web-ui", "web-v1.5.0", org.webCommit, { annotated: true });
    await pushImage(registry.url, "acme/web-ui", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "1.5.0\n" }, reference: org.webCommit });
    const web = github.world.mustRepository("acme/web-ui");
    web.installationId = INSTALLATION + 1; // the app was not given access to acme/web-ui
    const head = github.world.headOf("acme/infra")!;

    await sweepAndSettle();
    expect(github.world.pullRequestsOf("acme/infra", "open").map((pr) => pr.head)).toEqual(["release-promoter/prod/core"]);
    const [report, ...more] = github.world.checkRunsOn("acme/infra", head);
    expect(more).toHaveLength(0);
    expect(report).toMatchObject({ name: "release-promoter/sweep", status: "completed", conclusion: "failure", title: "1 of 2 keys cannot be reconciled" });
    expect(report!.summary).toContain("**prod** / **web**: acme/web-ui is not visible to the app");

    // The same finding on the same head writes nothing.
    const mark = github.requests.length;
    await sweepAndSettle();
    expect(github.counts(mark)).toMatchObject({ write: 0 });

    web.installationId = INSTALLATION;
    await sweepAndSettle();
    expect(github.world.pullRequestsOf("acme/infra", "open").map((pr) => pr.head).sort()).toEqual(["release-promoter/prod/core", "release-promoter/prod/web"]);
    expect(github.world.checkRunsOn("acme/infra", head)).toEqual([expect.objectContaining({ name: "release-promoter/sweep", conclusion: "success", title: "Every key reconciled (2)" })]);
  });

  it("reports a merged promotion PR on the tagged commit, and a PR a reviewer closed; the sweep does not reopen the closed one", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const [pr] = github.world.pullRequestsOf("acme/infra", "open");
    github.world.close(pr!);
    const closed = await deliver(appUrl, SECRET, "pull_request", pullRequestClosedPayload(github.world, pr!, { installationId: INSTALLATION, sender: "reviewer" }));
    expect(closed.status).toBe(200);
    await tasks.idle();
    const [report] = github.world.checkRunsOn("acme/core-api", org.coreCommit).slice(-1);
    expect(report).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(report!.title).toContain("closed without merging");
    expect(report!.summary).toContain("@reviewer");

    const mark = github.requests.length;
    await sweepAndSettle();
    expect(github.counts(mark).write).toBe(0);
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(0);

    // A newer tag is promoted again, and its merge is reported with who merged it.
    const next = github.world.commitOn("acme/core-api", { "src/fix.txt": "fix\n" }, { message: "Fix" });
    await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.10.1\n" }, reference: next });
    await pushTag("acme/core-api", "core-v0.10.1", next);
    const [second] = github.world.pullRequestsOf("acme/infra", "open");
    github.world.merge(second!, "merger");
    await deliver(appUrl, SECRET, "pull_request", pullRequestClosedPayload(github.world, second!, { installationId: INSTALLATION, sender: "merger" }));
    await tasks.idle();
    const [merged] = github.world.checkRunsOn("acme/core-api", next).slice(-1);
    expect(merged).toMatchObject({ status: "completed", conclusion: "success" });
    expect(merged!.title).toContain("merged");
    expect(merged!.summary).toContain("@merger");
  });

  it("rebuilds a promotion PR on an adjacent line once another is merged, so it stays mergeable; a repeated push writes nothing", async () => {
    const webDigest = (await pushImage(registry.url, "acme/web-ui", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "1.5.0\n" }, reference: org.webCommit })).digest;
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    await pushTag("acme/web-ui", "web-v1.5.0", org.webCommit);
    const infraRepository = github.world.mustRepository("acme/infra");
    const web = github.world.pullRequestsOf("acme/infra", "open").find((pr) => pr.head === "release-promoter/prod/web")!;
    const webHeadBefore = infraRepository.git.refs.get("refs/heads/release-promoter/prod/web");

    // core_image and web_image are adjacent lines: after core's merge, git cannot merge web's PR as it was built.
    github.world.merge(github.world.pullRequestsOf("acme/infra", "open").find((pr) => pr.head === "release-promoter/prod/core")!);
    const main = infraRepository.git.refs.get("refs/heads/main")!;
    expect(infraRepository.git.isAncestor(main, webHeadBefore!)).toBe(false);
    expect(github.world.mergeConflicts(web)).toEqual(["envs/prod.tfvars"]); // git's rule: adjacent edits conflict

    const infraPush = () => {
      const payload = pushPayload(github.world, { repository: "acme/infra", ref: "refs/heads/main", after: main, installationId: INSTALLATION });
      payload.created = false;
      payload.before = "f".repeat(40);
      payload.commits = [{ id: main, tree_id: main, distinct: true, message: "Merge", timestamp: "2026-12-03T00:00:00Z", url: "", author: { name: "a", email: "a@example.com" }, committer: { name: "a", email: "a@example.com" }, added: [], removed: [], modified: ["envs/prod.tfvars"] }];
      return deliver(appUrl, SECRET, "push", payload);
    };
    expect((await infraPush()).status).toBe(200);
    await tasks.idle();

    const rebuilt = infraRepository.git.refs.get("refs/heads/release-promoter/prod/web")!;
    expect(rebuilt).not.toBe(webHeadBefore);
    expect(infraRepository.git.isAncestor(main, rebuilt)).toBe(true);
    const file = github.world.fileAt("acme/infra", "envs/prod.tfvars", "release-promoter/prod/web")!;
    expect(file).toContain("# core-v0.10.0"); // main's merged line kept
    expect(file).toContain(`web_image  = "${registry.host}/acme/web-ui@${webDigest}" # web-v1.5.0`);
    expect(github.world.pullRequestsOf("acme/infra", "open")).toEqual([expect.objectContaining({ number: web.number })]);
    expect(github.world.mergeConflicts(web)).toEqual([]);
    const mainBefore = github.world.fileAt("acme/infra", "envs/prod.tfvars")!.split("\n");
    github.world.merge(web); // no person had to touch the production file
    const mainAfter = github.world.fileAt("acme/infra", "envs/prod.tfvars")!.split("\n");
    expect(mainAfter.flatMap((line, i) => (line === mainBefore[i] ? [] : [line]))).toEqual([`web_image  = "${registry.host}/acme/web-ui@${webDigest}" # web-v1.5.0`]);

    const mark = github.requests.length;
    expect((await infraPush()).status).toBe(200);
    await tasks.idle();
    expect(github.counts(mark).write).toBe(0);
  });

  it("never overwrites a promotion branch a person committed to: one comment, then left alone", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const infraRepository = github.world.mustRepository("acme/infra");
    const branch = "release-promoter/prod/core";
    const personal = github.world.commitOn("acme/infra", { "envs/prod.tfvars": `${github.world.fileAt("acme/infra", "envs/prod.tfvars", branch)}# reviewed by hand\n` }, { branch, message: "Hand edit" });
    github.world.commitOn("acme/infra", { "README.md": "# infra\n\nmoved on\n" }, { message: "Unrelated change on main" });
    const main = infraRepository.git.refs.get("refs/heads/main")!;
    const infraPush = () => deliver(appUrl, SECRET, "push", Object.assign(pushPayload(github.world, { repository: "acme/infra", ref: "refs/heads/main", after: main, installationId: INSTALLATION }), { created: false, before: "f".repeat(40), commits: [{ id: main, tree_id: main, distinct: true, message: "x", timestamp: "2026-12-03T00:00:00Z", url: "", author: { name: "a", email: "a@example.com" }, committer: { name: "a", email: "a@example.com" }, added: [], removed: [], modified: ["README.md"] }] }));
    await infraPush();
    await tasks.idle();
    await infraPush();
    await tasks.idle();
    expect(infraRepository.git.refs.get(`refs/heads/${branch}`)).toBe(personal);
    const [pr] = github.world.pullRequestsOf("acme/infra", "open");
    expect(pr!.comments).toHaveLength(1);
    expect(pr!.comments[0]).toContain("carries a commit that release-promoter did not make");
  });

  it("closes the open promotion PR of a deleted tag, saying why", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const source = github.world.mustRepository("acme/core-api");
    source.git.refs.delete("refs/tags/core-v0.10.0");
    const payload = Object.assign(pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: "0".repeat(40), installationId: INSTALLATION }), {
      created: false,
      deleted: true,
      before: org.coreCommit,
      head_commit: null,
    });
    expect((await deliver(appUrl, SECRET, "push", payload)).status).toBe(200);
    await tasks.idle();
    const [pr, ...others] = github.world.pullRequestsOf("acme/infra");
    expect(others).toHaveLength(0);
    expect(pr).toMatchObject({ state: "closed" });
    expect(pr!.comments).toEqual([expect.stringContaining("core-v0.10.0 was deleted from acme/core-api")]);
  });

  it("a promotion the process lost while it waited for the image (a crash, a deploy) is finished by the next process's first sweep", async () => {
    // CI has not pushed the image yet, and the config waits for it.
    github.world.commitOn("acme/infra", { ".github/release-promoter.yml": org.configText.replace("imageWaitSeconds: 0", "imageWaitSeconds: 600") }, { message: "Wait for images" });
    const next = github.world.commitOn("acme/core-api", { "src/slow.txt": "slow build\n" }, { message: "Slow build" });
    // The first process: its wait never ends (it dies while waiting); its queue and memory are gone with it.
    const port = await freePort();
    const env = { ...github.env, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, HOST: "127.0.0.1", PORT: String(port), NO_SMEE_SETUP: "true" as const };
    const dying = await run(createApp({ env, tasks: new BackgroundTasks(() => {}), sleep: () => new Promise<void>(() => {}) }), { env, log });
    const tagObject = github.world.tag("acme/core-api", "core-v0.11.0", next, { annotated: true });
    const inProgress = github.nextRequest((request) => request.method === "POST" && request.name === "/repos/{owner}/{repo}/check-runs");
    await deliver(`http://127.0.0.1:${port}`, SECRET, "push", pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.11.0", after: tagObject, installationId: INSTALLATION }));
    await inProgress;
    await dying.stop();
    expect(github.world.checkRunsOn("acme/core-api", next)).toEqual([expect.objectContaining({ status: "in_progress" })]);
    expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);

    // CI pushes the image; the next process (this test's app) starts with a sweep.
    const nextDigest = (await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.11.0\n" }, reference: next })).digest;
    await sweepAndSettle();
    const [pr, ...others] = github.world.pullRequestsOf("acme/infra", "open");
    expect(others).toHaveLength(0);
    expect(github.world.fileAt("acme/infra", "envs/prod.tfvars", pr!.head)).toContain(`core_image = "${registry.host}/acme/core-api@${nextDigest}" # core-v0.11.0`);
    expect(github.world.checkRunsOn("acme/core-api", next)).toEqual([expect.objectContaining({ status: "completed", conclusion: "success" })]);
  });

  it("checks the config on a branch pushed to infra (a config PR): every problem with its path, on that commit", async () => {
    const infraRepository = github.world.mustRepository("acme/infra");
    infraRepository.git.refs.set("refs/heads/config-change", infraRepository.git.refs.get("refs/heads/main")!);
    const broken = org.configText.replace("variable: web_image", "variable: core_image");
    const commit = github.world.commitOn("acme/infra", { ".github/release-promoter.yml": broken }, { branch: "config-change", message: "Add web" });
    const payload = Object.assign(pushPayload(github.world, { repository: "acme/infra", ref: "refs/heads/config-change", after: commit, installationId: INSTALLATION }), {
      created: false,
      before: "f".repeat(40),
      commits: [{ id: commit, tree_id: commit, distinct: true, message: "Add web", timestamp: "2026-12-03T00:00:00Z", url: "", author: { name: "a", email: "a@example.com" }, committer: { name: "a", email: "a@example.com" }, added: [], removed: [], modified: [".github/release-promoter.yml"] }],
    });
    expect((await deliver(appUrl, SECRET, "push", payload)).status).toBe(200);
    await tasks.idle();
    const [check, ...others] = github.world.checkRunsOn("acme/infra", commit);
    expect(others).toHaveLength(0);
    expect(check).toMatchObject({ name: "release-promoter/config", status: "completed", conclusion: "failure" });
    expect(check!.summary).toContain("services.web.variable: core_image is already owned by service core");
    expect(github.world.pullRequestsOf("acme/infra")).toHaveLength(0);
  });

  it("refuses a moved release tag (tag_moved) on the commit it names now, and closes its open PR", async () => {
    await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const other = github.world.commitOn("acme/core-api", { "src/other.txt": "other\n" }, { message: "Other" });
    await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "other\n" }, reference: other });
    const moved = github.world.tag("acme/core-api", "core-v0.10.0", other, { annotated: true }); // git push --force origin core-v0.10.0
    const payload = Object.assign(pushPayload(github.world, { repository: "acme/core-api", ref: "refs/tags/core-v0.10.0", after: moved, installationId: INSTALLATION }), {
      created: false,
      forced: true,
      before: org.coreCommit,
    });
    expect((await deliver(appUrl, SECRET, "push", payload)).status).toBe(200);
    await tasks.idle();
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(0);
    const [check] = github.world.checkRunsOn("acme/core-api", other);
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(check!.title).toContain("tag_moved");

    // Nor does a sweep promote it: the closed PR's record says the tag named another commit.
    const mark = github.requests.length;
    await sweepAndSettle();
    expect(github.world.pullRequestsOf("acme/infra", "open")).toHaveLength(0);
    expect(github.counts(mark).contentCreating).toBe(0);
  });
});

