import type { ServiceConfig } from "../config/config.schema.js";
import { describeTarget, type TargetSpec, valueFor } from "../editors/target-editor.js";
import { code, escapeMarkdown } from "./markdown.js";
import type { ReleaseTag } from "./parse-tag.js";
import { promotionRecordComment } from "./promotion-record.js";

/** One branch per (environment, service): the key of idempotency. Both parts are validated names. */
export function branchName(environmentName: string, serviceName: string): string {
  return `release-promoter/${environmentName}/${serviceName}`;
}

export interface PullRequestTextInput {
  serviceName: string;
  service: ServiceConfig;
  /** Where the pin lives in the file (its kind and location). */
  target: TargetSpec;
  release: ReleaseTag;
  environmentName: string;
  file: string;
  digest: string;
  previousVersion: string | undefined;
  supersededVersion: string | undefined;
  source: { repository: string; url: string; commit: string; pusher?: string | undefined };
  provenance?: VerifiedProvenance | undefined;
  /** Asked for by comment. */
  request?: CommandRequest | undefined;
  /** A rollback from this version (undefined: unknown). */
  rollback?: { from: string | undefined } | undefined;
}

export interface CommandRequest {
  /** Who asked (GitHub login, write permission on infra checked). */
  by: string;
  /** The infra issue or PR where they asked. */
  issue: number;
}

export interface VerifiedProvenance {
  /** The certificate's signer: the workflow and ref that built and attested the digest. */
  signer: string;
  /** The workflow run that built it (the certificate's Run Invocation URI). */
  workflowRun: string | undefined;
  /** Where the attestations of the digest are listed. */
  attestations: string;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
/** A person's login (no `[bot]`), as the promotion record stores who asked. */
const PERSON = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export function pullRequestText(input: PullRequestTextInput): { title: string; body: string; commitMessage: string } {
  const { serviceName, service, release, environmentName, file, digest, source, target } = input;
  const location = describeTarget(target);
  const parser = target.kind === "tfvars" ? "an HCL parser" : target.kind === "tfvars-json" ? "a JSON parser" : "a YAML parser";
  const prefix = release.prefix;
  const title = input.rollback !== undefined ? `Roll back ${serviceName} to v${release.version} in ${environmentName}` : `Promote ${serviceName} v${release.version} to ${environmentName}`;
  const previous = input.previousVersion === undefined ? "unknown" : `v${input.previousVersion}`;
  const sourceUrl = source.url.replace(/\/+$/, "");
  const compare =
    input.previousVersion === undefined
      ? "no previous release marker in the file"
      : `[${prefix}-v${input.previousVersion}...${release.tag}](${sourceUrl}/compare/${encodeURIComponent(`${prefix}-v${input.previousVersion}`)}...${encodeURIComponent(release.tag)})`;
  const pusher =
    source.pusher === undefined ? "unknown" : LOGIN.test(source.pusher) ? `@${source.pusher}` : escapeMarkdown(source.pusher);

  // Logins come from GitHub's payload; anything else is escaped (and kept out of the record).
  const person = input.request !== undefined && PERSON.test(input.request.by) ? input.request.by : undefined;
  const asked = input.request === undefined ? "" : ` ${person === undefined ? escapeMarkdown(input.request.by) : `@${person}`} asked for it in #${input.request.issue}.`;
  const lines = [
    input.rollback !== undefined
      ? `Rolls **${serviceName}** back from ${input.rollback.from === undefined ? "an unknown version" : `v${input.rollback.from}`} to **v${release.version}** in **${environmentName}** by changing ${code(location)} in ${code(file)}.${asked}`
      : `Promotes **${serviceName}** to **v${release.version}** in **${environmentName}** by changing ${code(location)} in ${code(file)}.${asked}`,
    "",
    "| | |",
    "|---|---|",
    `| Service | ${code(serviceName)} from ${code(source.repository)} |`,
    `| Version | ${previous} → v${release.version} |`,
    `| Image | ${code(service.image)} |`,
    `| Digest | ${code(digest)} |`,
    `| Source commit | [${code(source.commit.slice(0, 12))}](${sourceUrl}/commit/${source.commit}) on the default branch |`,
    `| Changes | ${compare} |`,
    `| Tag pushed by | ${pusher} |`,
  ];
  if (input.provenance !== undefined) {
    const { signer, workflowRun, attestations } = input.provenance;
    lines.push(
      `| Build provenance | verified: [attestation](${attestations}) signed by ${code(signer)}${workflowRun === undefined ? "" : `, built by [this workflow run](${workflowRun})`} |`,
    );
  }
  if (input.rollback !== undefined) {
    const held = input.rollback.from === undefined ? "any version" : `v${input.rollback.from} or below`;
    lines.push(
      "",
      `**Once merged, this is a hold:** release-promoter will not propose ${serviceName} ${held} for ${environmentName} again (no tag push, sweep or Re-run does). ` +
        `A release newer than ${input.rollback.from === undefined ? "what was rolled back" : `v${input.rollback.from}`} is promoted as usual; \`/release-promoter release ${serviceName} in ${environmentName}\` lifts the hold.`,
    );
  }
  if (input.supersededVersion !== undefined) {
    lines.push("", `This PR was updated: v${release.version} supersedes v${input.supersededVersion}, which it proposed before.`);
  }
  lines.push(
    "",
    `The digest is the one the registry returned for the image CI built from the tagged commit; nothing was rebuilt. ` +
      `${target.kind === "tfvars-json" && target.versionVariable !== undefined ? `Only ${code(location)} and ${code(target.versionVariable)}` : "Only this one line"} of ${code(file)} changed: the app re-parsed the file with ${parser} to check it.`,
  );
  // The machine-readable record the reconciler reads back (src/core/promotion-record.ts).
  lines.push(
    "",
    promotionRecordComment({
      environment: environmentName,
      service: serviceName,
      repository: source.repository,
      tag: release.tag,
      commit: source.commit,
      digest,
      ...(source.pusher !== undefined && LOGIN.test(source.pusher) ? { pusher: source.pusher } : {}),
      ...(input.request === undefined || person === undefined ? {} : { requestedBy: { login: person, issue: input.request.issue } }),
      ...(input.rollback === undefined ? {} : { rollback: input.rollback.from === undefined ? {} : { from: input.rollback.from } }),
    }),
  );
  const commitMessage = `${title}\n\n${location} = ${valueFor(target, service.image, digest)}\nSource: ${source.repository}@${source.commit} (${release.tag})`;
  return { title, body: lines.join("\n"), commitMessage };
}
