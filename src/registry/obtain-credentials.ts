import { PROVIDER_LABELS, PROVIDER_PULL_RIGHTS, type RegistryProvider } from "./registry-providers.js";
import { formatDuration, unavailableError } from "./registry-errors.js";
import type { ProviderToken, ProviderTokenCache } from "./provider-token-cache.js";
import { readCredentials, type RegistryAuth, type RegistryCredentials } from "./read-credentials.js";
import type { RegistryHttp } from "./registry-http.js";

/**
 * The credentials of a `registries.<host>` entry: the env vars it names (readCredentials), or
 * a token its provider fetches with the vendor's SDK, loaded only then, and kept in `tokens`
 * until shortly before it expires.
 */
export async function obtainCredentials(
  auth: RegistryAuth | undefined,
  env: Record<string, string | undefined>,
  registry: string,
  context: { http: RegistryHttp; tokens: ProviderTokenCache },
): Promise<RegistryCredentials | undefined> {
  const provider = auth?.provider;
  if (provider === undefined) return readCredentials(auth, env, registry);
  const token = await context.tokens.get(providerTokenKey(provider, registry), () =>
    withDeadline(fetchProviderToken(provider, registry, context.http), 3 * context.http.requestTimeoutMs, provider, registry),
  );
  return { username: token.username, password: token.password, label: PROVIDER_LABELS[provider], check: PROVIDER_PULL_RIGHTS[provider] };
}

/** The cache key of a provider's token for one registry. */
export function providerTokenKey(provider: RegistryProvider, registry: string): string {
  return `${provider} ${registry}`;
}

async function fetchProviderToken(provider: RegistryProvider, registry: string, http: RegistryHttp): Promise<ProviderToken> {
  switch (provider) {
    case "ecr":
      return (await import("./providers/fetch-ecr-token.js")).fetchEcrToken(registry, http);
    case "gar":
      return (await import("./providers/fetch-gar-token.js")).fetchGarToken(registry, http);
    case "acr":
      return (await import("./providers/fetch-acr-token.js")).fetchAcrToken(registry, http);
  }
}

/**
 * A provider's fetch may make several requests (discovery, a credential exchange, the token),
 * and not every SDK bounds each of them (Google's STS exchange has no timeout of its own): the
 * whole fetch gets `ms`, then fails as `registry_unavailable`. A fetch still running then is
 * left to end on its own; the cache no longer shares it.
 */
function withDeadline<T>(fetching: Promise<T>, ms: number, provider: RegistryProvider, registry: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(unavailableError(`${PROVIDER_LABELS[provider]} got no token for registry ${registry} within ${formatDuration(ms)}`)),
      ms,
    );
    timer.unref();
  });
  fetching.catch(() => undefined); // a fetch that fails after the deadline is nobody's unhandled rejection
  return Promise.race([fetching, deadline]).finally(() => clearTimeout(timer));
}
