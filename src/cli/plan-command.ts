import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { parseConfig } from "../config/parse-config.js";
import { planVerifiedEnvironment } from "../core/plan-environment.js";
import { selectPromotion } from "../core/select-promotion.js";
import { PromoterError } from "../errors.js";
import { type CommandResult, UsageError } from "./command-result.js";
import { assertDirectory, readOptional } from "./read-paths.js";

export const PLAN_USAGE = `Usage: release-promoter plan --config FILE --infra DIR --repository OWNER/NAME --tag TAG
                          --digest sha256:HEX [--env NAME] [--commit SHA] [--json]

Plans the promotion of TAG, pushed in OWNER/NAME, with the image digest given, against the
environment files of the infra checkout DIR (any kind: tfvars, tfvars-json, helm, kustomization,
manifest). Writes nothing. Prints the unified diff, or
"no change: <reason>", or "refused: <reason>" on stderr.
Exit status: 0 planned change or nothing to do, 1 refused, 2 bad usage or invalid config.`;

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SHA = /^[0-9a-f]{40}$/;

export interface PlanOptions {
  config: string;
  infra: string;
  repository: string;
  tag: string;
  digest: string;
  env?: string | undefined;
  commit?: string | undefined;
}

export interface PlanJson {
  outcome: "change" | "noop" | "refused";
  /** The refusal's code (as on the app's check run); null unless refused. */
  code: string | null;
  reason: string;
  file: string | null;
  content?: string;
  branch: string | null;
  title: string | null;
  body: string | null;
}


/** The offline plan: every rule that needs no network (tag, ownership, config, edit, version policy). */
export async function runPlan(options: PlanOptions): Promise<CommandResult<PlanJson>> {
  if (!DIGEST.test(options.digest)) throw new UsageError(`--digest must be sha256:<64 lowercase hex>, got ${JSON.stringify(options.digest)}`);
  if (!/^[^/\s]+\/[^/\s]+$/.test(options.repository)) throw new UsageError("--repository must be OWNER/NAME");
  if (options.commit !== undefined && !SHA.test(options.commit)) throw new UsageError("--commit must be a 40-character lowercase hex SHA");

  const configText = await readOptional(options.config, "--config");
  if (configText === undefined) throw new UsageError(`--config: ${options.config} does not exist`);
  await assertDirectory(options.infra, "--infra");
  let config;
  try {
    config = parseConfig(configText, options.config);
  } catch (error) {
    if (error instanceof PromoterError) throw new UsageError(error.message);
    throw error;
  }

  const refused = (code: string, reason: string, file: string | null = null, branch: string | null = null): CommandResult<PlanJson> => ({
    exitCode: 1,
    stderr: `refused (${code}): ${reason}\n`,
    json: { outcome: "refused", code, reason, file, branch, title: null, body: null },
  });

  let selection;
  try {
    selection = selectPromotion(config, options.repository, options.tag);
  } catch (error) {
    if (error instanceof PromoterError) return refused(error.code, error.message);
    throw error;
  }
  if (selection.kind === "ignored") return refused("ignored", `${options.tag} promotes nothing: ${selection.reason}`);

  let environments = selection.environments;
  if (options.env !== undefined) {
    if (!(options.env in config.environments)) {
      throw new UsageError(`--env: no environment ${options.env} in ${options.config} (its environments: ${Object.keys(config.environments).join(", ") || "none"})`);
    }
    environments = environments.filter((e) => e.name === options.env);
    if (environments.length === 0) {
      return refused("no_environment", `${options.tag} is not promoted to ${options.env} (a prerelease, or ${selection.serviceName} is not in its services)`);
    }
  } else if (environments.length > 1) {
    throw new UsageError(`${options.tag} would be promoted to ${environments.map((e) => e.name).join(", ")}; choose one with --env`);
  }
  const { name, environment } = environments[0]!;
  const baseText = await readOptional(join(options.infra, environment.file), "--infra");
  const plan = await planVerifiedEnvironment({
    serviceName: selection.serviceName,
    service: selection.service,
    release: selection.release,
    environmentName: name,
    environment,
    digest: options.digest,
    baseText,
    source: {
      repository: options.repository,
      url: `https://github.com/${options.repository}`,
      commit: options.commit ?? "0".repeat(40),
    },
  });
  if (plan.outcome === "refused") return refused(plan.code, plan.reason, plan.file, plan.branch);
  if (plan.outcome === "noop") {
    return {
      exitCode: 0,
      stdout: `no change: ${plan.reason}\n`,
      json: { outcome: "noop", code: null, reason: plan.reason, file: plan.file, branch: plan.branch, title: null, body: null },
    };
  }
  const diff = createTwoFilesPatch(`a/${plan.file}`, `b/${plan.file}`, baseText ?? "", plan.content, undefined, undefined, { context: 3 });
  return {
    exitCode: 0,
    stdout: diff.replace(/^=+\n/, ""),
    json: {
      outcome: "change",
      code: null,
      reason: plan.title,
      file: plan.file,
      content: plan.content,
      branch: plan.branch,
      title: plan.title,
      body: plan.body,
    },
  };
}
