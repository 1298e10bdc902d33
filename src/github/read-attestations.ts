/**
 * GitHub's artifact attestations of one digest: `GET /repos/{owner}/{repo}/attestations/{digest}`
 * (the app needs `attestations: read`), filtered to SLSA provenance, first page of 100 (one
 * valid bundle is enough; a partial list can only refuse, never accept wrongly).
 *
 * - 404: GitHub has no attestation of that digest in that repository → an empty list (the
 *   caller refuses `provenance_missing`);
 * - 403 that is not a rate limit: the repository's plan has no attestations, or the app lacks
 *   the permission → `provenance_unavailable`, saying both;
 * - anything else: the usual GitHub mapping (5xx and rate limits are retryable).
 *
 * Items whose bundle GitHub gives only as a `bundle_url` (no inline `bundle`) are not fetched
 * and count as absent.
 */
import { PromoterError } from "../errors.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";

export const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";

export interface Attestations {
  bundles: unknown[];
  /** Where a person sees them (the API URL; GitHub's list has no web link per item). */
  url: string;
}

export async function readAttestations(octokit: Octokit, repository: RepositoryName, digest: string, apiBase: string): Promise<Attestations> {
  const url = `${apiBase.replace(/\/+$/, "")}/repos/${repository.owner}/${repository.name}/attestations/${digest}`;
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/attestations/{subject_digest}", {
      owner: repository.owner,
      repo: repository.name,
      subject_digest: digest,
      predicate_type: SLSA_PROVENANCE_V1,
      per_page: 100,
    });
    const items = (response.data as { attestations?: Array<{ bundle?: unknown }> }).attestations ?? [];
    return { bundles: items.flatMap((item) => (item.bundle === undefined || item.bundle === null ? [] : [item.bundle])), url };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) return { bundles: [], url };
    const mapped = mapGitHubError(error, `listing the attestations of ${digest} in ${repository.owner}/${repository.name}`);
    if (status === 403 && mapped.code === "github_forbidden") {
      throw new PromoterError(
        "provenance_unavailable",
        `GitHub does not serve the attestations of ${repository.owner}/${repository.name} to the app (${mapped.message.split(": ").slice(1).join(": ").split(". Check")[0]}). ` +
          "Artifact attestations need a public repository or GitHub Enterprise Cloud, and the app needs the attestations: read permission (accept it in the installation's settings).",
        { cause: error },
      );
    }
    throw mapped;
  }
}
