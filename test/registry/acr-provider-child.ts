/**
 * Runs in a child node process for acr-provider.test.ts, whose environment the test sets whole:
 * NODE_EXTRA_CA_CERTS (read only at process start, by Node's https and fetch) trusts the test's
 * CA, so @azure/identity reaches the Entra stand-in and resolveDigest the ACR stand-in over
 * https, as in production. Argument: { image, reference, steps, requestTimeoutMs? } where a step
 * is "resolve" or a number of ms to move the token cache's clock; prints one JSON answer per step.
 *
 * MSAL asks login.microsoftonline.com to discover an authority it does not know (the stand-in);
 * nock answers that here, strictly: nothing but loopback reaches the network, and the answer
 * says how often discovery was asked and what nock could not answer.
 */
import nock from "nock";
import { ProviderTokenCache } from "../../src/registry/provider-token-cache.js";
import { resolveDigest } from "../../src/registry/resolve-digest.js";

const input = JSON.parse(process.argv[2] ?? "{}") as { image: string; reference: string; steps: Array<"resolve" | number>; requestTimeoutMs?: number };

nock.disableNetConnect();
nock.enableNetConnect(/^127\.0\.0\.1(:\d+)?$/);
const unexpected: string[] = [];
nock.emitter.on("no match", (request: { method?: string; href?: string; hostname?: string; host?: string; path?: string }) => {
  const host = request.hostname ?? request.host ?? "";
  if (!/^127\.0\.0\.1(:\d+)?$/.test(host)) unexpected.push(`${request.method ?? "?"} ${request.href ?? `${host}${request.path ?? ""}`}`);
});
let discoveries = 0;
nock("https://login.microsoftonline.com")
  .persist()
  .get("/common/discovery/instance")
  .query(true)
  .reply(() => {
    discoveries += 1;
    // What Entra answers for a host it does not list: MSAL then trusts the authority as a custom domain.
    return [200, { tenant_discovery_endpoint: "", metadata: [] }];
  });

let now = Date.now();
const tokens = new ProviderTokenCache(() => now);
const answers: unknown[] = [];
for (const step of input.steps) {
  if (typeof step === "number") {
    now += step;
    continue;
  }
  try {
    const resolved = await resolveDigest({ image: input.image, reference: input.reference, auth: { provider: "acr" }, providerTokens: tokens, requestTimeoutMs: input.requestTimeoutMs ?? 10_000 });
    answers.push({ ok: true, digest: resolved.digest });
  } catch (error) {
    const { name, code, retryable, message } = error as { name: string; code?: string; retryable?: boolean; message: string };
    answers.push({ ok: false, error: { name, code, retryable, message } });
  }
}
// Exit even if a request the deadline gave up on still holds a socket open.
process.stdout.write(JSON.stringify({ answers, discoveries, unexpected }), () => process.exit(0));
