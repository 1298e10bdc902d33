import type { Context } from "probot";
import { infraRepositoryNames } from "../config/infra-repository.js";
import { selectMainPromotions } from "../core/select-promotion.js";
import type { Config } from "../config/config.schema.js";
import { CONFIG_PATH } from "../config/parse-config.js";
import type { Job } from "../jobs/job.schema.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { PromoterDependencies } from "../dependencies.js";

const ZERO = /^0{40}$/;

/**
 * `push` → jobs; answers at once. A tag created → promote it; a tag deleted or moved → the
 * tag-changed job (close its PR; a moved tag is refused). A push to the infra repository: its
 * default branch → refresh the open promotion PRs; any branch that may have changed the config →
 * check it. A push to a service's default branch → promote its head to the on: main environments.
 * Nothing here reads GitHub.
 */
export function onPush(deps: PromoterDependencies, queue: JobQueue) {
  const route = pushRouter(deps);
  return async (context: Context<"push">): Promise<void> => {
    for (const job of route(context.payload)) await queue.enqueue(job);
  };
}

export function jobsForPush(deps: PromoterDependencies, payload: Context<"push">["payload"]): Job[] {
  return pushRouter(deps)(payload);
}

/**
 * The mapping, with the environment (INFRA_REPOSITORY, REDIS_URL) read once, when the handler is
 * registered, as Probot reads its own: this runs on every push delivery, and most are branch
 * pushes that end in no job.
 */
function pushRouter(deps: PromoterDependencies): (payload: Context<"push">["payload"]) => Job[] {
  const infra = infraRepositoryNames(deps.env);
  // Several replicas (Redis): a config change reaches only the cache of the replica that got infra's push, so none skips on its own.
  const neverSkipMain = Boolean(deps.env.REDIS_URL);

  /**
   * Whether a push to `repository`'s default branch may promote something: unknown (no config seen
   * yet for this installation's infra) counts as yes, so the job reads the config and decides.
   */
  const mayPromoteMain = (installationId: number, repository: string): boolean => {
    if (neverSkipMain) return true;
    const cached = deps.configCache?.get(installationId, infra.of(repository.slice(0, repository.indexOf("/"))));
    if (cached === undefined) return true;
    return mainRepositoriesOf(cached.config).has(repository.toLowerCase());
  };

  return (payload) => {
    const installationId = payload.installation?.id;
    if (installationId === undefined) return [];
    const repository = payload.repository.full_name;
    if (payload.ref.startsWith("refs/tags/")) {
      const tag = payload.ref.slice("refs/tags/".length);
      if (payload.deleted) return [{ kind: "tag-changed", installationId, repository, tag, change: "deleted" }];
      // GitHub marks a new tag `created`; a tag pushed again at another commit is not created (and forced).
      if (!payload.created && !ZERO.test(payload.before) && payload.before !== payload.after) {
        return [{ kind: "tag-changed", installationId, repository, tag, change: "moved", commit: payload.head_commit?.id ?? undefined }];
      }
      return [
        {
          kind: "promote-tag",
          installationId,
          repository,
          tag,
          trigger: "push",
          headCommit: payload.head_commit?.id ?? undefined,
          pusher: payload.sender?.login ?? payload.pusher.name ?? undefined,
        },
      ];
    }
    if (!payload.ref.startsWith("refs/heads/") || payload.deleted) return [];
    if (!infra.is(repository)) {
      // A service's default branch moved: its on: main environments promote the new head. Skipped
      // without a job when the config this app last saw has no on: main environment (no read per push).
      if (payload.ref !== `refs/heads/${payload.repository.default_branch}` || !mayPromoteMain(installationId, repository)) return [];
      return [{ kind: "promote-main", installationId, repository, trigger: "push", headCommit: payload.after, pusher: payload.sender?.login ?? payload.pusher.name ?? undefined }];
    }
    const jobs: Job[] = [];
    if (payload.ref === `refs/heads/${payload.repository.default_branch}`) jobs.push({ kind: "refresh-promotions", installationId, infra: repository });
    if (mayChangeConfig(payload)) {
      jobs.push({ kind: "check-config", installationId, repository, sha: payload.after });
      // The cache lets pushes to services' main skip without a job; a new config may add on: main environments.
      if (payload.ref === `refs/heads/${payload.repository.default_branch}`) deps.configCache?.delete(installationId, repository);
    }
    return jobs;
  };
}

/** The repositories (lowercase) that an on: main environment promotes from, once per parsed config (this runs on every push). */
const mainRepositories = new WeakMap<Config, Set<string>>();
function mainRepositoriesOf(config: Config): Set<string> {
  let repositories = mainRepositories.get(config);
  if (repositories === undefined) {
    repositories = new Set(Object.values(config.services).map((service) => service.repository.toLowerCase()).filter((name) => selectMainPromotions(config, name).length > 0));
    mainRepositories.set(config, repositories);
  }
  return repositories;
}

/** Whether the push may have changed the config: named in a commit's files, or GitHub's list is incomplete (20+ commits, forced). */
function mayChangeConfig(payload: Context<"push">["payload"]): boolean {
  if (payload.forced || payload.commits.length === 0 || payload.commits.length >= 20) return true;
  return payload.commits.some((commit) => [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])].includes(CONFIG_PATH));
}
