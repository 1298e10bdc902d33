import type { CheckReportText } from "./check-report.js";

export type ConsumerOutcome =
  | { repository: string; outcome: "pull_request"; number: number; url: string; breaking: boolean; superseded?: string | undefined }
  | { repository: string; outcome: "up_to_date"; reason: string }
  | { repository: string; outcome: "skipped"; reason: string }
  | { repository: string; outcome: "failed"; code: string; reason: string };

/** One line per consumer, describing the resulting state (so a redelivery reports the same). */
export function reportConsumers(packageName: string, version: string, outcomes: ConsumerOutcome[]): CheckReportText {
  const line = (o: ConsumerOutcome): string => {
    switch (o.outcome) {
      case "pull_request":
        return `- **${o.repository}**: [PR #${o.number}](${o.url}) bumps to ${version}${o.breaking ? " (breaking)" : ""}${o.superseded ? `, superseding ${o.superseded}` : ""}.`;
      case "up_to_date":
        return `- **${o.repository}**: up to date. ${o.reason}`;
      case "skipped":
        return `- **${o.repository}**: skipped. ${o.reason}`;
      case "failed":
        return `- **${o.repository}**: failed (\`${o.code}\`). ${o.reason}`;
    }
  };
  const count = (kind: ConsumerOutcome["outcome"]) => outcomes.filter((o) => o.outcome === kind).length;
  const prs = count("pull_request");
  const failed = count("failed");
  const parts = [`${prs} PR${prs === 1 ? "" : "s"}`, `${count("up_to_date")} up to date`, `${count("skipped")} skipped`, `${failed} failed`];
  const summary = outcomes.length === 0 ? "No consumers: list them under contracts.consumers, or set contracts.discover: true." : outcomes.map(line).join("\n");
  const title = `${packageName} ${version}: ${parts.join(", ")}`;
  if (failed > 0) return { conclusion: "failure", title, summary };
  return { conclusion: prs > 0 ? "success" : "neutral", title, summary };
}
