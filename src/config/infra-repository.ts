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

/**
 * `isInfraRepository` and the infra repository's `owner/name` with INFRA_REPOSITORY read once, for
 * handlers that run on every delivery (reading `process.env` is a call into Node's C++ each time).
 * GitHub's `full_name` is always `owner/name`.
 */
export function infraRepositoryNames(env: PromoterDependencies["env"]): { is(fullName: string): boolean; of(owner: string): string } {
  const configured = env.INFRA_REPOSITORY?.trim() || "infra";
  if (configured.includes("/")) {
    const { owner, name } = splitRepository(configured);
    const fixed = `${owner}/${name}`;
    const lower = fixed.toLowerCase();
    return { is: (fullName) => fullName.toLowerCase() === lower, of: () => fixed };
  }
  const lower = configured.toLowerCase();
  return { is: (fullName) => fullName.slice(fullName.indexOf("/") + 1).toLowerCase() === lower, of: (owner) => `${owner}/${configured}` };
}
