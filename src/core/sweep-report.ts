/**
 * What a sweep tells the infra repository's owners, pure. A key the sweep cannot reconcile (its
 * service repository is not visible to the app, its environment file is missing or cannot be
 * read) is skipped, the others go on; the skipped keys are listed in the `release-promoter/sweep`
 * check run on infra's default-branch head, where the people who own the config look. A sweep
 * that skips nothing writes nothing, unless that head carries an earlier failing report, which it
 * then marks as mended. A sweep that finds what the check run already says writes nothing.
 */
import type { CheckReportText } from "./check-report.js";

export interface SkippedKey {
  environment: string;
  service: string;
  reason: string;
}

export function reportSweep(skipped: SkippedKey[], keys: number): CheckReportText {
  if (skipped.length === 0) {
    return { conclusion: "success", title: `Every key reconciled (${keys})`, summary: `The sweep read all ${keys} (environment, service) keys of the config.` };
  }
  // Names and reasons come from the reviewed config and the app's own messages, as in reportOutcomes.
  const lines = skipped.map((key) => `- **${key.environment}** / **${key.service}**: ${key.reason}`);
  return {
    conclusion: "failure",
    title: `${skipped.length} of ${keys} keys cannot be reconciled`,
    summary: `The sweep skipped these keys and promotes nothing for them until they can be read; the other keys are reconciled.\n\n${lines.join("\n")}`,
  };
}

export interface ReportedSweep {
  id: number;
  status: string;
  conclusion: string | undefined;
  title: string | undefined;
  summary: string | undefined;
}

export type SweepReportWrite = { kind: "none" } | { kind: "create"; text: CheckReportText } | { kind: "update"; id: number; text: CheckReportText };

/** Whether the sweep's check run must be written, given what the head already carries. */
export function decideSweepReport(text: CheckReportText, reported: ReportedSweep | undefined): SweepReportWrite {
  if (reported === undefined) return text.conclusion === "success" ? { kind: "none" } : { kind: "create", text };
  const same = reported.status === "COMPLETED" && reported.conclusion === text.conclusion && reported.title === text.title && reported.summary === text.summary;
  if (same) return { kind: "none" };
  // A mended head: the earlier report is updated, so the commit does not keep a stale failure.
  return { kind: "update", id: reported.id, text };
}
