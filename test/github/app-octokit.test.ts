/**
 * The app's Octokit (what `npm start` runs with) against the GitHub stand-in: GraphQL queries are
 * not spaced a second apart as under Probot's default throttling, and a secondary rate limit on a
 * query is waited out and retried — even when the instance is given Probot's own throttle
 * handlers, as Probot gives them (its secondary-limit handler only logs). Reads are retried after
 * a 5xx; content-creating requests never are (the pacer owns their rate limits, and a write's
 * outcome after a 5xx is unknown).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProbotOctokit } from "probot";
import { AppOctokit } from "../../src/github/app-octokit.js";
import { throwawayPrivateKey } from "../helpers/throwaway-key.js";
import { type GitHubStandIn, secondaryRateLimit, serverError, startGitHubStandIn } from "../stand-in/server.js";

const PROBE = "query Probe { viewer { login } }";
/** Faulted by name before the stand-in runs it, so its fields never matter. */
const WRITE = "mutation Write { addComment(input: { subjectId: \"x\", body: \"y\" }) { clientMutationId } }";
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

  const client = (Octokit: typeof ProbotOctokit, options: Record<string, unknown> = {}) =>
    new Octokit({ baseUrl: github.apiUrl, auth: { token: github.installationToken(1) }, log: silent, throttle: probotThrottle, ...options });
  /** Server-error retries 1, 4, 9 ms apart instead of seconds. */
  const quick = { readRetries: { serverErrorBaseMs: 1 } };
  const probes = () => github.requests.filter((request) => request.name === "Probe");
  const writes = () => github.requests.filter((request) => request.name === "Write");

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

  it("retries a query after 5xx answers", async () => {
    github.fault(serverError("Probe", 502, 2)).fault(answer);
    const result = await client(AppOctokit, quick).graphql<{ viewer: { login: string } }>(PROBE);
    expect(result.viewer.login).toBe("release-promoter[bot]");
    expect(probes().map((request) => request.status)).toEqual([502, 502, 200]);
  });

  it("fails a query with the last 5xx once three retries are spent", async () => {
    github.fault(serverError("Probe", 503, 4)).fault(answer);
    await expect(client(AppOctokit, quick).graphql(PROBE)).rejects.toMatchObject({ status: 503 });
    expect(probes().map((request) => request.status)).toEqual([503, 503, 503, 503]);
  });

  it("retries GraphQL's transient 'Something went wrong' answer on a query", async () => {
    github.fault({ name: "Probe", times: 1, reply: { status: 200, body: { data: null, errors: [{ message: "Something went wrong while executing your query. Please try again." }] } } }).fault(answer);
    const result = await client(AppOctokit, quick).graphql<{ viewer: { login: string } }>(PROBE);
    expect(result.viewer.login).toBe("release-promoter[bot]");
    expect(probes()).toHaveLength(2);
  });

  it("never replays a mutation after a 5xx (it may have landed): one request, the error surfaces", async () => {
    github.fault(serverError("Write", 502, 1));
    await expect(client(AppOctokit, quick).graphql(WRITE)).rejects.toMatchObject({ status: 502 });
    expect(writes()).toHaveLength(1);
  });

  it("leaves a rate-limited content-creating request to the app's pacer: not retried here", async () => {
    github.fault(secondaryRateLimit("Write", 1));
    await expect(client(AppOctokit, quick).graphql(WRITE)).rejects.toMatchObject({ status: 403 });
    expect(writes()).toHaveLength(1);
  });

  it("gives a handler what Probot's Octokit gives it: REST methods, pagination, context.config()'s plugin, Probot's request log at debug", async () => {
    const logged = async (Octokit: typeof ProbotOctokit) => {
      const messages: string[] = [];
      const octokit = client(Octokit, { log: { ...silent, debug: (_fields: unknown, message: string) => void messages.push(message) } });
      expect(typeof octokit.rest.repos.get).toBe("function");
      expect(typeof octokit.config.get).toBe("function");
      expect(Array.isArray(await octokit.paginate("GET /installation/repositories", { per_page: 100 }))).toBe(true);
      return { octokit, messages };
    };
    const app = await logged(AppOctokit);
    expect(app.messages).toEqual([`GitHub request: GET ${github.apiUrl}/installation/repositories?per_page=100 - 200`]);
    expect((await logged(ProbotOctokit)).messages).toEqual(app.messages);
    // `rest` is built on first use, once per instance, and requests through that instance.
    const other = await logged(AppOctokit);
    expect(app.octokit.rest).toBe(app.octokit.rest);
    expect(app.octokit.rest).not.toBe(other.octokit.rest);
    await app.octokit.rest.apps.listReposAccessibleToInstallation({ per_page: 1 });
    expect(app.messages).toHaveLength(2);
    expect(other.messages).toHaveLength(1);
    // Neither of the plugins it leaves out (their state per instance was the cost): plugin-retry adds `octokit.retry`.
    expect("retry" in app.octokit).toBe(false);
  });
});
