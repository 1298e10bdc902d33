import { z } from "zod";
import { normalizeRegistryHost } from "../registry/image-reference.js";
import { REGISTRY_PROVIDERS, ecrRegion } from "../registry/registry-providers.js";
import { TAG_PREFIX } from "../core/parse-tag.js";
import { FILE_KINDS } from "../editors/target-editor.js";

/**
 * The central config, `.github/release-promoter.yml` on the infra repository's default branch.
 * This schema is the truth: types come from it (z.infer) and the JSON Schema for editors
 * (`schema/release-promoter.schema.json`, `npm run schema`) is generated from it.
 */

// Service names are their default tag prefix, so they follow the one tag grammar (core/parse-tag.ts).
const NAME = TAG_PREFIX;
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMAGE = /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG_TEMPLATE = /^(?:[A-Za-z0-9_.-]|\{(?:sha|shortSha|version|tag)\})+$/;
const HELM_PATH = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const YAML11_BOOLEAN_WORDS = "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF";
const NO_YAML11_BOOLEAN_KEY = new RegExp(`^(?!(?:[^.]*\\.)*(?:${YAML11_BOOLEAN_WORDS})(?:\\.|$))`);
const WORKFLOW = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}\/\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/;
const CONTAINER = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const FILE = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._/-]+$/;

export const targetsSchema = z
  .strictObject({
    "tfvars-json": z
      .strictObject({
        versionVariable: z
          .string()
          .regex(VARIABLE, "must be a Terraform identifier")
          .optional()
          .describe("A sibling variable that holds the release tag (core-v1.2.3), since JSON has no comments for the marker; without it the running version is unknown."),
      })
      .optional(),
    helm: z
      .strictObject({
        path: z
          .string()
          .regex(HELM_PATH, "must be dot-separated keys, e.g. core.image.digest")
          // Helm's YAML 1.1 reads these keys as booleans (on: → true:), so the chart never sees such a key.
          // A regex, not a refine, so that the JSON Schema for editors says it too.
          .regex(NO_YAML11_BOOLEAN_KEY, "holds a key YAML 1.1 reads as a boolean (y, yes, on, off, …), which Helm does not see as that key")
          .describe("Dot-separated key path from the values file's root to the string that holds the pin, e.g. core.image.digest."),
        write: z
          .enum(["digest", "reference"])
          .default("digest")
          .describe("digest: write sha256:… (charts' image.digest); reference: write image@sha256:…"),
      })
      .optional(),
    kustomization: z
      .strictObject({
        name: z
          .string()
          .regex(/^\S+$/, "must be an image name without spaces")
          .optional()
          .describe("Pick the images entry by this name only; default: the entry whose name or newName is the service's image."),
      })
      .optional(),
    manifest: z
      .strictObject({
        container: z
          .string()
          .regex(CONTAINER, "must be a Kubernetes container name")
          .describe("Name of the one container (in containers, initContainers or ephemeralContainers) whose image is this service's."),
        workload: z
          .string()
          .regex(/^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/, "must be a Kubernetes object name")
          .optional()
          .describe("metadata.name of the object to look in, when several objects of the file have a container of that name."),
      })
      .optional(),
  })
  .describe("Per file kind, where the service's pin lives (tfvars uses variable).");

export const provenanceSchema = z
  .strictObject({
    signerWorkflow: z
      .string()
      .regex(WORKFLOW, "must be owner/repo/.github/workflows/<file>.yml")
      .describe(
        "The workflow whose GitHub Actions identity signs the build provenance: the service's own build workflow (then it must run on the default branch), " +
          "or a shared reusable workflow in another repository (then at any ref; the service repository, ref and commit are still checked).",
      ),
    allowSelfHostedRunners: z.boolean().default(false).describe("Accept provenance built on self-hosted runners (default: GitHub-hosted only)."),
    oidcIssuer: z
      .url({ protocol: /^https$/ })
      .default("https://token.actions.githubusercontent.com")
      .describe("The OIDC issuer of the workflow identity; change it only for GitHub Enterprise Server (https://<host>/_services/token)."),
  })
  .describe("Build provenance (GitHub artifact attestations) required by environments with requireProvenance.");

