/**
 * The app's Octokit (what `npm start` runs with) against the GitHub stand-in: GraphQL queries are
 * not spaced a second apart as under Probot's default throttling, and a secondary rate limit on a
 * query is waited out and retried — even when the instance is given Probot's own throttle
 * handlers, as Probot gives them (its secondary-limit handler only logs).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProbotOctokit } from "probot";
import { AppOctokit } from "../../src/github/app-octokit.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { type GitHubStandIn, secondaryRateLimit, startGitHubStandIn } from "../stand-in/server.js";

const PROBE = "query Probe { viewer { login } }";
const answer = { name: "Probe", times: 10, reply: { status: 200, body: { data: { viewer: { login: "release-promoter[bot]" } } } } };
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** The throttle handlers Probot passes to every Octokit it builds (probot/lib/octokit/get-octokit-throttle-options.js). */
const probotThrottle = { onRateLimit: () => false, onSecondaryRateLimit: () => undefined };

describe("AppOctokit", () => {
  let github: GitHubStandIn;
  beforeEach(async () => {
    github = await startGitHubStandIn({ appId: 1, privateKey: throwawayPrivateKey() });
    github.addInstallation(1);
  });
  afterEach(async () => {
    await github.stop();
  });

  const client = (Octokit: typeof ProbotOctokit) => new Octokit({ baseUrl: github.apiUrl, auth: { token: github.installationToken(1) }, log: silent, throttle: probotThrottle });
  const probes = () => github.requests.filter((request) => request.name === "Probe");

  it("sends a second GraphQL query as soon as the first is answered", async () => {
    github.fault(answer);
    const octokit = client(AppOctokit);
    await octokit.graphql(PROBE);
    await octokit.graphql(PROBE);
    const [first, second] = probes();
    expect(second!.receivedMs - first!.answeredMs).toBeLessThan(250);
  });

  it("(Probot's default Octokit holds the second query until a second has passed: what the app's avoids)", async () => {
    github.fault(answer);
    const octokit = client(ProbotOctokit);
    await octokit.graphql(PROBE);
    await octokit.graphql(PROBE);
    const [first, second] = probes();
    expect(second!.receivedMs - first!.receivedMs).toBeGreaterThanOrEqual(950);
  });

  it("waits out a secondary rate limit on a query (Retry-After) and retries it", async () => {
    github.fault(secondaryRateLimit("Probe", 1)).fault(answer);
    const result = await client(AppOctokit).graphql<{ viewer: { login: string } }>(PROBE);
    expect(result.viewer.login).toBe("release-promoter[bot]");
    const [limited, retried, ...more] = probes();
    expect([limited!.status, retried!.status, more.length]).toEqual([403, 200, 0]);
    expect(retried!.receivedMs - limited!.answeredMs).toBeGreaterThanOrEqual(1000);
  });

  it("gives up on a secondary limit that asks for more than a minute (the job is retried later instead)", async () => {
    github.fault(secondaryRateLimit("Probe", 120)).fault(answer);
    await expect(client(AppOctokit).graphql(PROBE)).rejects.toMatchObject({ status: 403 });
    expect(probes()).toHaveLength(1);
  });
});
