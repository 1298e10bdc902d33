import { PromoterError } from "../../errors.js";
import { PROVIDER_LABELS, PROVIDER_PULL_RIGHTS, type RegistryProvider } from "../registry-providers.js";
import { unavailableError } from "../registry-errors.js";

/**
 * The errors a provider's fetch ends in, each naming the provider, the registry and what to
 * check. The SDK's own error is never attached (some carry request bodies): only its name or
 * status goes into the message, and never a credential.
 */
export function providerNoCredentials(provider: RegistryProvider, registry: string, howToGive: string): PromoterError {
  return new PromoterError(
    "credentials_missing",
    `${PROVIDER_LABELS[provider]} found no credentials for registry ${registry}; ${howToGive}`,
    { retryable: false },
  );
}

/** `check`: what to look at, by default the identity's pull rights. */
export function providerRefused(provider: RegistryProvider, registry: string, what: string, check = `check that ${PROVIDER_PULL_RIGHTS[provider]}`): PromoterError {
  return new PromoterError(
    "registry_unauthorized",
    `${PROVIDER_LABELS[provider]} could not get a token for registry ${registry}: ${what}; ${check}`,
    { retryable: false },
  );
}

export function providerUnavailable(provider: RegistryProvider, registry: string, what: string): PromoterError {
  return unavailableError(`${PROVIDER_LABELS[provider]} could not get a token for registry ${registry}: ${what}`);
}

export function providerInvalid(provider: RegistryProvider, registry: string, what: string): PromoterError {
  return new PromoterError(
    "registry_invalid_response",
    `${PROVIDER_LABELS[provider]} got an unusable answer for registry ${registry}: ${what}`,
    { retryable: false },
  );
}

/** An error's name, as SDKs set it (CredentialsProviderError, AccessDeniedException), for messages. */
export function errorName(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  return /^[A-Za-z][A-Za-z0-9_.]{0,80}$/.test(name) ? name : "Error";
}

/**
 * Whether a failed token request can succeed later: an HTTP 5xx or 429, a throttling error or a
 * network failure (an error with a system code, a timeout) can; an answer refusing it cannot.
 */
export function mayRecover(error: unknown, status: number | undefined): boolean {
  if (status !== undefined) return status >= 500 || status === 429;
  const name = errorName(error);
  if (/Throttl|Timeout|Abort/.test(name)) return true;
  const code = (error as { code?: unknown } | null)?.code ?? ((error as { cause?: { code?: unknown } } | null)?.cause?.code);
  return typeof code === "string" && /^E[A-Z_]+$/.test(code);
}