export const serviceSchema = z
  .strictObject({
    repository: z
      .string()
      .regex(REPOSITORY, "must be owner/name")
      .describe("The only repository whose tags may promote this service (owner/name)."),
    image: z
      .string()
      .regex(IMAGE, "must be an image repository without tag or digest, e.g. ghcr.io/acme/core-api")
      .describe("Image repository CI pushes from the default branch, without tag or digest."),
    variable: z
      .string()
      .regex(VARIABLE, "must be a Terraform identifier")
      .optional()
      .describe("The top-level tfvars variable this service owns (required for tfvars and tfvars-json environments)."),
    targets: targetsSchema.optional().describe("Where this service's pin lives in the YAML and JSON file kinds."),
    provenance: provenanceSchema.optional(),
    imageTag: z
      .string()
      .regex(IMAGE_TAG_TEMPLATE, "may only hold [A-Za-z0-9_.-] and the placeholders {sha}, {shortSha}, {version}, {tag}")
      .max(128)
      .default("{sha}")
      .describe("How CI tags the image built from a commit: {sha} (40 hex), {shortSha} (7 hex), {version} (1.2.3), {tag} (core-v1.2.3)."),
    tagPrefix: z
      .string()
      .regex(NAME, "must be lowercase letters, digits and single dashes")
      .optional()
      .describe("Tag prefix; defaults to the service name. Tags look like <prefix>-v<semver>."),
  })
  .describe("A deployable service.");

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const CLOCK = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;

export const gateRequirementSchema = z
  .strictObject({
    environment: z.string().regex(NAME, "must be an environment name").describe("The environment the digest must have run in first (e.g. staging)."),
    soakMinutes: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 60)
      .default(0)
      .describe("For at least this many minutes, counted from the merge of the promotion PR that brought the digest there."),
  })
  .describe("Promote only a digest that has run in another environment: the gates check on the PR says how long it still waits.");

export const mergeWindowSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).describe("Weekdays (in timeZone) the window opens on."),
    from: z.string().regex(CLOCK, "must be HH:MM (24 h)").describe("Local start time, HH:MM."),
    to: z.string().regex(CLOCK, "must be HH:MM (24 h)").describe("Local end time, HH:MM, later than from on the same day (24:00 is midnight at its end)."),
    timeZone: z
      .string()
      .refine((zone) => isTimeZone(zone), "must be an IANA time zone such as Europe/Berlin or UTC")
      .describe("IANA time zone of days, from and to; daylight-saving changes follow the zone's rules."),
  })
  .superRefine((window, ctx) => {
    if (CLOCK.test(window.from) && CLOCK.test(window.to) && window.from >= window.to) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `must be later than from (${window.from}); a window past midnight is two windows` });
    }
  })
  .describe("A merge window: days and a local time range in a time zone.");

