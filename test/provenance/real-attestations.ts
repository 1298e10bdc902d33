/**
 * A real attestation from ../shared/fixtures/attestations (made by a GitHub workflow against
 * public-good Sigstore) and the policy it meets, read off its certificate by hand: shared by the
 * trusted-root test and the bench's verification timing.
 */
import { readFileSync } from "node:fs";
import type { VerifyProvenanceInput } from "../../src/provenance/verify-provenance.js";

const FIXTURES = new URL("../../../shared/fixtures/attestations/", import.meta.url);

/** reusable-workflow-attestation.sigstore.json: signed by GitHub's shared attest workflow, called from malancas/attest-demo on main. */
export function reusableWorkflowAttestation(trustedRoots: readonly unknown[]): VerifyProvenanceInput {
  return {
    bundles: [JSON.parse(readFileSync(new URL("reusable-workflow-attestation.sigstore.json", FIXTURES), "utf8")) as unknown],
    subjectDigest: "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25",
    policy: {
      signerWorkflow: "github/artifact-attestations-workflows/.github/workflows/attest.yml",
      sourceRepository: "malancas/attest-demo",
      defaultBranch: "main",
      sourceCommit: "95baf27389e83e6a5c48f42e190d48d7abcea19e",
      allowSelfHostedRunners: false,
    },
    trustedRoots,
  };
}
