/**
 * The app as `npm start` runs it (Probot's run(), settings from the environment, pointed at the
 * GitHub stand-in like a GitHub Enterprise Server), with the status handler registered next to
 * createApp's routes, as src/index.ts will do. The sample org, plus what the status page must
 * cope with: a second environment for web only whose pin holds markup, a prerelease tag prod does
 * not take, and a second installation (globex) whose config is invalid and names markup.
 */
import { type Server, run } from "probot";
import { reportConsumers } from "../../src/core/contracts-report.js";
import { standInAppEnv } from "../helpers/app-env.js";
import { expect } from "vitest";
import { BackgroundTasks } from "../../src/background-tasks.js";
import type { PromoterDependencies } from "../../src/dependencies.js";
import { AppOctokit } from "../../src/github/app-octokit.js";
import { createApp } from "../../src/index.js";
import { Writable } from "node:stream";
import { createAppLog } from "../../src/app-log.js";
import { freePort } from "../helpers/free-port.js";
import { type OciRegistry, pushImage } from "../helpers/oci-registry.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { type SampleOrg, seedSampleOrg } from "../stand-in/sample-org.js";
import { type GitHubStandIn, startGitHubStandIn } from "../stand-in/server.js";
import { deliver, pushPayload } from "../stand-in/webhooks.js";

const SECRET = "status-webhook-secret";
export const INSTALLATION = 7;
export const OTHER_INSTALLATION = 8;
export const MARKUP = "<script>alert('x&y')</script>";
const privateKey = throwawayPrivateKey();

export interface StatusApp {
  github: GitHubStandIn;
  org: SampleOrg;
  url: string;
  /** The image digest pushed for core-api's head (what core-v0.10.0 promotes). */
  digest: string;
  /** Every line the app logged at info and above, through the app's own logger (Probot's request log among them). */
  logs: Array<Record<string, unknown>>;
  /** The app's clock for the status cache: `clock.ms` is added to the real time. */
  clock: { ms: number };
  pushTag(repository: string, tag: string, commit: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startStatusApp(registry: OciRegistry, options: { statusToken?: string } = {}): Promise<StatusApp> {
  const github = await startGitHubStandIn({ appId: 1, privateKey });
  github.addInstallation(INSTALLATION).addInstallation(OTHER_INSTALLATION);
  const org = seedSampleOrg(github.world, { installationId: INSTALLATION, registryHost: registry.host });
  // A contracts section (its npm registry is never reached here): a release, and the app's check run on it listing the consumers.
  github.world.addRepository({ fullName: "acme/contracts", installationId: INSTALLATION, files: { "package.json": '{ "name": "@acme/contracts", "version": "0.3.2" }\n' } });
  const contractsCommit = github.world.commitOn("acme/contracts", { "CHANGELOG.md": "0.3.2\n" }, { message: "Release 0.3.2" });
  github.world.tag("acme/contracts", "contracts-v0.3.2", contractsCommit, { annotated: true });
  const bumped = reportConsumers("@acme/contracts", "0.3.2", [{ repository: "acme/billing-api", outcome: "pull_request", number: 1, url: "https://github.example/acme/billing-api/pull/1", breaking: false }]);
  github.world.addCheckRun(github.world.mustRepository("acme/contracts"), {
    name: "release-promoter",
    headSha: contractsCommit,
    status: "completed",
    conclusion: bumped.conclusion,
    externalId: "contracts-v0.3.2",
    detailsUrl: null,
    title: bumped.title,
    summary: bumped.summary,
    text: null,
    startedAt: new Date().toISOString(),
    completedAt: new Date().toISOString(),
  });
  // staging takes web only; its pin holds markup (a pin value is any string the file holds).
  github.world.commitOn(
    "acme/infra",
    {
      ".github/release-promoter.yml": org.configText.replace(
        "imageWaitSeconds: 0",
        ["  staging:", "    file: envs/staging.tfvars", "    services: [web]", "imageWaitSeconds: 0", "contracts:", "  repository: acme/contracts", '  package: "@acme/contracts"', "  consumers: [{ repository: acme/billing-api }]"].join("\n"),
      ),
      "envs/staging.tfvars": `web_image = "${MARKUP}" # web-v1.4.1\n`,
    },
    { message: "Add staging" },
  );
  // Tags that exist without a delivery: a prerelease (prod does not take it) and web's running version.
  github.world.tag("acme/core-api", "core-v0.11.0-rc.1", org.coreCommit, { annotated: true });
  github.world.tag("acme/web-ui", "web-v1.4.1", org.webCommit, { annotated: true });
  github.world.addRepository({
    fullName: "globex/infra",
    installationId: OTHER_INSTALLATION,
    files: { ".github/release-promoter.yml": `services:\n  "${MARKUP}":\n    repository: globex/api\n    image: ghcr.io/globex/api\n` },
  });

  const digest = (
    await pushImage(registry.url, "acme/core-api", { format: "oci", platform: { os: "linux", architecture: "amd64" }, files: { "app/VERSION": "0.10.0\n" }, reference: org.coreCommit })
  ).digest;

  const port = await freePort();
  const env = standInAppEnv(github, { privateKey, secret: SECRET, port, extra: options.statusToken === undefined ? {} : { STATUS_PAGE_TOKEN: options.statusToken } });
  // The logger `npm start` builds (src/app-log.ts), JSON lines kept here: what an operator's log would hold.
  const logs: Array<Record<string, unknown>> = [];
  const log = await createAppLog(
    { level: "info", logFormat: "json", logLevelInString: false, logMessageKey: "msg" },
    new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }) as unknown as Parameters<typeof createAppLog>[1],
  );
  const tasks = new BackgroundTasks((error) => log.error({ err: error }, "background task failed"));
  const clock = { ms: 0 };
  // createApp registers the status page's route (src/index.ts); the test's clock moves its cache.
  const deps: Partial<PromoterDependencies> = { env, tasks, now: () => Date.now() + clock.ms };
  const server: Server = await run(createApp(deps), { env, log, Octokit: AppOctokit });
  const url = `http://127.0.0.1:${port}`;

  return {
    github,
    org,
    url,
    digest,
    logs,
    clock,
    async pushTag(repository, tag, commit) {
      const tagObject = github.world.tag(repository, tag, commit, { annotated: true });
      const delivery = await deliver(url, SECRET, "push", pushPayload(github.world, { repository, ref: `refs/tags/${tag}`, after: tagObject, installationId: INSTALLATION }));
      expect(delivery.status).toBe(200);
      await tasks.idle();
    },
    async stop() {
      await tasks.idle();
      await server.stop();
      await github.stop();
      github.assertNoProblems();
    },
  };
}

/** What the HTML loads or runs from elsewhere: scripts, external resources, CSS imports or urls, event handlers. */
export function externalReferences(html: string): string[] {
  const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
  return [
    ...tags.filter((tag) => /^<(script|link|img|iframe|object|embed|source|video|audio|base|form)\b/i.test(tag)),
    ...tags.filter((tag) => /\s(src|srcset|action|poster|data|on[a-z]+)\s*=/i.test(tag)),
    ...tags.filter((tag) => /^<a\b/i.test(tag) && !/href="(https?:\/\/[^"]*\/pull\/\d+)"/.test(tag)),
    ...(html.match(/@import|url\(/gi) ?? []),
  ];
}
