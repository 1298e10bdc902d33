import type { CheckReportText } from "./check-report.js";
import type { PromotionRecord } from "./promotion-record.js";

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const who = (login: string | undefined) => (login !== undefined && LOGIN.test(login) ? `@${login}` : "someone");

/** The tag's check run once its promotion PR is merged or closed by a person. */
export function reportPromotionClosed(
  record: PromotionRecord,
  pr: { infra: string; number: number; url: string; merged: boolean; by: string | undefined },
): CheckReportText {
  const where = `${pr.infra}#${pr.number}`;
  if (pr.merged) {
    return {
      conclusion: "success",
      title: `${record.tag} merged in ${where} by ${who(pr.by)}`,
      summary: `[${where}](${pr.url}), promoting **${record.service}** ${record.tag} (\`${record.digest}\`) to **${record.environment}**, was merged by ${who(pr.by)}.`,
    };
  }
  return {
    conclusion: "neutral",
    title: `${record.tag}: ${where} closed without merging`,
    summary:
      `[${where}](${pr.url}), promoting **${record.service}** ${record.tag} to **${record.environment}**, was closed without merging by ${who(pr.by)}. ` +
      `The app does not reopen a promotion of ${record.tag} to ${record.environment}; reopen the PR, or push a newer tag.`,
  };
}
