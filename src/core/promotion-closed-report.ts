import type { CheckReportText } from "./check-report.js";
import { type PromotionRecord, promotedLabel } from "./promotion-record.js";

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const who = (login: string | undefined) => (login !== undefined && LOGIN.test(login) ? `@${login}` : "someone");

/** The tag's check run once its promotion PR is merged or closed by a person. */
export function reportPromotionClosed(
  record: PromotionRecord,
  pr: { infra: string; number: number; url: string; merged: boolean; by: string | undefined },
): CheckReportText {
  const where = `${pr.infra}#${pr.number}`;
  const what = promotedLabel(record);
  if (pr.merged) {
    return {
      conclusion: "success",
      title: `${what} merged in ${where} by ${who(pr.by)}`,
      summary: `[${where}](${pr.url}), promoting **${record.service}** ${what} (\`${record.digest}\`) to **${record.environment}**, was merged by ${who(pr.by)}.`,
    };
  }
  return {
    conclusion: "neutral",
    title: `${what}: ${where} closed without merging`,
    summary:
      `[${where}](${pr.url}), promoting **${record.service}** ${what} to **${record.environment}**, was closed without merging by ${who(pr.by)}. ` +
      `The app does not reopen a promotion of ${what} to ${record.environment}; reopen the PR, or ${record.tag === undefined ? "merge a newer commit to main" : "push a newer tag"}.`,
  };
}
