import type { ErrorCode } from "../errors.js";

/** What happened in one environment, after the writes. */
export type EnvironmentOutcome =
  | { environment: string; file: string; outcome: "pull_request"; number: number; url: string; version: string; superseded?: string | undefined; waiting?: string | undefined }
  | { environment: string; file: string; outcome: "noop"; reason: string; url?: string | undefined }
  | { environment: string; file: string; outcome: "refused" | "failed"; code: string; reason: string };

export interface CheckReportText {
  conclusion: "success" | "failure" | "neutral";
  title: string;
  summary: string;
  detailsUrl?: string;
}

/** Refusals that are policy, not errors: the pusher did nothing wrong, there is just nothing to do. */
const NEUTRAL_CODES: ReadonlySet<ErrorCode | string> = new Set(["prerelease_not_allowed", "no_environment", "rollback_hold"]);

/**
 * The check run text describes the resulting state, not the action taken, so a redelivered
 * webhook produces the same report and nothing needs to be written.
 */
export function reportOutcomes(service: string, tag: string, outcomes: EnvironmentOutcome[]): CheckReportText {
  const lines = outcomes.map((o) => {
    switch (o.outcome) {
      case "pull_request":
        return `- **${o.environment}** (\`${o.file}\`): [PR #${o.number}](${o.url}) promotes ${tag}${o.superseded ? ` (it superseded ${o.superseded})` : ""}.${o.waiting === undefined ? "" : ` It waits: ${o.waiting}`}`;
      case "noop":
        return `- **${o.environment}** (\`${o.file}\`): nothing to do. ${o.reason}`;
      case "refused":
        return `- **${o.environment}** (\`${o.file}\`): refused (\`${o.code}\`). ${o.reason}`;
      case "failed":
        return `- **${o.environment}** (\`${o.file}\`): failed (\`${o.code}\`). ${o.reason}`;
    }
  });
  const prs = outcomes.filter((o) => o.outcome === "pull_request");
  // Policy refusals (a hold) are neutral, as they are for the whole tag.
  const bad = outcomes.filter((o) => (o.outcome === "refused" && !NEUTRAL_CODES.has(o.code)) || o.outcome === "failed");
  const held = outcomes.filter((o) => o.outcome === "refused" && NEUTRAL_CODES.has(o.code));
  const summary = lines.join("\n");
  if (bad.length > 0) {
    const first = bad[0]!;
    return {
      conclusion: "failure",
      title: `${tag} not promoted to ${bad.map((o) => o.environment).join(", ")}: ${first.outcome === "refused" || first.outcome === "failed" ? first.code : ""}`,
      summary,
    };
  }
  if (prs.length > 0) {
    return {
      conclusion: "success",
      title: `${service} ${tag}: ${prs.map((o) => `PR #${o.number} (${o.environment})`).join(", ")}`,
      summary,
      detailsUrl: prs[0]!.url,
    };
  }
  if (held.length > 0) {
    const first = held[0]!;
    return { conclusion: "neutral", title: `${tag} not promoted to ${held.map((o) => o.environment).join(", ")}: ${first.outcome === "refused" ? first.code : ""}`, summary };
  }
  return { conclusion: "neutral", title: `${tag}: nothing to do`, summary };
}

export function reportRefusal(tag: string, code: string, reason: string): CheckReportText {
  return {
    conclusion: NEUTRAL_CODES.has(code) ? "neutral" : "failure",
    title: `${tag} not promoted: ${code}`,
    summary: reason,
  };
}
