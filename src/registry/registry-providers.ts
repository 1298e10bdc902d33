/**
 * The credential providers a `registries.<host>` entry may name (`provider:`), for registries
 * whose credentials expire: what each is called in messages and what its identity needs. Pure:
 * the SDKs are loaded only by the fetchers in providers/, and only when configured.
 */
export const REGISTRY_PROVIDERS = ["ecr", "gar", "acr"] as const;
export type RegistryProvider = (typeof REGISTRY_PROVIDERS)[number];

/** What describeCredential() says was used: the provider and its credential chain, never a value. */
export const PROVIDER_LABELS: Record<RegistryProvider, string> = {
  ecr: "provider ecr (AWS default credential chain)",
  gar: "provider gar (Google Application Default Credentials)",
  acr: "provider acr (Azure DefaultAzureCredential)",
};

/** What to check when the registry refuses the provider's credentials. */
export const PROVIDER_PULL_RIGHTS: Record<RegistryProvider, string> = {
  ecr: "the AWS identity the default credential chain finds has ecr:GetAuthorizationToken and ecr:BatchGetImage",
  gar: "the Google identity of Application Default Credentials has roles/artifactregistry.reader",
  acr: "the Microsoft Entra identity DefaultAzureCredential finds has the AcrPull role on the registry",
};

const ECR_HOST = /^[0-9]{12}\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.amazonaws\.com(?:\.cn)?$/;

/** The AWS region of an ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com), or undefined. */
export function ecrRegion(registry: string): string | undefined {
  return ECR_HOST.exec(registry.toLowerCase())?.[1];
}
