import type { Logger } from "probot";
import type { CheckReportText } from "../core/check-report.js";
import type { Octokit, RepositoryName } from "../github/octokit.js";
import type { PromotionContext } from "../github/read-promotion-context.js";
import { CHECK_RUN_NAME, createCheckRun, updateCheckRun } from "../github/report-check-run.js";

/**
 * The check run on the tagged commit: created "in progress" only when the work has to wait,
 * completed at the end — and not written at all when our latest check run there already says
 * the same (a redelivered webhook).
 */
export class Reporter {
  private checkRunId: number | undefined;
  constructor(
    private readonly octokit: Octokit,
    private readonly log: Logger,
    private readonly source: RepositoryName,
    private readonly tag: string,
    private readonly existing: PromotionContext["source"]["checkRun"],
    private readonly headSha: string | undefined,
    /** The check run's name: the tag's (release-promoter), or a main push's (release-promoter/main). */
    private readonly name: string = CHECK_RUN_NAME,
  ) {
    // A check run left in progress (the process that created it died while waiting) is resumed
    // and completed, never left "in progress" beside a new one.
    if (existing !== undefined && existing.status !== "COMPLETED") this.checkRunId = existing.id;
  }

  /** The check run this reporter writes to, once there is one (carried by a job that runs again later). */
  get id(): number | undefined {
    return this.checkRunId;
  }

  /** Shows "in progress" while the promotion waits; created once, updated by `finish`. */
  async progress(title: string, summary: string): Promise<void> {
    if (this.headSha === undefined) return;
    const report = { status: "in_progress" as const, title, summary };
    if (this.checkRunId === undefined) {
      this.checkRunId = await createCheckRun(this.octokit, this.source, this.headSha, this.tag, report, this.name);
    } else {
      await updateCheckRun(this.octokit, this.source, this.checkRunId, report);
    }
  }

  async finish(text: CheckReportText): Promise<void> {
    const log = this.log.child({ tag: this.tag, conclusion: text.conclusion });
    if (this.headSha === undefined) {
      log.warn({ reason: text.summary }, "no commit to report on");
      return;
    }
    const report = { status: "completed" as const, ...text };
    if (this.checkRunId !== undefined) {
      await updateCheckRun(this.octokit, this.source, this.checkRunId, report);
      return;
    }
    const e = this.existing;
    if (e?.status === "COMPLETED" && e.conclusion === text.conclusion && e.title === text.title && e.summary === text.summary) {
      log.info("check run already reports this");
      return;
    }
    await createCheckRun(this.octokit, this.source, this.headSha, this.tag, report, this.name);
  }
}

