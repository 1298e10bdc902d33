import type { EnvironmentConfig, ServiceConfig } from "../config/config.schema.js";
import { PromoterError } from "../errors.js";
import { editPin, readPin, verifyPin } from "../editors/editors.js";
import { describeTarget, type PinChange, targetOf, type TargetSpec, valueFor } from "../editors/target-editor.js";
import type { ReleaseTag } from "./parse-tag.js";
import { decideVersion } from "./version-policy.js";
import { branchName, type CommandRequest, pullRequestText, type VerifiedProvenance } from "./pull-request-text.js";

export interface EnvironmentPlanInput {
  serviceName: string;
  service: ServiceConfig;
  release: ReleaseTag;
  environmentName: string;
  environment: EnvironmentConfig;
  /** sha256:<hex>, already validated by the registry client. */
  digest: string;
  /** The environment's file on the infra default branch; undefined when it does not exist. */
  baseText: string | undefined;
  /** The same file on the promotion branch of an open PR, when there is one. */
  openPullRequest?: { number: number; url: string; text: string | undefined } | undefined;
  source: {
    repository: string;
    /** Web URL of the source repository, e.g. https://github.com/acme/core-api */
    url: string;
    commit: string;
    pusher?: string | undefined;
  };
  /** The verified build provenance, when the environment requires it (pipelines/check-provenance.ts). */
  provenance?: VerifiedProvenance | undefined;
  /**
   * A person asked for this version by comment (`/release-promoter promote …`): a version below
   * what runs is then planned as a rollback instead of refused, and it supersedes an open PR of a
   * newer one.
   */
  request?: CommandRequest | undefined;
}

export type EnvironmentPlan =
  | {
      outcome: "change";
      environmentName: string;
      file: string;
      branch: string;
      content: string;
      title: string;
      body: string;
      commitMessage: string;
      previousVersion: string | undefined;
      supersededVersion: string | undefined;
      /** Set when the plan rolls back (a downgrade a person asked for). */
      rollback: { from: string | undefined } | undefined;
    }
  | { outcome: "noop"; environmentName: string; file: string; branch: string; reason: string; pullRequest?: { number: number; url: string } }
  | { outcome: "refused"; environmentName: string; file: string; branch: string; code: string; reason: string };

/**
 * Plans one environment's change: pure, no I/O. The result is either the whole new file text
 * with the PR text, a no-op with its reason, or a refusal with its reason. The file kind's
 * editor (editors/) reads and edits; its re-parse proof (async) runs after this: see
 * planVerifiedEnvironment.
 */
