import type { PromoterDependencies } from "../dependencies.js";
import { type RepositoryName, splitRepository } from "../github/octokit.js";

/** The infra repository: INFRA_REPOSITORY as owner/name, or a name in the installation's owner (default `infra`). */
export function infraRepositoryFor(env: PromoterDependencies["env"], owner: string): RepositoryName {
  const configured = env.INFRA_REPOSITORY?.trim() || "infra";
  return configured.includes("/") ? splitRepository(configured) : { owner, name: configured };
}

export function isInfraRepository(env: PromoterDependencies["env"], fullName: string): boolean {
  const { owner } = splitRepository(fullName);
  const infra = infraRepositoryFor(env, owner);
  return `${infra.owner}/${infra.name}`.toLowerCase() === fullName.toLowerCase();
}
