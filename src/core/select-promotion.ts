import type { Config, EnvironmentConfig, ServiceConfig } from "../config/config.schema.js";
import { PromoterError } from "../errors.js";
import { type ReleaseTag, parseReleaseTag } from "./parse-tag.js";

export interface SelectedPromotion {
  kind: "promote";
  serviceName: string;
  service: ServiceConfig;
  release: ReleaseTag;
  environments: Array<{ name: string; environment: EnvironmentConfig }>;
}

export interface IgnoredTag {
  kind: "ignored";
  reason: string;
}

export function tagPrefixOf(serviceName: string, service: ServiceConfig): string {
  return service.tagPrefix ?? serviceName;
}

function sameRepository(a: string, b: string): boolean {
  // GitHub owner and repository names are case-insensitive.
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Decides what a tag pushed in `repository` may promote, or why not. Ownership is decided by
 * the repository the webhook names, never by the tag's text. A tag in a repository the config
 * does not know, with a prefix the config does not know, is none of our business: ignored.
 */
export function selectPromotion(config: Config, repository: string, tag: string): SelectedPromotion | IgnoredTag {
  const services = Object.entries(config.services);
  const ownedHere = services.filter(([, service]) => sameRepository(service.repository, repository));

  let release: ReleaseTag;
  try {
    release = parseReleaseTag(tag);
  } catch (error) {
    if (ownedHere.length === 0) return { kind: "ignored", reason: `${repository} promotes no service` };
    const expected = ownedHere.map(([name, service]) => `${tagPrefixOf(name, service)}-vX.Y.Z`).join(" or ");
    throw new PromoterError("invalid_tag", `${(error as Error).message} ${repository} promotes with tags like ${expected}.`);
  }

  const match = services.find(([name, service]) => tagPrefixOf(name, service) === release.prefix);
  if (match === undefined) {
    if (ownedHere.length === 0) return { kind: "ignored", reason: `no service has the tag prefix ${release.prefix}` };
    const expected = ownedHere.map(([name, service]) => `${tagPrefixOf(name, service)}-v…`).join(" or ");
    throw new PromoterError(
      "unknown_prefix",
      `No service has the tag prefix "${release.prefix}". Tags in ${repository} promote with ${expected}; ` +
        `to promote a new service, add it under services: in the central config.`,
    );
  }
  const [serviceName, service] = match;
  if (!sameRepository(service.repository, repository)) {
    throw new PromoterError(
      "wrong_repository",
      `Tag ${tag} was pushed in ${repository}, but service ${serviceName} may only be promoted by tags in ` +
        `${service.repository}. Nothing was changed.`,
    );
  }

  const taking = environmentsOf(config, serviceName);
  // Environments promoted from main take every push to it, never a tag (DESIGN: staging from main, prod from tags).
  const forService = taking.filter(([, environment]) => environment.on === "tag");
  if (forService.length === 0) {
    throw new PromoterError(
      "no_environment",
      taking.length === 0
        ? `No environment in the config promotes service ${serviceName}; add it to an environment's services list.`
        : `Every environment of ${serviceName} (${taking.map(([name]) => name).join(", ")}) is promoted from pushes to main (on: main), not by tags; add an environment with on: tag to promote ${tag}.`,
    );
  }
  const accepting = forService.filter(([, environment]) => !release.prerelease || environment.prerelease);
  if (accepting.length === 0) {
    throw new PromoterError(
      "prerelease_not_allowed",
      `${tag} is a prerelease and no environment of ${serviceName} (${forService.map(([name]) => name).join(", ")}) ` +
        `allows prereleases (set prerelease: true on an environment to promote them there).`,
    );
  }
  return {
    kind: "promote",
    serviceName,
    service,
    release,
    environments: accepting.map(([name, environment]) => ({ name, environment })),
  };
}

function environmentsOf(config: Config, serviceName: string): Array<[string, EnvironmentConfig]> {
  return Object.entries(config.environments).filter(([, environment]) => environment.services === undefined || environment.services.includes(serviceName));
}

export interface SelectedMainPromotion {
  serviceName: string;
  service: ServiceConfig;
  environments: Array<{ name: string; environment: EnvironmentConfig }>;
}

/**
 * What a push to `repository`'s default branch promotes: each service of that repository with its
 * `on: main` environments (none: the push promotes nothing). Ownership is decided by the repository
 * the webhook names, as for tags.
 */
export function selectMainPromotions(config: Config, repository: string): SelectedMainPromotion[] {
  return Object.entries(config.services)
    .filter(([, service]) => sameRepository(service.repository, repository))
    .map(([serviceName, service]) => ({
      serviceName,
      service,
      environments: environmentsOf(config, serviceName)
        .filter(([, environment]) => environment.on === "main")
        .map(([name, environment]) => ({ name, environment })),
    }))
    .filter((selection) => selection.environments.length > 0);
}

/** The image tag CI pushed for this commit, from the service's `imageTag` template. */
export function renderImageTag(template: string, values: { sha: string; tag: string; version: string }): string {
  return template.replace(/\{(sha|shortSha|version|tag)\}/g, (_, key: string) => {
    switch (key) {
      case "sha":
        return values.sha;
      case "shortSha":
        return values.sha.slice(0, 7);
      case "version":
        return values.version;
      default:
        return values.tag;
    }
  });
}
