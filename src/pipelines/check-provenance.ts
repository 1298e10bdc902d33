/**
 * The provenance gate of a promotion: for a service with `provenance` promoted to an environment
 * with `requireProvenance`, once per promotion (whatever the number of such environments), before
 * planning. One extra GitHub request (the attestations list); verification is offline
 * (provenance/verify-provenance.ts, against provenance/trusted-roots.ts).
 *
 * A refusal (`provenance_missing`, `provenance_invalid`, `provenance_unavailable`) is returned,
 * not thrown: the environments that require provenance are refused with it, the others go on.
 * A GitHub failure that retrying can fix (5xx, a rate limit) is thrown, as any read's.
 *
 * Sigstore's libraries (4 MiB resident imported alone; the app's start-up resident size fell by
 * about 10 MiB without them) are loaded on the first verification, not at start:
 * an installation whose environments require no provenance never loads them.
 */
import type { ServiceConfig } from "../config/config.schema.js";
import { isPromoterError, type PromoterError } from "../errors.js";
import type { Octokit } from "../github/octokit.js";
import { splitRepository } from "../github/octokit.js";
import { readAttestations } from "../github/read-attestations.js";
import { trustedRoots } from "../provenance/trusted-roots.js";

export type ProvenanceCheck =
  | { ok: true; signer: string; workflowRun: string | undefined; attestations: string }
  | { ok: false; error: PromoterError };

export async function checkProvenance(
  octokit: Octokit,
  args: { service: ServiceConfig; sourceRepository: string; defaultBranch: string; commit: string; digest: string; env: Record<string, string | undefined> },
): Promise<ProvenanceCheck> {
  const provenance = args.service.provenance;
  if (provenance === undefined) throw new Error("unreachable: the config requires provenance settings where an environment requires provenance");
  const refused = (error: unknown): ProvenanceCheck => {
    if (isPromoterError(error) && error.code.startsWith("provenance_")) return { ok: false, error };
    throw error;
  };
  let roots: unknown[];
  let attestations: Awaited<ReturnType<typeof readAttestations>>;
  try {
    roots = trustedRoots(args.env);
    const apiBase = String((octokit.request.endpoint.DEFAULTS as { baseUrl?: string }).baseUrl ?? "https://api.github.com");
    attestations = await readAttestations(octokit, splitRepository(args.sourceRepository), args.digest, apiBase);
  } catch (error) {
    return refused(error);
  }
  const { verifyProvenance } = await import("../provenance/verify-provenance.js");
  try {
    const { accepted } = verifyProvenance({
      bundles: attestations.bundles,
      subjectDigest: args.digest,
      policy: {
        signerWorkflow: provenance.signerWorkflow,
        sourceRepository: args.sourceRepository,
        defaultBranch: args.defaultBranch,
        sourceCommit: args.commit,
        allowSelfHostedRunners: provenance.allowSelfHostedRunners,
        oidcIssuer: provenance.oidcIssuer,
      },
      trustedRoots: roots,
    });
    return { ok: true, signer: accepted.signer, workflowRun: accepted.workflowRun, attestations: attestations.url };
  } catch (error) {
    return refused(error);
  }
}
