/**
 * An org with many services (`svc01`, `svc02`, …), each in its own repository with a release
 * commit whose image is in the registry and tagged `<name>-v1.0.0`, and an infra repository whose
 * environment files run every service's 1.0.0 on adjacent lines, as real infra repositories have
 * them. Used by the sweep bench and the replica tests.
 */
import type { World } from "./world.js";

export interface ManyServicesOrg {
  names: string[];
  commits: Map<string, string>;
  digests: Map<string, string>;
}

export async function seedManyServices(
  world: World,
  options: { installationId: number; services: number; environments: string[]; registryHost: string; pushImage: (repository: string, commit: string) => Promise<string>; imageWaitSeconds?: number },
): Promise<ManyServicesOrg> {
  const { installationId } = options;
  const names = Array.from({ length: options.services }, (_, i) => `svc${String(i + 1).padStart(2, "0")}`);
  const commits = new Map<string, string>();
  const digests = new Map<string, string>();
  for (const name of names) {
    world.addRepository({ fullName: `acme/${name}`, installationId, files: { "README.md": `# ${name}\n` } });
    const commit = world.commitOn(`acme/${name}`, { "CHANGELOG.md": "- 1.0.0\n" }, { message: "Release 1.0.0" });
    commits.set(name, commit);
    digests.set(name, await options.pushImage(`acme/${name}`, commit));
    world.tag(`acme/${name}`, `${name}-v1.0.0`, commit, { annotated: true });
  }
  const config = [
    "services:",
    ...names.flatMap((name) => [`  ${name}:`, `    repository: acme/${name}`, `    image: ${options.registryHost}/acme/${name}`, `    variable: ${name}_image`]),
    "environments:",
    ...options.environments.flatMap((environment) => [`  ${environment}:`, `    file: envs/${environment}.tfvars`]),
    `imageWaitSeconds: ${options.imageWaitSeconds ?? 0}`,
    "",
  ].join("\n");
  const tfvars = names.map((name) => `${name}_image = "${options.registryHost}/acme/${name}@${digests.get(name)}" # ${name}-v1.0.0`).join("\n") + "\n";
  world.addRepository({
    fullName: "acme/infra",
    installationId,
    files: { ".github/release-promoter.yml": config, ...Object.fromEntries(options.environments.map((environment) => [`envs/${environment}.tfvars`, tfvars])) },
  });
  return { names, commits, digests };
}
