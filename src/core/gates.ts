/**
 * The gates of an environment (`requires`, `windows`), decided purely from what GitHub holds:
 * the merged PRs of the required environment's branch (the digest each merge commit left in the
 * file, and GitHub's date of the merge) and the clock. A PR merged into infra is what "ran in
 * staging" means to a GitOps repository: the app has no cluster to ask. The verdict is the
 * `release-promoter/gates` check on the promotion PR; teams make it required in branch protection,
 * so the PR is visible at once but cannot merge early. Whatever cannot be proven fails closed.
 */
import type { EnvironmentConfig } from "../config/config.schema.js";
import type { ReadRecord } from "./promotion-record.js";
import { windowState } from "./merge-windows.js";

export interface RequiredEnvironmentState {
  environmentName: string;
  /**
   * The merged PRs of the required environment's promotion branch, as read (any order): when
   * GitHub says each was merged, and the digest the environment's file pinned in its merge commit
   * (undefined: that file could not be read there). The merge commit is the evidence, not the PR
   * body: a record edited by hand, or a branch reverted before its merge, changes nothing here.
   */
  merges: Array<{ number: number; url: string; mergedAt: string | undefined; digestAtMerge: string | undefined }>;
  /** Its open promotion PR, if any. */
  openPullRequest: { number: number; url: string; record: ReadRecord } | undefined;
  /** The digest its file pins on infra's default branch now (undefined: unreadable or not pinned by digest). */
  runningDigest: string | undefined;
}

export interface GateInput {
  environment: EnvironmentConfig;
  digest: string;
  now: Date;
  /** Read when the environment has `requires`. */
  required?: RequiredEnvironmentState | undefined;
}

export interface GateVerdict {
  state: "pass" | "wait" | "fail";
  /** One line: the check run's title. */
  title: string;
  /** Each gate's finding, one per line (markdown). */
  summary: string;
  /** When the verdict can change by the clock alone (a soak ends, a window opens or closes). */
  recheckAt: Date | undefined;
}

/** Whether the environment has gates at all (then the app writes the gates check on its PRs). */
export function hasGates(environment: EnvironmentConfig): boolean {
  return environment.requires !== undefined || environment.windows !== undefined;
}

const short = (digest: string) => `\`${digest.slice(0, "sha256:".length + 4)}…\``;
const minutes = (ms: number) => Math.floor(ms / 60_000);

interface Finding {
  state: GateVerdict["state"];
  text: string;
  recheckAt?: Date | undefined;
}

