import { promotedLabel } from "../core/promotion-record.js";
/**
 * The status rows of one installation, pure: from what the sweep reads (the config, each
 * service's tags, each environment file, each promotion branch's PRs) to one row per
 * (environment, service). The verdict is the sweep's own (core/plan-sweep.ts), so the page says
 * what the next sweep would do.
 */
import semver from "semver";
import type { Config } from "../config/config.schema.js";
import { tryParseReleaseTag } from "../core/parse-tag.js";
import { branchHold, decideKey, headProposedBy, heldVerdict, judgeKey, sweepKeys } from "../core/plan-sweep.js";
import { tagPrefixOf } from "../core/select-promotion.js";
import { readPin } from "../editors/editors.js";
import { targetOf } from "../editors/target-editor.js";
import { isPromoterError } from "../errors.js";
import type { SweepState } from "../github/read-sweep-state.js";
import type { StatusRow } from "./status-data.js";

/** What the rows need from the sweep's reads: `files` names the paths of `state.files`, in order. */
export interface StatusInputs {
  config: Config;
  state: SweepState;
  files: string[];
}

/** The rows, without the outcome of the newest tag and the PR's age (read after, see withOutcome and withAge). */
export function buildStatusRows({ config, state, files }: StatusInputs): StatusRow[] {
  const serviceIndex = new Map(Object.keys(config.services).map((name, i) => [name, i]));
  return sweepKeys(config).map((key, k) => {
    const service = config.services[key.service]!;
    const environment = config.environments[key.environment]!;
    const tags = state.services[serviceIndex.get(key.service)!]?.tags;
    const fileText = state.files[files.indexOf(key.file)];
    const prefix = tagPrefixOf(key.service, service);

    let running: StatusRow["running"] = null;
    if (fileText !== undefined) {
      try {
        const pin = readPin(fileText, targetOf(key.service, service, environment.kind), { file: key.file, markerPrefix: prefix });
        running = { version: pin.version ?? null, marker: pin.marker ?? null, value: pin.value, digest: /sha256:[0-9a-f]{64}/.exec(pin.value)?.[0] ?? null };
      } catch (error) {
        if (!isPromoterError(error)) throw error;
        // judgeKey below says why (the same read, the same refusal).
      }
    }

    const releases = (tags ?? [])
      .flatMap((tag) => {
        const release = tryParseReleaseTag(tag.name);
        return release === undefined || release.prefix !== prefix || tag.commit === undefined ? [] : [release];
      })
      .filter((release) => !release.prerelease || environment.prerelease)
      .sort((a, b) => semver.rcompare(a.version, b.version));
    const newest = releases[0];

    const pullRequests = state.pullRequests[k] ?? [];
    // As the sweep judges it: a rollback's hold takes the versions it keeps out off the candidates.
    const hold = branchHold(pullRequests);
    const verdict = heldVerdict(judgeKey({ config, key, tags, fileText, head: state.services[serviceIndex.get(key.service)!]?.head }), hold);
    let rowState: StatusRow["state"];
    if (verdict.kind === "behind") {
      const decision = decideKey(verdict.candidates[0]!, pullRequests);
      rowState =
        decision.kind === "converged"
          ? { kind: "converged", reason: decision.reason }
          : { kind: "behind", reason: `${decision.tag} is not running${verdict.current === undefined ? "" : ` (runs v${verdict.current})`}; the sweep promotes it if it is on the default branch` };
    } else if (verdict.kind === "main-behind") {
      rowState = headProposedBy(verdict.head, pullRequests) !== undefined ? { kind: "converged", reason: `its PR proposes ${verdict.head.slice(0, 12)}, the head of the default branch` } : { kind: "behind", reason: `${verdict.reason}; the sweep promotes the head` };
    } else rowState = { kind: verdict.kind, reason: verdict.reason };

    const open = pullRequests.find((pr) => pr.state === "OPEN");
    return {
      environment: key.environment,
      service: key.service,
      file: key.file,
      kind: environment.kind,
      running,
      newestTag: newest === undefined ? null : { tag: newest.tag, version: newest.version, prerelease: newest.prerelease },
      state: rowState,
      pullRequest:
        open === undefined
          ? null
          : { number: open.number, url: open.url, proposes: open.record.kind === "record" ? promotedLabel(open.record.record) : null, createdAt: null, ageSeconds: null },
      lastOutcome: null,
      hold: hold === undefined ? null : { number: hold.number, url: hold.url, version: hold.version, through: hold.through ?? null },
    };
  });
}

/** The app's check run on a tagged commit, as the rows see it (read-sweep-state.ts readTagProbes). */
export interface TagCheckRun {
  status: string;
  conclusion: string | undefined;
  title: string | undefined;
}

/**
 * The last outcome of `tag` for `environment`, from the check run core/check-report.ts wrote:
 * "<tag> not promoted: <code>" (every environment), "<tag> not promoted to <env>, <env>: <code>"
 * (the code of the first failed environment), "<service> <tag>: PR #n (<env>)…", "<tag>: nothing to do".
 */
export function outcomeOf(tag: string, environment: string, run: TagCheckRun | undefined): StatusRow["lastOutcome"] {
  if (run === undefined) return null;
  const title = run.title ?? null;
  let code: string | null = null;
  const match = /^\S+ not promoted(?: to (.+))?: ([a-z_]+)$/.exec(title ?? "");
  if (match !== null) {
    const environments = match[1]?.split(", ");
    if (environments === undefined || environments.includes(environment)) code = match[2]!;
  }
  return { tag, status: run.status.toLowerCase(), conclusion: run.conclusion ?? null, code, title };
}

/** Whole seconds from `createdAt` to `now`; null when GitHub gave no date. */
export function ageSeconds(createdAt: string | null, now: number): number | null {
  if (createdAt === null) return null;
  const then = Date.parse(createdAt);
  return Number.isNaN(then) ? null : Math.max(0, Math.floor((now - then) / 1000));
}
