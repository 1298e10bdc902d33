import { z } from "zod";
import { configSchema } from "./config.schema.js";

const someServices = { required: ["services"], properties: { services: { minProperties: 1 } } };
const someEnvironments = { required: ["environments"], properties: { environments: { minProperties: 1 } } };

/**
 * The JSON Schema editors use for `.github/release-promoter.yml`, generated from the zod schema
 * (the input side: defaults make fields optional), plus the whole-config rules JSON Schema can
 * say: a config promotes something (services, or contracts), services come with environments and
 * environments with services.
 *
 * What JSON Schema cannot say stays in zod, checked when the app loads the config (and by
 * `release-promoter validate`), because it compares a value with the config's own keys or with
 * other entries: an environment naming an unknown service; one variable, tag prefix and pin per
 * service; a registry named twice, or provider ecr on a host that is not ECR's; an environment's file kind, or requireProvenance, needing
 * fields of the services it promotes. ZOD_ONLY_RULES lists them (the parity test holds both to it).
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
    allOf: [
      { anyOf: [someServices, { required: ["contracts"] }] },
      { if: someServices, then: someEnvironments },
      { if: someEnvironments, then: someServices },
    ],
    title: "release-promoter configuration",
  };
}

/** The rules only the app checks (see above), as the README lists them. */
export const ZOD_ONLY_RULES = [
  "an environment's services must name services of the config",
  "one variable, tag prefix and Helm, manifest or kustomization pin per service",
  "a registry host named once (docker.io and its aliases are one)",
  "an environment's file kind needs its services' variable or targets",
  "requireProvenance needs provenance on every service the environment promotes",
  "a tfvars-json versionVariable is a variable of its own",
  "requires names another environment of the config, without cycles",
  "an on: main environment's services tag images by commit ({sha} or {shortSha})",
  "a merge window's time zone is one the runtime knows, and its to is later than its from",
  "provider ecr only on an ECR host <account>.dkr.ecr.<region>.amazonaws.com",
] as const;
