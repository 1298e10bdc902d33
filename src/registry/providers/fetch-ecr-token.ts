import { ecrRegion } from "../registry-providers.js";
import type { RegistryHttp } from "../registry-http.js";
import type { ProviderToken } from "../provider-token-cache.js";
import { errorName, mayRecover, providerInvalid, providerNoCredentials, providerRefused, providerUnavailable } from "./provider-failure.js";

/**
 * An Amazon ECR pull credential: GetAuthorizationToken with the AWS SDK's default credential
 * chain (env, web identity/IRSA, SSO and ini profiles, container and instance roles), in the
 * region of the registry host. The token is base64 "AWS:<password>" and lasts 12 hours
 * (expiresAt). The SDK honours AWS_ENDPOINT_URL_ECR and AWS_MAX_ATTEMPTS; each of its requests
 * gets the resolution's request timeout.
 */
export async function fetchEcrToken(registry: string, http: RegistryHttp): Promise<ProviderToken> {
  const region = ecrRegion(registry);
  if (region === undefined) {
    // The config schema refuses this; never guess a region.
    throw providerInvalid("ecr", registry, "the host is not <account>.dkr.ecr.<region>.amazonaws.com, so it names no region");
  }
  const { ECRClient, GetAuthorizationTokenCommand } = await import("@aws-sdk/client-ecr");
  const timeout = http.requestTimeoutMs;
  const client = new ECRClient({ region, requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true } });
  let answer;
  try {
    answer = await client.send(new GetAuthorizationTokenCommand({}));
  } catch (error) {
    throw ecrFailure(registry, region, error);
  } finally {
    client.destroy();
  }

  const data = answer.authorizationData?.[0];
  const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const expiresAt = data?.expiresAt?.getTime();
  if (colon === -1 || decoded.slice(0, colon) !== "AWS" || colon === decoded.length - 1 || expiresAt === undefined || Number.isNaN(expiresAt)) {
    throw providerInvalid("ecr", registry, `GetAuthorizationToken in ${region} answered without a base64 AWS:<password> token and its expiresAt`);
  }
  return { username: "AWS", password: decoded.slice(colon + 1), expiresAt };
}

function ecrFailure(registry: string, region: string, error: unknown): Error {
  const name = errorName(error);
  if (name === "CredentialsProviderError") {
    return providerNoCredentials(
      "ecr",
      registry,
      "give the app an IAM role (IRSA web identity, ECS task or EC2 instance role) or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)",
    );
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const what = `GetAuthorizationToken in ${region} failed with ${name}${status === undefined ? "" : ` (HTTP ${status})`}`;
  if (mayRecover(error, status) || /Throttl/.test(name)) return providerUnavailable("ecr", registry, what);
  return providerRefused("ecr", registry, what);
}
