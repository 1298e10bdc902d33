import { z } from "zod";

/**
 * The unit of work: plain, serialisable data, never a closure over a webhook Context. Handlers
 * map events to jobs; a sweep makes jobs; a worker runs a job with the installation's Octokit
 * (src/jobs/run-job.ts). Because a job is data, it can be queued in memory or in Redis, retried,
 * coalesced, and run by any replica.
 */
const installationId = z.number().int().positive().describe("The GitHub App installation the job acts for.");
const repository = z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be owner/name").describe("owner/name");

/** What a promotion job carries from one run to the next (a wait, a retry). */
const resumable = {
  /**
   * A wait for the image that an earlier run of this job began (only with a durable queue: each
   * wait is a delayed job): when it began (epoch ms) and how many attempts have failed.
   */
  imageWait: z.object({ since: z.number().int().nonnegative(), attempts: z.number().int().positive() }).optional(),
  /** The check run an earlier run of this job left in progress (so a retry whose first read fails updates it, not a new one). */
  checkRunId: z.number().int().positive().optional(),
  /** Retries after retryable failures so far (core/retry-policy.ts). */
  retries: z.number().int().positive().optional(),
};

export const jobSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("promote-tag"),
    installationId,
    repository,
    tag: z.string().min(1),
    /** Why: a push of the tag, a sweep that found it unpromoted, a check run's Re-run, or a comment command. */
    trigger: z.enum(["push", "sweep", "rerequested", "comment"]),
    /**
     * A `/release-promoter promote …` comment: only this environment, an explicit downgrade allowed
     * (a rollback), and the outcome answered on the infra issue or PR where it was asked.
     */
    command: z
      .object({
        environment: z.string().min(1),
        by: z.string().min(1),
        issue: z.number().int().positive(),
      })
      .optional(),
    /** The commit the push payload names (reported on when the first read fails). */
    headCommit: z.string().optional(),
    pusher: z.string().optional(),
    ...resumable,
  }),
  z.object({
    /**
     * A push to a service repository's default branch: promote the branch's head (read when the
     * job runs, so a burst of pushes is one job) to the service's `on: main` environments.
     */
    kind: z.literal("promote-main"),
    installationId,
    repository,
    /** Why: a push, a sweep that found an environment behind, infra's main moving under an open PR, a check run's Re-run. */
    trigger: z.enum(["push", "sweep", "refresh", "rerequested"]),
    /** The commit the push payload names (reported on when the first read fails). */
    headCommit: z.string().optional(),
    pusher: z.string().optional(),
    ...resumable,
  }),
  z.object({
    /**
     * Re-evaluate the gates (requires, windows) of one promotion PR and write its gates check:
     * queued for the time a waiting gate can change (a soak ends, a window opens or closes).
     */
    kind: z.literal("check-gates"),
    installationId,
    infra: repository,
    number: z.number().int().positive(),
  }),
  z.object({
    kind: z.literal("tag-changed"),
    installationId,
    repository,
    tag: z.string().min(1),
    /** deleted: the tag is gone; moved: it now names another commit (a forced push). */
    change: z.enum(["deleted", "moved"]),
    /** For moved: the commit the tag names now. */
    commit: z.string().optional(),
  }),
  z.object({
    kind: z.literal("refresh-promotions"),
    installationId,
    /** The infra repository whose default branch moved. */
    infra: repository,
  }),
  z.object({
    kind: z.literal("promotion-closed"),
    installationId,
    infra: repository,
    number: z.number().int().positive(),
    /** Who closed it, as the event names them (GitHub's PR record keeps only who merged). */
    by: z.string().optional(),
  }),
  z.object({
    kind: z.literal("check-config"),
    installationId,
    repository,
    /** The commit whose .github/release-promoter.yml is checked. */
    sha: z.string().regex(/^[0-9a-f]{40}$/),
    /** A person pressed Re-run: report in a new check run even when the last one says the same. */
    rerequested: z.boolean().optional(),
  }),
  z.object({
    /** A `/release-promoter …` comment on an issue or PR of the infra repository. */
    kind: z.literal("comment-command"),
    installationId,
    infra: repository,
    issue: z.number().int().positive(),
    commentId: z.number().int().positive(),
    author: z.string().min(1),
    body: z.string(),
  }),
  z.object({
    /** List the app's installations (with the app's JWT) and queue a sweep of each. */
    kind: z.literal("sweep-all"),
  }),
  z.object({
    kind: z.literal("sweep-installation"),
    installationId,
    /** The installation's account login: the owner of its infra repository (unless INFRA_REPOSITORY names one). */
    account: z.string().min(1),
  }),
]);

export type Job = z.infer<typeof jobSchema>;
export type JobOf<K extends Job["kind"]> = Extract<Job, { kind: K }>;

/**
 * Jobs with one key run one after another (never two writers on one branch from this process):
 * everything that writes promotion branches of an installation's infra repository or reports on
 * one source repository shares a key with the work it could race.
 */
export function jobKey(job: Job): string {
  const lower = (text: string) => text.toLowerCase();
  switch (job.kind) {
    case "promote-tag":
    case "promote-main":
    case "tag-changed":
      return `${job.installationId}:source:${lower(job.repository)}`;
    case "check-gates":
    case "refresh-promotions":
    case "promotion-closed":
    case "comment-command":
      return `${job.installationId}:infra:${lower(job.infra)}`;
    case "check-config":
      return `${job.installationId}:config:${lower(job.repository)}:${job.sha}`;
    case "sweep-installation":
      return `${job.installationId}:sweep`;
    case "sweep-all":
      return "sweep-all";
  }
}

/**
 * The job's identity: two jobs with one id are the same work, so a queue keeps at most one of
 * them waiting (a storm of redeliveries of one tag is one job). Data that only says who asked
 * (trigger, pusher) is not part of it. With Redis this is the BullMQ job id, so the same work
 * enqueued by two replicas is one job.
 */
export function jobId(job: Job): string {
  const lower = (text: string) => text.toLowerCase();
  switch (job.kind) {
    case "promote-tag":
      // A command is its own work (one environment, a possible rollback), not the tag's usual promotion.
      return `promote-tag:${job.installationId}:${lower(job.repository)}:${job.tag}${job.command === undefined ? "" : `:command:${job.command.environment}:${job.command.issue}`}`;
    case "promote-main":
      return `promote-main:${job.installationId}:${lower(job.repository)}`;
    case "check-gates":
      return `check-gates:${job.installationId}:${lower(job.infra)}:${job.number}`;
    case "tag-changed":
      return `tag-changed:${job.installationId}:${lower(job.repository)}:${job.tag}:${job.change}:${job.commit ?? ""}`;
    case "refresh-promotions":
      return `refresh-promotions:${job.installationId}:${lower(job.infra)}`;
    case "promotion-closed":
      return `promotion-closed:${job.installationId}:${lower(job.infra)}:${job.number}`;
    case "comment-command":
      return `comment-command:${job.installationId}:${lower(job.infra)}:${job.commentId}`;
    case "check-config":
      return `check-config:${job.installationId}:${lower(job.repository)}:${job.sha}`;
    case "sweep-installation":
      return `sweep-installation:${job.installationId}`;
    case "sweep-all":
      return "sweep-all";
  }
}
