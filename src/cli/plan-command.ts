import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { parseConfig } from "../config/parse-config.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Config } from "../config/config.schema.js";
import { planVerifiedCommitEnvironment, readRunningMarker } from "../core/plan-commit-environment.js";
import { type EnvironmentPlan, planVerifiedEnvironment } from "../core/plan-environment.js";
import { selectMainPromotions, selectPromotion } from "../core/select-promotion.js";
import type { Ancestry } from "../github/read-main-context.js";
import { PromoterError } from "../errors.js";
import { type CommandResult, UsageError } from "./command-result.js";
import { assertDirectory, readOptional } from "./read-paths.js";

export const PLAN_USAGE = `Usage: release-promoter plan --config FILE --infra DIR --repository OWNER/NAME --tag TAG
                          --digest sha256:HEX [--env NAME] [--commit SHA] [--json]
       release-promoter plan --config FILE --infra DIR --repository OWNER/NAME --env NAME
                          --commit SHA --digest sha256:HEX [--source DIR] [--json]

Plans the promotion of TAG, pushed in OWNER/NAME, with the image digest given, against the
environment files of the infra checkout DIR (any kind: tfvars, tfvars-json, helm, kustomization,
manifest). Writes nothing. Prints the unified diff, or
"no change: <reason>", or "refused: <reason>" on stderr.

The second form plans an on: main environment (--env) at commit SHA of the service's default
branch (marked # <service>@<12 hex>). That SHA must descend from the commit or release tag the
file runs: with --source (a git clone of OWNER/NAME) git checks it; without, it is not checked
(said on stderr), since the app asks GitHub.
Exit status: 0 planned change or nothing to do, 1 refused, 2 bad usage or invalid config.`;

const execFileAsync = promisify(execFile);
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SHA = /^[0-9a-f]{40}$/;

export interface PlanOptions {
  config: string;
  infra: string;
  repository: string;
  /** Absent for a plan of an on: main environment (then --commit and --env are required). */
  tag?: string | undefined;
  digest: string;
  env?: string | undefined;
  commit?: string | undefined;
  /** A git clone of the service repository, to check the commit's ancestry offline. */
  source?: string | undefined;
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

  if (options.tag === undefined) return planCommit(config, options, refused);
  const tag = options.tag;
  let selection;
  try {
    selection = selectPromotion(config, options.repository, tag);
  } catch (error) {
    if (error instanceof PromoterError) return refused(error.code, error.message);
    throw error;
  }
  if (selection.kind === "ignored") return refused("ignored", `${tag} promotes nothing: ${selection.reason}`);

  let environments = selection.environments;
  if (options.env !== undefined) {
    if (!(options.env in config.environments)) {
      throw new UsageError(`--env: no environment ${options.env} in ${options.config} (its environments: ${Object.keys(config.environments).join(", ") || "none"})`);
    }
    environments = environments.filter((e) => e.name === options.env);
    if (environments.length === 0) {
      return refused("no_environment", `${tag} is not promoted to ${options.env} (a prerelease, or ${selection.serviceName} is not in its services)`);
    }
  } else if (environments.length > 1) {
    throw new UsageError(`${tag} would be promoted to ${environments.map((e) => e.name).join(", ")}; choose one with --env`);
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
  return planResult(plan, baseText, refused);
}

type Refused = (code: string, reason: string, file?: string | null, branch?: string | null) => CommandResult<PlanJson>;

function planResult(plan: EnvironmentPlan, baseText: string | undefined, refused: Refused, warning = ""): CommandResult<PlanJson> {
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
    ...(warning === "" ? {} : { stderr: warning }),
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

/** The plan of an on: main environment at --commit: what a push to the service's default branch would open. */
async function planCommit(config: Config, options: PlanOptions, refused: Refused): Promise<CommandResult<PlanJson>> {
  if (options.commit === undefined || options.env === undefined) throw new UsageError("missing --tag (or, for an on: main environment, --env and --commit)");
  const environment = config.environments[options.env];
  if (environment === undefined) {
    throw new UsageError(`--env: no environment ${options.env} in ${options.config} (its environments: ${Object.keys(config.environments).join(", ") || "none"})`);
  }
  if (environment.on !== "main") throw new UsageError(`--env: ${options.env} is promoted by tags (on: tag); pass --tag`);
  const selection = selectMainPromotions(config, options.repository).find((s) => s.environments.some((e) => e.name === options.env));
  if (selection === undefined) return refused("no_environment", `${options.repository} promotes no service to ${options.env}`);
  const baseText = await readOptional(join(options.infra, environment.file), "--infra");
  const running = readRunningMarker({ serviceName: selection.serviceName, service: selection.service, environment, baseText });
  let ancestry: Ancestry | undefined;
  let warning = "";
  if (running?.revision !== undefined) {
    if (options.source === undefined) {
      ancestry = "ahead";
      warning = `not checked: that ${options.commit.slice(0, 12)} descends from ${running.pinned.marker} (pass --source DIR, a clone of ${options.repository}, to check it)\n`;
    } else {
      await assertDirectory(options.source, "--source");
      ancestry = await gitAncestry(options.source, running.revision, options.commit);
    }
  }
  const plan = await planVerifiedCommitEnvironment({
    serviceName: selection.serviceName,
    service: selection.service,
    environmentName: options.env,
    environment,
    commit: options.commit,
    digest: options.digest,
    baseText,
    source: { repository: options.repository, url: `https://github.com/${options.repository}`, defaultBranch: "main" },
    ancestry,
  });
  return planResult(plan, baseText, refused, warning);
}

/** How `head` relates to `base` in a local clone, as GitHub's compare would say it. */
async function gitAncestry(dir: string, base: string, head: string): Promise<Ancestry> {
  const git = async (...args: string[]): Promise<{ code: number; out: string }> => {
    try {
      const { stdout } = await execFileAsync("git", ["-C", dir, ...args]);
      return { code: 0, out: stdout.trim() };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "number") return { code, out: "" };
      throw new UsageError(`--source: git failed in ${dir} (${(error as Error).message.split("\n")[0]})`);
    }
  };
  const baseCommit = await git("rev-parse", "--verify", "--quiet", `${base}^{commit}`);
  if (baseCommit.code !== 0) return "missing";
  const headCommit = await git("rev-parse", "--verify", "--quiet", `${head}^{commit}`);
  if (headCommit.code !== 0) throw new UsageError(`--commit: ${head} is not a commit of the clone ${dir} (fetch it first)`);
  // As the app checks GitHub's answer: an abbreviated commit that git resolved to another (a branch or tag named like it).
  if (/^[0-9a-f]{7,39}$/.test(base) && !baseCommit.out.startsWith(base)) return "ambiguous";
  if (baseCommit.out === headCommit.out) return "identical";
  if ((await git("merge-base", "--is-ancestor", baseCommit.out, headCommit.out)).code === 0) return "ahead";
  if ((await git("merge-base", "--is-ancestor", headCommit.out, baseCommit.out)).code === 0) return "behind";
  return "diverged";
}
