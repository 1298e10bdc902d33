/**
 * `npm run demo`: the app as a real server (`node dist/main.js`, what `npm start` runs) against a GitHub
 * stand-in with a sample organisation, offline, no GitHub account. It pushes tags the way
 * GitHub reports them (signed `push` deliveries over HTTP) and prints what a user would see on
 * GitHub: the PR (title, body, diff), the check run on the tagged commit, the contracts bump
 * PRs, a refusal, a rollback asked for by comment, and the status page (its URL, its table, and
 * a screenshot where Chromium is installed). Exits 0 only if every step it shows happened.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import { type AppProcess, startAppProcess } from "../bench/app-process.js";
import { buildApp } from "../bench/build-app.js";
import { throwawayPrivateKey } from "../test/helpers/throwaway-key.js";
import { seedSampleOrg } from "../test/stand-in/sample-org.js";
import { startGitHubStandIn } from "../test/stand-in/server.js";
import { issueCommentPayload, pushPayload } from "../test/stand-in/webhooks.js";
import { CHROMIUM, chromium } from "../test/helpers/chromium.js";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { mkdir } from "node:fs/promises";
import { type ContractsRegistry, type ImageRegistry, startContractsRegistry, startImageRegistry } from "./sample-registries.js";
import { Checklist, heading, showCheckRun, showPullRequest } from "./show.js";

const INSTALLATION = 1;
const STATUS_PAGE_TOKEN = "demo-status-token";

/** Polls `read` until it returns something, or `timeoutMs` passes. */
async function waitFor<T>(read: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const APP_ID = 1;

async function main(): Promise<boolean> {
  const checks = new Checklist();
  const stops: Array<() => Promise<void>> = [];
  try {
    console.log("release-promoter demo: the app against a GitHub stand-in, offline\n");
    // The demo runs what `npm start` runs, built from the current sources.
    const entry = buildApp("demo-build");

    const privateKey = throwawayPrivateKey();
    const github = await startGitHubStandIn({ appId: APP_ID, privateKey });
    stops.push(() => github.stop());
    github.addInstallation(INSTALLATION);
    const images: ImageRegistry = await startImageRegistry();
    stops.push(() => images.stop());
    const npm: ContractsRegistry = await startContractsRegistry();
    stops.push(() => npm.stop());

    const consumerNames = ["billing-api", "checkout-web"];
    const consumers = await Promise.all(consumerNames.map(async (name) => ({ name, files: await npm.consumerFiles(name) })));
    const org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: images.host, npmRegistry: npm.url, consumers });
    const digest = await images.pushFor("acme/core-api", org.coreCommit);
    await images.pushFor("acme/web-ui", org.webCommit);

    const home = await mkdtemp(join(tmpdir(), "release-promoter-demo-home-"));
    stops.push(() => rm(home, { recursive: true, force: true }));
    const app: AppProcess = await startAppProcess({
      entry,
      name: "release-promoter",
      env: {
        // The app's ordinary settings; GHE_HOST/GHE_PROTOCOL point it at the stand-in.
        ...github.env,
        APP_ID: String(APP_ID),
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: "demo-webhook-secret",
        STATUS_PAGE_TOKEN,
        LOG_LEVEL: "warn",
        NO_SMEE_SETUP: "true",
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
      },
    });
    stops.unshift(() => app.stop());

    console.log(`GitHub stand-in  ${github.url}  (the app's GHE_HOST=${github.env.GHE_HOST}, GHE_PROTOCOL=http)`);
    console.log(`OCI registry     ${images.host}  ${images.kind}`);
    console.log(`npm registry     ${npm.url}  verdaccio, @acme/contracts 0.3.1 published`);
    console.log(`app              ${app.url}  node main.js <the app, built from src/> (pid ${app.pid})`);
    console.log(`repositories     ${[...github.world.repositories.values()].map((r) => r.fullName).join(", ")}`);

    // What a user sees, read through the stand-in's API as any GitHub client would.
    const user = new ProbotOctokit({ baseUrl: github.apiUrl, auth: { appId: APP_ID, privateKey, installationId: INSTALLATION } });
    const pushTag = async (repository: string, tag: string, commit: string) => {
      const object = github.world.tag(repository, tag, commit, { annotated: true });
      const payload = pushPayload(github.world, { repository, ref: `refs/tags/${tag}`, after: object, installationId: INSTALLATION, pusher: "octocat" });
      const answer = await app.deliver("push", payload);
      console.log(`signed push delivery for refs/tags/${tag} → HTTP ${answer.status} in ${answer.ms.toFixed(0)} ms`);
      checks.expect(answer.status === 200, `the webhook for ${tag} from ${repository} was accepted`);
      // The app answers at once and works in the background: wait for its check run to complete.
      const run = await github.completedCheckRun(repository, commit, 60_000);
      if (run === undefined) console.log(`no completed check run on ${repository}@${commit.slice(0, 12)} within 60 s`);
      return run;
    };

    heading(`1. octocat pushes core-v0.10.0 to acme/core-api (commit ${org.coreCommit.slice(0, 12)})`);
    const coreRun = await pushTag("acme/core-api", "core-v0.10.0", org.coreCommit);
    const [pr] = (await user.request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "infra", state: "open" })).data;
    checks.expect(pr !== undefined, "a PR was opened in acme/infra");
    if (pr !== undefined) {
      const files = await showPullRequest(user, "acme/infra", pr);
      checks.expect(files.length === 1 && files[0]!.filename === "envs/prod.tfvars", "the PR changes one file, envs/prod.tfvars");
      checks.expect(files[0]?.additions === 1 && files[0]?.deletions === 1, "the diff is one line");
      checks.expect(files[0]?.patch?.includes(`+core_image = "${images.host}/acme/core-api@${digest}" # core-v0.10.0`) === true, "the new line pins the digest the registry holds for the tagged commit");
    }
    await showCheckRun(user, "acme/core-api", org.coreCommit);
    checks.expect(coreRun?.conclusion === "success" && pr !== undefined && coreRun.summary?.includes(pr.html_url) === true, "the check run on the tagged commit succeeded and links the PR");

    heading("2. acme/contracts is tagged contracts-v0.3.2 (CI published @acme/contracts@0.3.2)");
    await npm.publishRelease();
    const contractsRun = await pushTag("acme/contracts", "contracts-v0.3.2", org.contractsCommit!);
    for (const consumer of org.consumers) {
      const [owner = "", repo = ""] = consumer.split("/");
      const [bump] = (await user.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open" })).data;
      checks.expect(bump !== undefined, `a bump PR was opened in ${consumer}`);
      if (bump === undefined) continue;
      const files = await showPullRequest(user, consumer, bump);
      checks.expect(files.some((file) => file.filename === "package-lock.json" && file.patch?.includes('"version": "0.3.2"') === true), `${consumer}'s lockfile now locks 0.3.2`);
    }
    await showCheckRun(user, "acme/contracts", org.contractsCommit!);
    checks.expect(
      contractsRun?.conclusion === "success" && org.consumers.every((consumer) => contractsRun.summary?.includes(`${github.url}/${consumer}/pull/`) === true),
      "the check run on the contracts tag links every consumer's PR",
    );

    heading(`3. A refusal: octocat pushes core-v0.10.0 to acme/web-ui, which may not promote core`);
    const pullsBefore = github.world.pullRequests.length;
    const refusal = await pushTag("acme/web-ui", "core-v0.10.0", org.webCommit);
    await showCheckRun(user, "acme/web-ui", org.webCommit);
    checks.expect(refusal?.conclusion === "failure" && /acme\/core-api/.test(`${refusal.title} ${refusal.summary}`), "the refusal names the one repository allowed to promote core");
    checks.expect(github.world.pullRequests.length === pullsBefore, "the refusal opened no PR");

    heading("4. alice (write on acme/infra) rolls core back by comment: /release-promoter promote core v0.9.5 to prod");
    github.world.merge(github.world.pullRequestsOf("acme/infra", "open").find((open) => open.head === "release-promoter/prod/core")!, "alice");
    const older = github.world.commitOn("acme/core-api", { VERSION: "0.9.5\n" }, { message: "Release 0.9.5" });
    await images.pushFor("acme/core-api", older);
    github.world.tag("acme/core-api", "core-v0.9.5", older, { annotated: true });
    github.world.grant("acme/infra", "alice", "write");
    const issue = github.world.openIssue("acme/infra", "core v0.10.0 breaks checkout");
    const commented = await app.deliver("issue_comment", issueCommentPayload(github.world, { repository: "acme/infra", issue, body: "/release-promoter promote core v0.9.5 to prod", author: "alice", installationId: INSTALLATION }));
    console.log(`signed issue_comment delivery on acme/infra#${issue} → HTTP ${commented.status}`);
    const answered = await waitFor(() => github.world.issues.get("acme/infra")?.find((i) => i.number === issue)?.comments[0]?.body, 60_000);
    const [rollback] = (await user.request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "infra", state: "open" })).data;
    if (rollback !== undefined) {
      const files = await showPullRequest(user, "acme/infra", rollback);
      console.log(`  labels: ${rollback.labels.map((label) => label.name).join(", ") || "none"}`);
      checks.expect(files[0]?.patch?.includes("# core-v0.9.5") === true, "the rollback PR pins v0.9.5 in envs/prod.tfvars");
    }
    console.log(`the app's answer on #${issue}: ${answered ?? "(none)"}`);
    checks.expect(rollback?.title === "Roll back core to v0.9.5 in prod" && rollback.labels.some((label) => label.name === "rollback"), "a labelled rollback PR was opened");
    checks.expect(answered !== undefined && rollback !== undefined && answered.includes(rollback.html_url), "the app answered the comment with the PR's link");

    heading("5. The status page");
    const statusUrl = `${app.url}/status?token=${STATUS_PAGE_TOKEN}`;
    console.log(`open ${statusUrl}`);
    const status = (await (await fetch(`${app.url}/status.json`, { headers: { authorization: `Bearer ${STATUS_PAGE_TOKEN}` } })).json()) as {
      installations: Array<{ account: string; rows: Array<{ environment: string; service: string; running: { version: string | null } | null; newestTag: { tag: string } | null; pullRequest: { number: number } | null }> }>;
    };
    for (const installation of status.installations) {
      for (const row of installation.rows) {
        console.log(`  ${installation.account}  ${row.environment}/${row.service}: runs ${row.running?.version ? `v${row.running.version}` : "?"}, newest ${row.newestTag?.tag ?? "—"}, open PR ${row.pullRequest ? `#${row.pullRequest.number}` : "—"}`);
      }
    }
    checks.expect(status.installations.some((i) => i.rows.some((row) => row.service === "core" && row.running?.version === "0.10.0" && row.pullRequest !== null)), "the status page shows prod running core v0.10.0 with the rollback PR open");
    checks.expect((await fetch(`${app.url}/status`)).status === 401, "the status page refuses a request without the token");
    if (existsSync(CHROMIUM)) {
      const shot = join(process.cwd(), ".tmp", "demo-status.png");
      await mkdir(dirname(shot), { recursive: true });
      await chromium([`--screenshot=${shot}`, statusUrl], join(home, "chromium-profile"));
      console.log(`screenshot: ${shot}`);
      checks.expect(existsSync(shot), "Chromium saved a screenshot of the status page");
    } else {
      console.log(`(no screenshot: ${CHROMIUM} is not installed; .ci/install-test-deps.sh installs it)`);
    }

    heading("What it cost on GitHub");
    const counts = github.counts();
    console.log(`${counts.total} requests (${counts.read} reads, ${counts.write} writes, ${counts.contentCreating} content-creating) + ${counts.token} installation tokens, including the demo's own reads above`);
    checks.expect(github.problems.length === 0, "GitHub's API descriptions allowed every request the app made");
    if (!checks.ok) console.log(`\n--- app output ---\n${app.logs().join("\n")}`);
    return checks.report();
  } finally {
    for (const stop of stops) await stop().catch((error: unknown) => console.error(`stopping: ${(error as Error).message}`));
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
