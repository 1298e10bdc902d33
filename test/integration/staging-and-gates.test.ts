/**
 * Staging from main, production gated on staging, end to end over real HTTP: the app as `npm
 * start` runs it (Probot's run() with the app's Octokit, settings from the environment), the
 * GitHub stand-in, a real docker-registry, signed deliveries. The app's clock is injected
 * (`now`), so soak times and merge windows pass without a real wait.
 */
import { type Server, run } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackgroundTasks } from "../../src/background-tasks.js";
import { AppOctokit } from "../../src/github/app-octokit.js";
import { createApp } from "../../src/index.js";
import { collectingLogger } from "../helpers/app-server.js";
import { standInAppEnv } from "../helpers/app-env.js";
import { freePort } from "../helpers/free-port.js";
import { type OciRegistry, pushImage, startOciRegistry } from "../helpers/oci-registry.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { seedSampleOrg } from "../stand-in/sample-org.js";
import { type GitHubStandIn, startGitHubStandIn } from "../stand-in/server.js";
import { deliver, pullRequestClosedPayload, pushPayload } from "../stand-in/webhooks.js";
import type { PullRequest } from "../stand-in/world.js";

const SECRET = "stand-in-webhook-secret";
const INSTALLATION = 7;
const privateKey = throwawayPrivateKey();
/** A Monday, 11:00 in Berlin: inside the prod window below. */
const MONDAY = Date.parse("2026-12-07T10:00:00Z");
const MINUTE = 60_000;