/** Whether the runtime knows `zone` as a time zone (Intl, the same data the window math uses). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

export const environmentSchema = z
  .strictObject({
    file: z
      .string()
      .regex(FILE, "must be a relative path inside the infra repository, without . or .. segments")
      .describe("Path of the environment's file in the infra repository."),
    kind: z
      .enum(FILE_KINDS)
      .default("tfvars")
      .describe("The file's kind: tfvars (default), tfvars-json, helm (values file), kustomization, manifest."),
    prerelease: z
      .boolean()
      .default(false)
      .describe("Whether prerelease tags (core-v1.2.3-rc.1) are promoted to this environment."),
    requireProvenance: z
      .boolean()
      .default(false)
      .describe("Promote only a digest with verified build provenance from the service's default branch at the tagged commit (services need provenance.signerWorkflow)."),
    services: z
      .array(z.string())
      .optional()
      .describe("Services promoted to this environment; default: every service."),
    on: z
      .enum(["tag", "main"])
      .default("tag")
      .describe("What promotes to this environment: tag (a release tag, the default) or main (every push to a service's default branch, marked # <service>@<12-hex commit>)."),
    autoMerge: z
      .enum(["merge", "squash", "rebase"])
      .optional()
      .describe("Enable GitHub's auto-merge with this method on the app's PRs: branch protection and required checks still decide when it merges."),
    requires: gateRequirementSchema.optional(),
    windows: z
      .array(mergeWindowSchema)
      .min(1)
      .optional()
      .describe("Merges allowed only inside one of these windows (the gates check is in progress outside them)."),
  })
  .describe("A target environment: one file that pins the images of its services.");

export const registrySchema = z
  .strictObject({
    usernameEnv: z
      .string()
      .regex(ENV_VAR)
      .optional()
      .describe("Environment variable holding the registry user name. Set with passwordEnv, or neither for anonymous pulls."),
    passwordEnv: z
      .string()
      .regex(ENV_VAR)
      .optional()
      .describe("Environment variable holding the registry password or token. Set with usernameEnv, or neither for anonymous pulls."),
    insecure: z
      .boolean()
      .default(false)
      .describe(
        "A plain-http registry: https is still tried first, and plain http only when the https connection fails " +
          "(never on an HTTP answer or a certificate error). Credentials then travel unencrypted. " +
          "Loopback hosts (localhost, 127.0.0.0/8, [::1]) get this without setting it.",
      ),
    provider: z
      .enum(REGISTRY_PROVIDERS)
      .optional()
      .describe(
        "Credentials that expire, fetched with the vendor's SDK and its default credential chain instead of usernameEnv/passwordEnv: " +
          "ecr (Amazon ECR, on a <account>.dkr.ecr.<region>.amazonaws.com host), gar (Google Artifact Registry, " +
          "Application Default Credentials), acr (Azure Container Registry, DefaultAzureCredential).",
      ),
  })
  .superRefine((registry, ctx) => {
    if (registry.provider !== undefined && (registry.usernameEnv !== undefined || registry.passwordEnv !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["provider"],
        message: `provider ${registry.provider} fetches its own credentials; remove usernameEnv/passwordEnv, or the provider`,
      });
    }
    if ((registry.usernameEnv === undefined) !== (registry.passwordEnv === undefined)) {
      const [set, missing] = registry.usernameEnv === undefined ? ["passwordEnv", "usernameEnv"] : ["usernameEnv", "passwordEnv"];
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: `${set} is set without ${missing}; set both, or neither for anonymous pulls`,
      });
    }
  })
  .meta({
    dependentRequired: { usernameEnv: ["passwordEnv"], passwordEnv: ["usernameEnv"] },
    dependentSchemas: { provider: { not: { anyOf: [{ required: ["usernameEnv"] }, { required: ["passwordEnv"] }] } } },
  })
  .describe("How to reach one registry host: credentials read from the app's environment (never from the config), and whether it is a plain-http registry.");

/** `registries:`, keyed by host[:port]; two keys naming one registry are an error, not a guess. */
export const registriesSchema = z
  .record(z.string().regex(/^[A-Za-z0-9.-]+(?::[0-9]+)?$/, "must be a registry host[:port]"), registrySchema)
  .superRefine((registries, ctx) => {
    const keyOf = new Map<string, string>();
    for (const key of Object.keys(registries)) {
      const registry = normalizeRegistryHost(key);
      const other = keyOf.get(registry);
      if (other !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${key} and ${other} name the same registry (${registry}); keep one entry`,
        });
      } else keyOf.set(registry, key);
      if (registries[key]!.provider === "ecr" && ecrRegion(key) === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key, "provider"],
          message: `provider ecr needs an ECR host <account>.dkr.ecr.<region>.amazonaws.com (its region is the one the token is for); ${key} is not one`,
        });
      }
    }
  });

export const pinSchema = z
  .strictObject({
    file: z.string().regex(FILE, "must be a relative path inside the consumer repository").describe("File that pins the contracts artifact by version."),
    pattern: z
      .string()
      // A regex, not a refine, so that the JSON Schema for editors says it too.
      .regex(/^(?:(?!\{version\}).)*\{version\}(?:(?!\{version\}).)*$/s, "must hold the placeholder {version} exactly once")
      .describe('The pin as it appears in the file, with {version} where the version stands, e.g. "acme-contracts-schemas=={version}".'),
  })
  .describe("A consumer that pins the JSON Schemas artifact by version instead of npm.");

export const consumerSchema = z
  .strictObject({
    repository: z.string().regex(REPOSITORY, "must be owner/name").describe("The consuming repository."),
    pin: pinSchema.optional().describe("Set for a non-npm consumer (e.g. a Python service); npm consumers need nothing else."),
  })
  .describe("A repository that consumes the contracts package.");

export const contractsSchema = z
  .strictObject({
    repository: z.string().regex(REPOSITORY, "must be owner/name").describe("The only repository whose tags release the contracts."),
    package: z
      .string()
      .regex(/^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/, "must be an npm package name")
      .describe("The npm package, e.g. @acme/contracts."),
    tagPrefix: z.string().regex(NAME, "must be lowercase letters, digits and single dashes").default("contracts").describe("Tags look like <tagPrefix>-v<semver>."),
    registry: z.url({ protocol: /^https?$/ }).default("https://registry.npmjs.org/").describe("npm registry the package is published to."),
    tokenEnv: z.string().regex(ENV_VAR).optional().describe("Environment variable of the app holding the registry token (e.g. for GitHub Packages)."),
    prerelease: z.boolean().default(false).describe("Whether prerelease tags open bump PRs."),
    discover: z.boolean().default(false).describe("Also bump every repository of the installation whose package.json (root or workspace) depends on the package."),
    consumers: z.array(consumerSchema).default([]).describe("Consumers, in addition to discovered ones."),
    publishWaitSeconds: z.number().int().min(0).max(3600).default(600).describe("How long to wait for the version to appear in the registry."),
  })
  .describe("Contracts releases: a tag in the contracts repository opens bump PRs in its consumers.");

export const configSchema = z
  .strictObject({
    services: z
      .record(z.string().regex(NAME, "service names must be lowercase letters, digits and single dashes"), serviceSchema)
      .default({})
      .describe("Services, by name (none: a config for contracts bumps only)."),
    environments: z
      .record(z.string().regex(NAME, "environment names must be lowercase letters, digits and single dashes"), environmentSchema)
      .default({})
      .describe("Environments, by name (required with services)."),
    registries: registriesSchema
      .default({})
      .describe(
        "Per registry host[:port], compared case-insensitively; docker.io, index.docker.io and registry-1.docker.io all name Docker Hub, " +
          "where images without a host (acme/core-api, nginx) live. Registries not listed are accessed anonymously over https.",
      ),
    imageWaitSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(600)
      .describe("How long to wait for CI to push the image of the tagged commit before failing."),
    contracts: contractsSchema.optional(),
  })
  .superRefine(
    (config, ctx) => {
      // Also when other fields are invalid, so that every problem is listed at once.
      const count = (value: unknown) => (typeof value === "object" && value !== null ? Object.keys(value).length : 0);
      const services = count(config.services);
      const environments = count(config.environments);
      if (services === 0 && config.contracts === undefined) {
        ctx.addIssue({ code: "custom", path: ["services"], message: "the config promotes nothing: add services (with environments), or contracts" });
      }
      if (services > 0 && environments === 0) {
        ctx.addIssue({ code: "custom", path: ["environments"], message: "at least one environment is required when services are configured" });
      }
      if (services === 0 && environments > 0) {
        ctx.addIssue({ code: "custom", path: ["services"], message: "at least one service is required when environments are configured" });
      }
      requireTargets(config, ctx);
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  )
  .superRefine((config, ctx) => {
    const byVariable = new Map<string, string>();
    const byPrefix = new Map<string, string>();
    const byTarget = new Map<string, string>();
    for (const [name, service] of Object.entries(config.services)) {
      const variableOwner = service.variable === undefined ? undefined : byVariable.get(service.variable);
      if (variableOwner !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name, "variable"],
          message: `${service.variable} is already owned by service ${variableOwner}; one variable per service`,
        });
      } else if (service.variable !== undefined) byVariable.set(service.variable, name);
      const versionVariable = service.targets?.["tfvars-json"]?.versionVariable;
      if (versionVariable !== undefined && (versionVariable === service.variable || byVariable.has(versionVariable))) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name, "targets", "tfvars-json", "versionVariable"],
          message: `${versionVariable} is ${versionVariable === service.variable ? "the service's own variable" : `service ${byVariable.get(versionVariable)}'s variable`}; name a variable of its own`,
        });
      } else if (versionVariable !== undefined) byVariable.set(versionVariable, name);
      const targets: Array<[string, string | undefined]> = [
        ["helm", service.targets?.helm?.path],
        ["manifest", service.targets?.manifest === undefined ? undefined : `${service.targets.manifest.workload ?? ""}/${service.targets.manifest.container}`],
        ["kustomization", service.targets?.kustomization?.name],
      ];
      for (const [kind, target] of targets) {
        if (target === undefined) continue;
        const owner = byTarget.get(`${kind} ${target}`);
        if (owner !== undefined) {
          ctx.addIssue({ code: "custom", path: ["services", name, "targets", kind], message: `${kind} target ${target} is already service ${owner}'s; one pin per service` });
        } else byTarget.set(`${kind} ${target}`, name);
      }
      const prefix = service.tagPrefix ?? name;
      const prefixOwner = byPrefix.get(prefix);
      if (prefixOwner !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name, "tagPrefix"],
          message: `tag prefix ${prefix} is already used by service ${prefixOwner}; one prefix per service`,
        });
      } else byPrefix.set(prefix, name);
    }
    if (config.contracts !== undefined) {
      const owner = byPrefix.get(config.contracts.tagPrefix);
      if (owner !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["contracts", "tagPrefix"],
          message: `tag prefix ${config.contracts.tagPrefix} is already used by service ${owner}`,
        });
      }
      const seen = new Set<string>();
      config.contracts.consumers.forEach((consumer, index) => {
        const key = consumer.repository.toLowerCase();
        if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["contracts", "consumers", index, "repository"], message: `${consumer.repository} is listed twice` });
        seen.add(key);
      });
    }
    for (const [envName, env] of Object.entries(config.environments)) {
      const required = env.requires?.environment;
      if (required !== undefined && !(required in config.environments)) {
        ctx.addIssue({ code: "custom", path: ["environments", envName, "requires", "environment"], message: `unknown environment ${required}` });
      } else if (required === envName) {
        ctx.addIssue({ code: "custom", path: ["environments", envName, "requires", "environment"], message: "an environment cannot require itself" });
      } else if (required !== undefined && requiresChain(config.environments, envName).includes(envName)) {
        ctx.addIssue({ code: "custom", path: ["environments", envName, "requires", "environment"], message: `requires forms a cycle: ${[envName, ...requiresChain(config.environments, envName)].join(" → ")}` });
      }
      if (env.on === "main") {
        for (const serviceName of env.services ?? Object.keys(config.services)) {
          const template = config.services[serviceName]?.imageTag ?? "{sha}";
          if (/\{(?:version|tag)\}/.test(template)) {
            ctx.addIssue({
              code: "custom",
              path: ["services", serviceName, "imageTag"],
              message: `environment ${envName} promotes every push to main, which has no version: ${serviceName}'s imageTag must use {sha} or {shortSha}, not {version} or {tag}`,
            });
          }
        }
      }
      env.services?.forEach((service, index) => {
        if (!(service in config.services)) {
          ctx.addIssue({
            code: "custom",
            path: ["environments", envName, "services", index],
            message: `unknown service ${service}`,
          });
        }
      });
    }
  })
  .describe("release-promoter configuration (.github/release-promoter.yml in the infra repository).");