/** The soak gate: the digest ran in the required environment, through a merged promotion PR, for soakMinutes. */
function soakFinding(input: GateInput): Finding {
  const requires = input.environment.requires!;
  const required = input.required;
  const where = requires.environment;
  if (required === undefined) return { state: "fail", text: `the state of ${where} could not be read` };
  // Fail closed on what cannot be read: an undated merge, or a merge commit whose file cannot be read, could be the one that counts.
  const undated = required.merges.find((pr) => pr.mergedAt === undefined || Number.isNaN(Date.parse(pr.mergedAt)));
  if (undated !== undefined) return { state: "fail", text: `the app cannot tell when [PR #${undated.number}](${undated.url}) of ${where} was merged` };
  const unread = required.merges.find((pr) => pr.digestAtMerge === undefined);
  if (unread !== undefined) return { state: "fail", text: `the app cannot read which digest ${where} ran after [PR #${unread.number}](${unread.url}) was merged` };
  const runs = required.merges.map((pr) => ({ number: pr.number, url: pr.url, at: Date.parse(pr.mergedAt!), digest: pr.digestAtMerge! })).sort((a, b) => a.at - b.at);
  const soakMs = requires.soakMinutes * 60_000;
  const now = input.now.getTime();
  let running: { since: number; number: number; url: string } | undefined;
  let longest = 0;
  let leftOutside = false;
  let stretches = 0;
  runs.forEach((pr, i) => {
    if (pr.digest !== input.digest || (i > 0 && runs[i - 1]!.digest === input.digest)) return;
    // A stretch ends when a later merge brought another digest; one no merge ended runs only while the file still pins it.
    const replaced = runs.slice(i + 1).find((later) => later.digest !== input.digest);
    if (replaced === undefined && required.runningDigest !== input.digest) {
      leftOutside = true;
      return;
    }
    if (replaced === undefined) running = { since: pr.at, number: pr.number, url: pr.url };
    stretches++;
    longest = Math.max(longest, Math.max(0, (replaced?.at ?? now) - pr.at));
  });
  const need = `${requires.soakMinutes} minute${requires.soakMinutes === 1 ? "" : "s"}`;
  const counted = stretches > 0;
  if (counted && longest >= soakMs) {
    return { state: "pass", text: `${short(input.digest)} has run in ${where} for ${minutes(longest)} minutes (${need} required)` };
  }
  if (running !== undefined) {
    // A merge dated after now (clocks apart) has run for no time yet.
    const ran = Math.max(0, now - running.since);
    return {
      state: "wait",
      text: `${short(input.digest)} has run in ${where} for ${minutes(ran)} of ${requires.soakMinutes} minutes (since [PR #${running.number}](${running.url}) was merged)`,
      recheckAt: new Date(running.since + soakMs),
    };
  }
  if (leftOutside) {
    return { state: "fail", text: `${short(input.digest)} no longer runs in ${where}: its file was changed outside the app's promotion PRs, so the app cannot tell for how long it ran` };
  }
  if (counted) {
    return { state: "fail", text: `${short(input.digest)} ran in ${where} for only ${minutes(longest)} of ${requires.soakMinutes} minutes before another digest replaced it` };
  }
  if (required.runningDigest === input.digest) {
    // It runs there, but not through a merge the app can date: only a soak of 0 is proven.
    if (soakMs === 0) return { state: "pass", text: `${short(input.digest)} runs in ${where}` };
    return { state: "fail", text: `${short(input.digest)} runs in ${where}, but not through a promotion PR among the last ones merged, so the app cannot tell since when; the soak of ${need} cannot be proven` };
  }
  const open = required.openPullRequest;
  if (open !== undefined && open.record.kind === "record" && open.record.record.digest === input.digest) {
    return { state: "wait", text: `${short(input.digest)} has not reached ${where} yet: its promotion [PR #${open.number}](${open.url}) is open` };
  }
  return {
    state: "fail",
    text:
      `${short(input.digest)} never reached ${where} (not among its last merged promotion PRs${open === undefined ? "" : `; [PR #${open.number}](${open.url}) promotes another digest there`}); ` +
      `production only runs what ${where} ran. Promote this commit to ${where} first.`,
  };
}

/** Every gate of the environment at `now`, combined: a failure fails, else a wait waits, else it passes. */
export function evaluateGates(input: GateInput): GateVerdict {
  const findings: Finding[] = [];
  if (input.environment.requires !== undefined) findings.push(soakFinding(input));
  if (input.environment.windows !== undefined) {
    const state = windowState(input.environment.windows, input.now);
    findings.push(state.open ? { state: "pass", text: state.description, recheckAt: state.closesAt } : { state: "wait", text: state.description, recheckAt: state.opensAt });
  }
  const state: GateVerdict["state"] = findings.some((f) => f.state === "fail") ? "fail" : findings.some((f) => f.state === "wait") ? "wait" : "pass";
  // A failure is final until something else happens (a merge in the required environment, a new push); only waits and open windows change with the clock.
  const times = state === "fail" ? [] : findings.flatMap((f) => (f.recheckAt === undefined ? [] : [f.recheckAt.getTime()]));
  const deciding = findings.filter((f) => f.state === state);
  const title = state === "pass" ? `Gates passed: ${deciding.map((f) => f.text).join("; ")}` : deciding.map((f) => f.text).join("; ");
  return {
    state,
    title: title.replace(/\[PR #(\d+)\]\([^)]*\)/g, "PR #$1"),
    summary: findings.map((f) => `- ${f.state === "pass" ? "passed" : f.state === "wait" ? "waiting" : "failed"}: ${f.text}`).join("\n"),
    recheckAt: times.length === 0 ? undefined : new Date(Math.min(...times)),
  };
}
