/**
 * Named builders for contracts-release scenarios: the config, the registry's packument, a
 * consumer repository as ReadConsumers returns it, the answer to an opened PR, and the webhook.
 */
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { Pacers } from "../../src/github/pace-content-creation.js";
import { createTestProbot } from "./app-server.js";
import type { GitHubMock } from "./github-mock.js";
import { CONFIG_TEXT, pushPayload } from "./promotion-mocks.js";

type PushPayload = EmitterWebhookEvent<"push">["payload"];
export const CONTRACTS = { nameWithOwner: "acme/contracts", url: "https://github.com/acme/contracts" };
export const NPM_REGISTRY = "https://registry.npmjs.org";
export const CONSUMER_HEAD = "de".repeat(20);
export const CONTRACTS_BRANCH = "release-promoter/contracts/@acme/contracts";

/** The fixture config plus a contracts section; `consumers` is YAML list items, indented by four. */
export const contractsConfig = (consumers: string) => `${CONFIG_TEXT}contracts:
  repository: acme/contracts
  package: "@acme/contracts"
  consumers:
${consumers}`;

export function packument(versions: string[]) {
  return {
    name: "@acme/contracts",
    versions: Object.fromEntries(
      versions.map((v) => [
        v,
        { name: "@acme/contracts", version: v, dependencies: {}, dist: { tarball: `${NPM_REGISTRY}/@acme/contracts/-/contracts-${v}.tgz`, integrity: `sha512-${v}` } },
      ]),
    ),
  };
}

/** A consumer repository as the ReadConsumers query returns it. */
export function consumerRepository(name: string, fields: Record<string, unknown> = {}) {
  return {
    id: `R_${name}`,
    nameWithOwner: `acme/${name}`,
    url: `https://github.com/acme/${name}`,
    isArchived: false,
    defaultBranchRef: { name: "main", target: { oid: CONSUMER_HEAD } },
    packageJson: null,
    packageLock: null,
    ref: null,
    pullRequests: { nodes: [] },
    ...fields,
  };
}

/** An open bump PR of ours on the consumer's contracts branch. */
export function openBumpPullRequest(repository: string, number: number, title: string) {
  return {
    ref: { id: `REF_${repository}`, target: { oid: "0b".repeat(20) } },
    pullRequests: { nodes: [{ id: `PR_${repository}`, number, url: `https://github.com/acme/${repository}/pull/${number}`, title }] },
  };
}

/** The answer to OpenPromotionPullRequest. */
export const openedPullRequest = (number: number) => ({
  createRef: { ref: { id: "REF" } },
  createCommitOnBranch: { commit: { oid: "cc".repeat(20) } },
  createPullRequest: { pullRequest: { number, url: `https://github.com/acme/x/pull/${number}` } },
});

/** Delivers the push of `tag` and waits for the promotion to finish. */
export async function receiveTag(tag = "contracts-v0.3.2", repository = "acme/contracts"): Promise<void> {
  const { probot, tasks } = await createTestProbot({}, { pacers: new Pacers({ minIntervalMs: 0 }) });
  await probot.receive({ id: "d", name: "push", payload: pushPayload({ repository, tag }) as unknown as PushPayload });
  await tasks.idle();
}

/** Expects the completed check run on the contracts commit; returns a getter for its body. */
export function expectContractsCheckRun(github: GitHubMock, repository = "acme/contracts") {
  let body: Record<string, any> | undefined;
  github.rest("POST", `/repos/${repository}/check-runs`, (b) => {
    body = b as Record<string, any>;
    return [201, { id: 3 }];
  });
  return () => {
    if (body === undefined) throw new Error("the check run was never created");
    return body;
  };
}