export function planEnvironment(input: EnvironmentPlanInput): EnvironmentPlan {
  const { release, serviceName, service, environmentName, environment } = input;
  const file = environment.file;
  const branch = branchName(environmentName, serviceName);
  const prefix = release.prefix;
  const refuse = (error: unknown): EnvironmentPlan => {
    if (error instanceof PromoterError) {
      return { outcome: "refused", environmentName, file, branch, code: error.code, reason: error.message };
    }
    throw error;
  };

  let target: TargetSpec;
  try {
    target = targetOf(serviceName, service, environment.kind);
  } catch (error) {
    return refuse(error);
  }
  const value = valueFor(target, service.image, input.digest);
  const location = describeTarget(target);
  if (input.baseText === undefined) {
    return refuse(
      new PromoterError(
        "file_missing",
        `${file} does not exist on the infra default branch; create it with ${target.kind === "tfvars" ? `a ${location} assignment` : location}.`,
      ),
    );
  }
  try {
    // The marker is exactly this service's (or the read refused): undefined only for a line without a comment.
    const current = readPin(input.baseText, target, { file, markerPrefix: prefix });
    const currentVersion = current.version;
    if (current.value === value) {
      return {
        outcome: "noop",
        environmentName,
        file,
        branch,
        reason: `${file} already runs ${serviceName} at ${input.digest}${currentVersion ? ` (v${currentVersion})` : ""}.`,
      };
    }
    if (current.commit !== undefined) {
      throw new PromoterError(
        "version_unknown",
        `${environmentName} runs ${serviceName} at ${current.marker}, a commit of the default branch, not a release: the app cannot tell whether v${release.version} is newer. ` +
          `Replace the marker in ${file} with the release tag that runs (# ${prefix}-vX.Y.Z), or remove it to promote over an unknown version.`,
      );
    }
    // "unknown" (no marker at all) plans the change; the reviewer sees the old value in the diff.
    const decision = decideVersion(currentVersion, release.version);
    if (decision === "unreadable") throw unreadableMarker(file, location, current.marker);
    const rollback = decision === "downgrade" && input.request !== undefined ? { from: currentVersion } : undefined;
    if (decision === "downgrade" && rollback === undefined) {
      throw new PromoterError(
        "version_downgrade",
        `${environmentName} runs ${serviceName} v${currentVersion}, newer than v${release.version}; ` +
          `the app does not roll back. To roll back, edit ${file} by hand in a reviewed PR.`,
      );
    }
    if (decision === "same") {
      throw new PromoterError(
        "version_reused",
        `${environmentName} already runs ${serviceName} v${currentVersion} with another digest; ` +
          `a version is promoted once. Push a new version tag instead of moving ${release.tag}.`,
      );
    }

    let supersededVersion: string | undefined;
    const open = input.openPullRequest;
    if (open?.text !== undefined) {
      const proposed = readPin(open.text, target, { file: `${file} on ${branch} (PR #${open.number})`, markerPrefix: prefix });
      const proposedVersion = proposed.version;
      if (proposed.value === value && proposedVersion === release.version) {
        return {
          outcome: "noop",
          environmentName,
          file,
          branch,
          reason: `PR #${open.number} already proposes ${serviceName} v${release.version}.`,
          pullRequest: { number: open.number, url: open.url },
        };
      }
      const againstOpen = decideVersion(proposedVersion, release.version);
      if (againstOpen === "unreadable") throw unreadableMarker(`${file} on ${branch}`, location, proposed.marker);
      if (againstOpen === "downgrade" && input.request === undefined) {
        throw new PromoterError(
          "version_downgrade",
          `PR #${open.number} already proposes ${serviceName} v${proposedVersion}, newer than v${release.version}; left as it is.`,
        );
      }
      if (proposedVersion !== undefined && proposedVersion !== currentVersion) supersededVersion = proposedVersion;
    }

    const edit = editPin(input.baseText, target, { value, marker: release.tag }, { file, markerPrefix: prefix });
    const text = pullRequestText({
      serviceName,
      service,
      target,
      release,
      environmentName,
      file,
      digest: input.digest,
      previousVersion: currentVersion,
      supersededVersion,
      source: input.source,
      provenance: input.provenance,
      request: input.request,
      rollback,
    });
    return {
      outcome: "change",
      environmentName,
      file,
      branch,
      content: edit.text,
      ...text,
      previousVersion: currentVersion,
      supersededVersion,
      rollback,
    };
  } catch (error) {
    return refuse(error);
  }
}

/** Unreachable while the editor parses markers strictly; kept so a looser editor fails closed. */
function unreadableMarker(file: string, variable: string, marker: string | undefined): PromoterError {
  return new PromoterError("trailing_comment", `${file} marks ${variable} with ${marker}, which is not a strict release version; fix the marker.`);
}

/**
 * planEnvironment, then the proof: the new text is re-parsed with the kind's real parser (HCL,
 * YAML, JSON) and compared with the old; if anything but the one value changed, the plan
 * becomes a refusal.
 */
export async function planVerifiedEnvironment(input: EnvironmentPlanInput): Promise<EnvironmentPlan> {
  const plan = planEnvironment(input);
  const target = plan.outcome === "change" ? targetOf(input.serviceName, input.service, input.environment.kind) : undefined;
  return target === undefined ? plan : provePlan(plan, input.baseText, target, { value: valueFor(target, input.service.image, input.digest), marker: input.release.tag }, input.release.prefix);
}

/** A change plan once the kind's real parser has checked it (verifyPin), or the refusal the check gives. */
export async function provePlan(plan: EnvironmentPlan, baseText: string | undefined, target: TargetSpec, change: PinChange, markerPrefix: string): Promise<EnvironmentPlan> {
  if (plan.outcome !== "change") return plan;
  try {
    await verifyPin(baseText ?? "", plan.content, target, change, { file: plan.file, markerPrefix });
    return plan;
  } catch (error) {
    if (!(error instanceof PromoterError)) throw error;
    return { outcome: "refused", environmentName: plan.environmentName, file: plan.file, branch: plan.branch, code: error.code, reason: error.message };
  }
}