/** The environments `name` requires, transitively, stopping at the first repeat. */
function requiresChain(environments: Record<string, { requires?: { environment: string } | undefined }>, name: string): string[] {
  const chain: string[] = [];
  let next = environments[name]?.requires?.environment;
  while (next !== undefined && !chain.includes(next)) {
    chain.push(next);
    next = environments[next]?.requires?.environment;
  }
  if (next !== undefined) chain.push(next);
  return chain;
}

/**
 * Each environment's file kind needs each service it promotes to say where its pin lives:
 * `variable` for tfvars and tfvars-json, `targets.helm.path`, `targets.manifest.container`
 * (a kustomization defaults to the service's image). Runs on unparsed input too (all problems
 * at once), so it reads every field defensively.
 */
function requireTargets(config: unknown, ctx: z.RefinementCtx): void {
  const record = (value: unknown): Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const root = record(config);
  const services = record(root.services);
  for (const [envName, envValue] of Object.entries(record(root.environments))) {
    const env = record(envValue);
    const kind = env.kind ?? "tfvars";
    const names = Array.isArray(env.services) ? env.services.filter((name): name is string => typeof name === "string") : Object.keys(services);
    for (const serviceName of names) {
      if (!Object.hasOwn(services, serviceName)) continue;
      const service = record(services[serviceName]);
      const targets = record(service.targets);
      const needs =
        kind === "tfvars" || kind === "tfvars-json"
          ? service.variable === undefined ? ["variable"] : undefined
          : kind === "helm" && targets.helm === undefined
            ? ["targets", "helm", "path"]
            : kind === "manifest" && targets.manifest === undefined
              ? ["targets", "manifest", "container"]
              : undefined;
      if (needs !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["services", serviceName, ...needs],
          message: `environment ${envName} is a ${String(kind)} file that promotes ${serviceName}: set services.${serviceName}.${needs.join(".")}`,
        });
      }
      if (env.requireProvenance === true && service.provenance === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["services", serviceName, "provenance", "signerWorkflow"],
          message: `environment ${envName} requires provenance and promotes ${serviceName}: set services.${serviceName}.provenance.signerWorkflow`,
        });
      }
    }
  }
}

export type Config = z.infer<typeof configSchema>;
export type ContractsConfig = z.infer<typeof contractsSchema>;
export type ConsumerConfig = z.infer<typeof consumerSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type MergeWindow = z.infer<typeof mergeWindowSchema>;
export type Weekday = (typeof WEEKDAYS)[number];
