/**
 * The added cost of build provenance on a promotion: one more GitHub request (the attestations
 * list; counted in test/integration/promote-through-stand-in.test.ts) and one verification,
 * measured here in process: a real public-good attestation made by a GitHub workflow
 * (../shared/fixtures/attestations) verified against the app's built-in trusted root, as
 * src/pipelines/check-provenance.ts does it (warm: the module and the root are loaded once per
 * process).
 */
import { trustedRoots } from "../src/provenance/trusted-roots.js";
import { verifyProvenance } from "../src/provenance/verify-provenance.js";
import { reusableWorkflowAttestation } from "../test/provenance/real-attestations.js";

export interface ProvenanceResult {
  runs: number;
  /** The first verification of the process (the trusted root parsed, code warmed up). */
  firstMs: number;
  medianMs: number;
  p95Ms: number;
}

export function measureProvenance(runs = 50): ProvenanceResult {
  const input = reusableWorkflowAttestation(trustedRoots({}));
  const verify = () => verifyProvenance(input);
  const time = () => {
    const start = performance.now();
    verify();
    return performance.now() - start;
  };
  const firstMs = time();
  const times = Array.from({ length: runs }, time).sort((a, b) => a - b);
  return { runs, firstMs, medianMs: times[Math.floor(runs / 2)]!, p95Ms: times[Math.ceil(runs * 0.95) - 1]! };
}
