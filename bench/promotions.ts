/**
 * Sections 1 and 2 of the bench: GitHub requests per promotion and tag-to-PR latency, for the
 * app (a real process, signed webhook in) and the baseline workflow script, against the same
 * GitHub stand-in and registry. Each promotion tags a new commit whose image CI "pushed", and
 * each PR is merged before the next tag, as a team would: every run opens a PR.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Octokit } from "@octokit/rest";
import type { AppProcess } from "./app-process.js";
import { runBaselineWorkflow } from "./baseline-workflow.js";
import type { ImageRegistry } from "../demo/sample-registries.js";
import type { GitHubStandIn } from "../test/stand-in/server.js";
import { pushPayload } from "../test/stand-in/webhooks.js";

export interface PromotionRun {
  /** Delivery (app) or workflow start (baseline) → the answer to the request that opened the PR. */
  tagToPrMs: number;
  reads: number;
  writes: number;
  contentCreating: number;
  /** The app process's first promotion: its config not cached yet (one more read). */
  first: boolean;
}

export interface PromotionSetup {
  github: GitHubStandIn;
  images: ImageRegistry;
  installationId: number;
  /** The version the next promotion tags (each call gives a new, higher one). */
  nextVersion: () => string;
}

/** GitHub's secondary-limit pacing: the app spaces content-creating requests ≥ 1.05 s apart. */
const PACER_GAP_MS = 1_100;
const OPENING_OPERATIONS = new Set(["OpenPromotionPullRequest", "ReuseBranchAndOpenPromotionPullRequest"]);

/** A new commit on core-api's main, its image pushed, tagged with the next version. */
async function newRelease(setup: PromotionSetup): Promise<{ commit: string; tag: string; digest: string }> {
  const version = setup.nextVersion();
  const commit = setup.github.world.commitOn("acme/core-api", { "VERSION": `${version}\n` }, { message: `Release ${version}` });
  const digest = await setup.images.pushFor("acme/core-api", commit);
  return { commit, tag: `core-v${version}`, digest };
}

/** Merges the open PR of `head` in acme/infra (fast-forward), so the next promotion opens a new one. */
function mergeOpenPullRequest(github: GitHubStandIn, head: string): void {
  const pr = github.world.pullRequestsOf("acme/infra", "open").find((candidate) => candidate.head === head || candidate.head.startsWith(head));
  if (pr === undefined) throw new Error(`no open PR from ${head} in acme/infra`);
  github.world.merge(pr);
}

export async function measureAppPromotions(setup: PromotionSetup, app: AppProcess, count: number): Promise<PromotionRun[]> {
  const { github } = setup;
  const runs: PromotionRun[] = [];
  for (let i = 0; i < count; i++) {
    const release = await newRelease(setup);
    const tagObject = github.world.tag("acme/core-api", release.tag, release.commit, { annotated: true });
    const payload = pushPayload(github.world, { repository: "acme/core-api", ref: `refs/tags/${release.tag}`, after: tagObject, installationId: setup.installationId });
    const mark = github.requests.length;
    const opened = github.nextRequest((request) => OPENING_OPERATIONS.has(request.name) && request.status === 200);
    const reported = github.nextRequest((request) => request.name === "/repos/{owner}/{repo}/check-runs" && request.method === "POST");
    const started = performance.now();
    const delivery = await app.deliver("push", payload);
    if (delivery.status !== 200) throw new Error(`the app answered ${delivery.status} to ${release.tag}`);
    const pr = await opened;
    await reported;
    const counts = github.counts(mark);
    runs.push({ tagToPrMs: pr.answeredMs - started, reads: counts.read, writes: counts.write, contentCreating: counts.contentCreating, first: i === 0 });
    mergeOpenPullRequest(github, "release-promoter/prod/core");
    // Let the app's pacer clear, so the next promotion's latency is the promotion's alone.
    await sleep(PACER_GAP_MS);
  }
  return runs;
}

export async function measureBaselinePromotions(setup: PromotionSetup, octokit: Octokit, registryUrl: string, count: number): Promise<PromotionRun[]> {
  const { github } = setup;
  const runs: PromotionRun[] = [];
  for (let i = 0; i < count; i++) {
    const release = await newRelease(setup);
    github.world.tag("acme/core-api", release.tag, release.commit, { annotated: true });
    const mark = github.requests.length;
    const started = performance.now();
    // The workflow's digest lookup: one registry HEAD of the image tagged with the commit.
    const head = await fetch(`${registryUrl}/v2/acme/core-api/manifests/${release.commit}`, {
      method: "HEAD",
      headers: { accept: "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json" },
    });
    const digest = head.headers.get("docker-content-digest");
    if (!head.ok || digest === null) throw new Error(`baseline: registry answered ${head.status} for ${release.commit}`);
    await runBaselineWorkflow({
      octokit,
      owner: "acme",
      repo: "infra",
      file: "envs/prod.tfvars",
      variable: "core_image",
      image: `${setup.images.host}/acme/core-api`,
      tag: release.tag,
      digest,
    });
    const ended = performance.now();
    const counts = github.counts(mark);
    runs.push({ tagToPrMs: ended - started, reads: counts.read, writes: counts.write, contentCreating: counts.contentCreating, first: i === 0 });
    mergeOpenPullRequest(github, `bump/${release.tag}`);
  }
  return runs;
}