describe("staging from main, prod gated on staging (through the GitHub stand-in)", () => {
  let registry: OciRegistry;
  let storage: string;
  let github: GitHubStandIn;
  let server: Server;
  let tasks: BackgroundTasks;
  let appUrl: string;
  let clock: number;
  let sweep: () => Promise<void>;
  let logs: Array<Record<string, unknown>>;

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), "release-promoter-staging-registry-"));
    registry = await startOciRegistry({ storageDir: storage });
  });
  afterAll(async () => {
    await registry.stop();
    await rm(storage, { recursive: true, force: true });
  });

  let sigintListeners: Array<(...args: unknown[]) => void> = [];
  beforeEach(async () => {
    sigintListeners = process.listeners("SIGINT") as Array<(...args: unknown[]) => void>;
    github = await startGitHubStandIn({ appId: 1, privateKey });
    github.addInstallation(INSTALLATION);
    const org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: registry.host });
    const config = org.configText.replace(
      "environments:\n  prod:\n    file: envs/prod.tfvars\n",
      [
        "environments:",
        "  staging:",
        "    file: envs/staging.tfvars",
        "    on: main",
        "    autoMerge: squash",
        "    services: [core]",
        "  prod:",
        "    file: envs/prod.tfvars",
        "    services: [core]",
        "    requires: { environment: staging, soakMinutes: 30 }",
        '    windows: [{ days: [mon, tue, wed, thu], from: "09:00", to: "16:00", timeZone: Europe/Berlin }]',
        "",
      ].join("\n"),
    );
    expect(config).not.toBe(org.configText);
    github.world.commitOn("acme/infra", {
      ".github/release-promoter.yml": config,
      "envs/staging.tfvars": `# Staging.\ncore_image = "${registry.host}/acme/core-api@sha256:${"1".repeat(64)}" # core@${org.coreCommit.slice(0, 12)}\n`,
    });
    clock = MONDAY;
    const port = await freePort();
    const env = standInAppEnv(github, { privateKey, secret: SECRET, port, extra: { RECONCILE_INTERVAL_SECONDS: "0" } });
    const collected = collectingLogger();
    logs = collected.logs;
    tasks = new BackgroundTasks((error) => collected.log.error({ err: error }, "background task failed"));
    server = await run(createApp({ env, tasks, now: () => clock, onStart: (start) => (sweep = start.sweep) }), { env, log: collected.log, Octokit: AppOctokit });
    appUrl = `http://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    for (const listener of process.listeners("SIGINT")) if (!sigintListeners.includes(listener as (...args: unknown[]) => void)) process.removeListener("SIGINT", listener);
    await tasks.idle();
    await server.stop();
    await github.stop();
    github.assertNoProblems();
  });

  /** A merge to core-api's main: a new commit on it, its image pushed by CI, the push delivered. */
  async function mergeToMain(note: string, options: { parent?: string } = {}): Promise<{ commit: string; digest: string }> {
    const repository = github.world.mustRepository("acme/core-api");
    const parent = options.parent ?? github.world.headOf("acme/core-api")!;
    const commit = repository.git.commit(parent, note, { "NOTES.md": `${note}\n` }).oid;
    repository.git.refs.set("refs/heads/main", commit);
    const { digest } = await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/NOTE": `${note}\n` }, reference: commit });
    const delivery = await deliver(appUrl, SECRET, "push", pushPayload(github.world, { repository: "acme/core-api", ref: "refs/heads/main", after: commit, installationId: INSTALLATION }));
    expect(delivery.status).toBe(200);
    await tasks.idle();
    return { commit, digest };
  }

  async function pushTag(tag: string, commit: string): Promise<void> {
    const tagObject = github.world.tag("acme/core-api", tag, commit, { annotated: true });
    const delivery = await deliver(appUrl, SECRET, "push", pushPayload(github.world, { repository: "acme/core-api", ref: `refs/tags/${tag}`, after: tagObject, installationId: INSTALLATION }));
    expect(delivery.status).toBe(200);
    await tasks.idle();
  }

  const openPr = (branch: string): PullRequest | undefined => github.world.pullRequestsOf("acme/infra", "open").find((pr) => pr.head === branch);
  const gatesOn = (pr: PullRequest) => github.world.checkRunsOn("acme/infra", github.world.headOf("acme/infra", pr.head)!).filter((run) => run.name === "release-promoter/gates");
  /** Merges the staging PR as if `minutesAgo` minutes before the app's clock. */
  function mergeStaging(minutesAgo: number): void {
    const pr = openPr("release-promoter/staging/core")!;
    github.world.merge(pr);
    pr.mergedAt = new Date(clock - minutesAgo * MINUTE).toISOString();
  }

  it("a merge to main opens the staging PR with the head's digest and auto-merge; a second merge updates that PR; the commit's check run links it", async () => {
    const first = await mergeToMain("first");
    // The main read, the targets, the compare with the commit staging runs; the PR write, auto-merge, the check run (auto-merge creates no content).
    expect(github.counts()).toMatchObject({ read: 3, write: 3, contentCreating: 2 });
    const pr = openPr("release-promoter/staging/core")!;
    expect(pr.title).toBe(`Promote core ${first.commit.slice(0, 12)} to staging`);
    const line = (text: string) => text.split("\n").find((l) => l.startsWith("core_image"));
    expect(line(github.world.fileAt("acme/infra", "envs/staging.tfvars", pr.head)!)).toBe(`core_image = "${registry.host}/acme/core-api@${first.digest}" # core@${first.commit.slice(0, 12)}`);
    expect(pr.autoMerge).toMatchObject({ mergeMethod: "SQUASH" });
    const [check] = github.world.checkRunsOn("acme/core-api", first.commit);
    expect(check).toMatchObject({ name: "release-promoter/main", conclusion: "success" });
    expect(check!.summary).toContain(`/acme/infra/pull/${pr.number}`);
    // prod is promoted by tags only: nothing opened there by a merge.
    expect(openPr("release-promoter/prod/core")).toBeUndefined();

    const mark = github.requests.length;
    const second = await mergeToMain("second");
    // An open PR: the commit on a scratch branch and the move are two writes.
    expect(github.counts(mark)).toMatchObject({ read: 3, write: 4 });
    const prs = github.world.pullRequestsOf("acme/infra", "open");
    expect(prs.map((p) => p.number)).toEqual([pr.number]);
    expect(line(github.world.fileAt("acme/infra", "envs/staging.tfvars", pr.head)!)).toBe(`core_image = "${registry.host}/acme/core-api@${second.digest}" # core@${second.commit.slice(0, 12)}`);
    expect(pr.body).toContain(`${second.commit.slice(0, 12)} supersedes \`core@${first.commit.slice(0, 12)}\``);
    // Only that one line differs from main.
    const before = github.world.fileAt("acme/infra", "envs/staging.tfvars")!.split("\n");
    const after = github.world.fileAt("acme/infra", "envs/staging.tfvars", pr.head)!.split("\n");
    expect(after.filter((l, i) => l !== before[i])).toHaveLength(1);
  });

  it("a repository that does not allow auto-merge: the staging PR is still opened, and the commit's check run says auto-merge could not be enabled", async () => {
    github.world.mustRepository("acme/infra").allowAutoMerge = false;
    const first = await mergeToMain("first");
    const pr = openPr("release-promoter/staging/core")!;
    expect(pr.autoMerge).toBeUndefined();
    const [check] = github.world.checkRunsOn("acme/core-api", first.commit);
    expect(check).toMatchObject({ name: "release-promoter/main", conclusion: "success" });
    expect(check!.summary).toMatch(/It waits: auto-merge could not be enabled \(.*Auto merge is not allowed for this repository.*\); merge it by hand\./);
  });

  it("a force-pushed main whose head does not descend from what staging runs is refused, and says why on that commit", async () => {
    const first = await mergeToMain("first");
    mergeStaging(5);
    const root = github.world.mustRepository("acme/core-api").git.getCommit(first.commit).parents[0]!;
    const rewritten = await mergeToMain("rewritten", { parent: root });
    const [check] = github.world.checkRunsOn("acme/core-api", rewritten.commit);
    expect(check).toMatchObject({ name: "release-promoter/main", conclusion: "failure" });
    expect(check!.title).toContain("commit_not_descendant");
    expect(check!.summary).toMatch(/does not descend from core@[0-9a-f]{12}, which staging runs \(was main force-pushed\?\)/);
    expect(openPr("release-promoter/staging/core")).toBeUndefined();
    expect(github.world.fileAt("acme/infra", "envs/staging.tfvars")).toContain(`core@${first.commit.slice(0, 12)}`);
  });

  it("a branch named like staging's commit marker does not stand in for that commit: the compare's base is checked (ambiguous → refused)", async () => {
    const first = await mergeToMain("first");
    mergeStaging(5);
    const repository = github.world.mustRepository("acme/core-api");
    const root = repository.git.getCommit(first.commit).parents[0]!;
    // A branch whose name is the marker's 12 hex, at an older commit that the next head descends from.
    repository.git.refs.set(`refs/heads/${first.commit.slice(0, 12)}`, root);
    const next = await mergeToMain("next");
    const [check] = github.world.checkRunsOn("acme/core-api", next.commit);
    expect(check).toMatchObject({ name: "release-promoter/main", conclusion: "failure" });
    expect(check!.summary).toContain("GitHub resolves that name to another commit");
  });

  it("core-v1.2.0 on a commit that has run in staging for 40 minutes: the prod PR's gates check passes, and the tag's check run links the PR", async () => {
    const built = await mergeToMain("release 1.2.0");
    mergeStaging(40);
    await pushTag("core-v1.2.0", built.commit);
    const pr = openPr("release-promoter/prod/core")!;
    expect(pr.title).toBe("Promote core v1.2.0 to prod");
    const [gates, ...more] = gatesOn(pr);
    expect(more).toHaveLength(0);
    expect(gates).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gates!.title).toMatch(/^Gates passed: `sha256:[0-9a-f]{4}…` has run in staging for 40 minutes \(30 minutes required\); inside the merge window until Mon 16:00 Europe\/Berlin$/);
    const [tagCheck] = github.world.checkRunsOn("acme/core-api", built.commit).filter((run) => run.name === "release-promoter");
    expect(tagCheck).toMatchObject({ conclusion: "success" });
    expect(tagCheck!.summary).toContain(`/acme/infra/pull/${pr.number}`);
  });

  it("core-v1.2.0 on a commit that never reached staging: the prod PR opens, its gates check fails and says why", async () => {
    const staged = await mergeToMain("staged");
    mergeStaging(90);
    const elsewhere = github.world.mustRepository("acme/core-api").git.commit(staged.commit, "never staged", { "X.md": "x\n" }).oid;
    github.world.mustRepository("acme/core-api").git.refs.set("refs/heads/main", elsewhere);
    await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/X": "x\n" }, reference: elsewhere });
    await pushTag("core-v1.2.0", elsewhere);
    const pr = openPr("release-promoter/prod/core")!;
    const [gates] = gatesOn(pr);
    expect(gates).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gates!.title).toMatch(/never reached staging/);
    expect(gates!.summary).toContain("Promote this commit to staging first.");
    const [tagCheck] = github.world.checkRunsOn("acme/core-api", elsewhere).filter((run) => run.name === "release-promoter");
    expect(tagCheck!.summary).toMatch(/It waits: the gates check failed: `sha256:[0-9a-f]{4}…` never reached staging/);
  });

  it("reached staging 10 minutes ago: in progress with the minutes left, re-checked for the time it passes, then success once the soak is over (the sweep re-evaluates)", async () => {
    const built = await mergeToMain("release 1.2.0");
    mergeStaging(10);
    await pushTag("core-v1.2.0", built.commit);
    const pr = openPr("release-promoter/prod/core")!;
    const [waiting] = gatesOn(pr);
    expect(waiting).toMatchObject({ status: "in_progress", conclusion: null });
    expect(waiting!.title).toMatch(/^`sha256:[0-9a-f]{4}…` has run in staging for 10 of 30 minutes \(since PR #\d+ was merged\)$/);
    const evaluated = logs.find((line) => line.msg === "gates evaluated" && line.gates === "wait");
    expect(evaluated).toMatchObject({ recheckAt: new Date(clock + 20 * MINUTE).toISOString() });
    const [tagCheck] = github.world.checkRunsOn("acme/core-api", built.commit).filter((run) => run.name === "release-promoter");
    expect(tagCheck!.summary).toContain("It waits: the gates check waits: `sha256:");

    clock += 21 * MINUTE;
    await sweep();
    await tasks.idle();
    const runs = gatesOn(pr);
    // The check left in progress is completed (one check, moved on), not a second one beside it.
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(runs[0]!.title).toMatch(/has run in staging for 31 minutes/);
  });

  it("prod waits while staging's PR for the digest is open; staging merged (the pull_request event) → prod's gates re-evaluated at once, now counting the soak", async () => {
    const built = await mergeToMain("release 1.2.0");
    await pushTag("core-v1.2.0", built.commit);
    const prod = openPr("release-promoter/prod/core")!;
    expect(gatesOn(prod)[0]).toMatchObject({ status: "in_progress", title: expect.stringMatching(/has not reached staging yet: its promotion PR #\d+ is open$/) });
    const staging = openPr("release-promoter/staging/core")!;
    github.world.merge(staging, "octocat");
    staging.mergedAt = new Date(clock).toISOString(); // merged now, on the app's clock
    const delivery = await deliver(appUrl, SECRET, "pull_request", pullRequestClosedPayload(github.world, staging, { installationId: INSTALLATION, sender: "octocat" }));
    expect(delivery.status).toBe(200);
    await tasks.idle();
    const runs = gatesOn(prod);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "in_progress", title: expect.stringMatching(/has run in staging for 0 of 30 minutes/) });
  });

  it("a person's commit on the prod PR's branch pinning another digest: the next evaluation fails the gates on that head, never passes it for the record's digest", async () => {
    const built = await mergeToMain("release 1.2.0");
    mergeStaging(40);
    await pushTag("core-v1.2.0", built.commit);
    const pr = openPr("release-promoter/prod/core")!;
    expect(gatesOn(pr)[0]).toMatchObject({ conclusion: "success" });
    const text = github.world.fileAt("acme/infra", "envs/prod.tfvars", pr.head)!;
    const forged = `sha256:${"9".repeat(64)}`;
    github.world.commitOn("acme/infra", { "envs/prod.tfvars": text.replace(/sha256:[0-9a-f]{64}/, forged) }, { branch: pr.head, message: "pin another digest" });
    await sweep();
    await tasks.idle();
    const [onNewHead, ...more] = gatesOn(pr);
    expect(more).toHaveLength(0);
    expect(onNewHead).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(onNewHead!.title).toContain(`the PR's head pins ${forged} in envs/prod.tfvars, not sha256:`);
  });

  it("outside the merge window the gates check waits and names when the next one opens", async () => {
    clock = Date.parse("2026-12-05T10:00:00Z"); // Saturday
    const built = await mergeToMain("release 1.2.0");
    mergeStaging(60 * 24);
    await pushTag("core-v1.2.0", built.commit);
    const [gates] = gatesOn(openPr("release-promoter/prod/core")!);
    expect(gates).toMatchObject({ status: "in_progress", title: "outside the merge window, next opens Mon 09:00 Europe/Berlin" });
  });
});
