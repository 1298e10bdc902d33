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

export function pullRequestText(input: PullRequestTextInput): { title: string; body: string; commitMessage: string } {
  const { serviceName, service, release, environmentName, file, digest, source, target } = input;
  const location = describeTarget(target);
  const parser = target.kind === "tfvars" ? "an HCL parser" : target.kind === "tfvars-json" ? "a JSON parser" : "a YAML parser";
  const prefix = release.prefix;
  const title = `Promote ${serviceName} v${release.version} to ${environmentName}`;
  const previous = input.previousVersion === undefined ? "unknown" : `v${input.previousVersion}`;
  const sourceUrl = source.url.replace(/\/+$/, "");
  const compare =
    input.previousVersion === undefined
      ? "no previous release marker in the file"
      : `[${prefix}-v${input.previousVersion}...${release.tag}](${sourceUrl}/compare/${encodeURIComponent(`${prefix}-v${input.previousVersion}`)}...${encodeURIComponent(release.tag)})`;
  const pusher =
    source.pusher === undefined ? "unknown" : LOGIN.test(source.pusher) ? `@${source.pusher}` : escapeMarkdown(source.pusher);

  const lines = [
    `Promotes **${serviceName}** to **v${release.version}** in **${environmentName}** by changing ${code(location)} in ${code(file)}.`,
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
    promotionRecordComment({ environment: environmentName, service: serviceName, repository: source.repository, tag: release.tag, commit: source.commit, digest, ...(source.pusher !== undefined && LOGIN.test(source.pusher) ? { pusher: source.pusher } : {}) }),
  );
  const commitMessage = `${title}\n\n${location} = ${valueFor(target, service.image, digest)}\nSource: ${source.repository}@${source.commit} (${release.tag})`;
  return { title, body: lines.join("\n"), commitMessage };
}
