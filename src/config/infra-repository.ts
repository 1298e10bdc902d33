import type { PromoterDependencies } from "../dependencies.js";
import { type RepositoryName, splitRepository } from "../github/octokit.js";

/** INFRA_REPOSITORY as written: an owner/name (`fixed`), or a name in each installation's owner (default `infra`). */
function infraSetting(env: PromoterDependencies["env"]): { fixed: RepositoryName } | { name: string } {
  const configured = env.INFRA_REPOSITORY?.trim() || "infra";
  return configured.includes("/") ? { fixed: splitRepository(configured) } : { name: configured };
}

/** The infra repository: INFRA_REPOSITORY as owner/name, or a name in the installation's owner (default `infra`). */
export function infraRepositoryFor(env: PromoterDependencies["env"], owner: string): RepositoryName {
  const setting = infraSetting(env);
  return "fixed" in setting ? setting.fixed : { owner, name: setting.name };
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
  const setting = infraSetting(env);
  if ("fixed" in setting) {
    const fixed = `${setting.fixed.owner}/${setting.fixed.name}`;
    const lower = fixed.toLowerCase();
    return { is: (fullName) => fullName.toLowerCase() === lower, of: () => fixed };
  }
  const { name } = setting;
  const lower = name.toLowerCase();
  return { is: (fullName) => fullName.slice(fullName.indexOf("/") + 1).toLowerCase() === lower, of: (owner) => `${owner}/${name}` };
}
