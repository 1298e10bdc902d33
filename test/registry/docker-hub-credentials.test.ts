/**
 * A tag push whose service image lives on Docker Hub (written without a host, or as
 * docker.io/…): the `registries:` entry for Docker Hub is used whichever of its names the config
 * spells, and the registry sees those credentials. The registry is a strict scripted fetch
 * injected as the app's `fetch` dependency; GitHub is the strict GitHubMock.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { createTestProbot } from "../helpers/app-server.js";
import { GitHubMock } from "../helpers/github-mock.js";
import { TAGGED_COMMIT, promotionContext, pushPayload } from "../helpers/promotion-mocks.js";
import { scriptedFetch, type ScriptedFetch } from "./scripted-fetch.js";
import { ACCEPT, basic } from "./registry-mocks.js";

type PushPayload = EmitterWebhookEvent<"push">["payload"];

const HUB_ENV = { HUB_USER: "acme-ci", HUB_TOKEN: "dckr_pat_secret-value" };
const HUB_REALM = "https://auth.docker.io/token";

let github: GitHubMock;
let registry: ScriptedFetch | undefined;
let delivery = 0;

beforeEach(() => {
  nock.disableNetConnect();
  github = new GitHubMock();
});
afterEach(() => {
  registry?.assertDone();
  registry = undefined;
  nock.enableNetConnect();
});

function configText(image: string, registryKey: string): string {
  return `services:
  core: { repository: acme/core-api, image: ${image}, variable: core_image }
environments:
  prod: { file: envs/prod.tfvars }
registries:
  ${registryKey}: { usernameEnv: HUB_USER, passwordEnv: HUB_TOKEN }
imageWaitSeconds: 0
`;
}

/** Docker Hub as it answers: anonymous HEAD → Bearer challenge → the token endpoint, which refuses. */
function dockerHubRefusingToken(repository: string): ScriptedFetch {
  const scope = `repository:${repository}:pull`;
  return scriptedFetch([
    {
      method: "HEAD",
      url: `https://registry-1.docker.io/v2/${repository}/manifests/${TAGGED_COMMIT}`,
      headers: { accept: ACCEPT, authorization: null },
      respond: {
        status: 401,
        headers: { "www-authenticate": `Bearer realm="${HUB_REALM}",service="registry.docker.io",scope="${scope}"` },
      },
    },
    {
      method: "GET",
      url: `${HUB_REALM}?service=registry.docker.io&scope=${encodeURIComponent(scope)}`,
      // The configured credentials, or the strict fetch fails the test.
      headers: { authorization: basic(HUB_ENV.HUB_USER, HUB_ENV.HUB_TOKEN) },
      respond: { status: 401, body: '{"details":"incorrect username or password"}' },
    },
  ]);
}

describe("Docker Hub credentials for images written without a host", () => {
  it.each([
    ["acme/core-api", "docker.io", "acme/core-api"],
    ["acme/core-api", "index.docker.io", "acme/core-api"],
    ["acme/core-api", "registry-1.docker.io", "acme/core-api"],
    ["acme/core-api", "Docker.IO", "acme/core-api"],
    ["docker.io/acme/core-api", "docker.io", "acme/core-api"],
    ["docker.io/acme/core-api", "index.docker.io", "acme/core-api"],
    ["index.docker.io/acme/core-api", "registry-1.docker.io", "acme/core-api"],
    ["nginx", "docker.io", "library/nginx"],
  ])("image %s with registries.%s: the token request carries its credentials", async (image, key, repository) => {
    github
      .accessToken(4242)
      .graphql("ReadPromotionContext", () => promotionContext({ configText: configText(image, key) }));
    let check: Record<string, any> | undefined;
    github.rest("POST", "/repos/acme/core-api/check-runs", (body) => {
      check = body as Record<string, any>;
      return [201, { id: 5 }];
    });
    registry = dockerHubRefusingToken(repository);

    const { probot, tasks } = await createTestProbot(HUB_ENV, { fetch: registry.fetch });
    await probot.receive({ id: `d-${++delivery}`, name: "push", payload: pushPayload() as unknown as PushPayload });
    await tasks.idle();

    registry.assertDone();
    github.assertDone();
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(check!.output.title).toContain("registry_unauthorized");
    expect(check!.output.summary).toContain("credential: env HUB_USER/HUB_TOKEN");
    expect(check!.output.summary).not.toContain(HUB_ENV.HUB_TOKEN);
  });
});
