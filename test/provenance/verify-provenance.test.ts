import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PromoterError } from "../../src/errors.js";
import { verifyProvenance, type ProvenancePolicy, type VerifyProvenanceInput } from "../../src/provenance/verify-provenance.js";
import {
  DEFAULT_IDENTITY,
  DEFAULT_SUBJECT,
  makeCa,
  makeLog,
  makeThrowawaySigstore,
  makeTsa,
  tsaOnlyRootFor,
} from "./throwaway-sigstore.js";

/** Runs verifyProvenance expecting a refusal; returns it. */
function refusal(input: VerifyProvenanceInput): PromoterError {
  try {
    verifyProvenance(input);
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error("expected verifyProvenance to refuse");
}

// ---------------------------------------------------------------------------------------------
// A. Real bundles made by GitHub Actions against public-good Sigstore (../shared/fixtures).
// The expected identities below were read off the certificates by hand (openssl x509 -text) and
// are written as literals, so the test does not grade itself.
// ---------------------------------------------------------------------------------------------

const FIXTURES = new URL("../../../shared/fixtures/attestations/", import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8"));

const PUBLIC_GOOD_ROOT = fixture("trusted_root.json");
const CUSTOM_ISSUER = fixture("custom-issuer.sigstore.json");
const REUSABLE = fixture("reusable-workflow-attestation.sigstore.json");
const INVALID_SIGNATURE = fixture("sigstoreBundle-invalid-signature.json");

// custom-issuer.sigstore.json: SAN …/integration.yml@refs/heads/main, issuer (1.8) with the
// enterprise slug /hammer-time, integrated 2024-09-11T19:19:03Z.
const CUSTOM_ISSUER_DIGEST = "sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d";
const CUSTOM_ISSUER_POLICY: ProvenancePolicy = {
  signerWorkflow: "too-legit/attest/.github/workflows/integration.yml",
  sourceRepository: "too-legit/attest",
  defaultBranch: "main",
  sourceCommit: "283bf967fa3c591925dd25e6a6e8e781542117bf",
  allowSelfHostedRunners: false,
  oidcIssuer: "https://token.actions.githubusercontent.com/hammer-time",
};

// reusable-workflow-attestation.sigstore.json: signed by the reusable workflow
// github/artifact-attestations-workflows/…/attest.yml@09b495c3…, called from
// malancas/attest-demo's shared.yml on main.
const REUSABLE_DIGEST = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
const REUSABLE_POLICY: ProvenancePolicy = {
  signerWorkflow: "github/artifact-attestations-workflows/.github/workflows/attest.yml",
  sourceRepository: "malancas/attest-demo",
  defaultBranch: "main",
  sourceCommit: "95baf27389e83e6a5c48f42e190d48d7abcea19e",
  allowSelfHostedRunners: false,
};

const real = (bundles: unknown[], subjectDigest: string, policy: ProvenancePolicy, trustedRoots = [PUBLIC_GOOD_ROOT]) => ({
  bundles,
  subjectDigest,
  policy,
  trustedRoots,
});

describe("real public-good bundles", () => {
  it("accepts the custom-issuer bundle when the policy names its issuer, with the run URL from 1.21", () => {
    expect(verifyProvenance(real([CUSTOM_ISSUER], CUSTOM_ISSUER_DIGEST, CUSTOM_ISSUER_POLICY))).toEqual({
      accepted: {
        bundleIndex: 0,
        signer: "https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/main",
        signerRef: "refs/heads/main",
        workflowRun: "https://github.com/too-legit/attest/actions/runs/10818226125/attempts/1",
      },
    });
  });

  it("refuses the custom-issuer bundle under the default issuer: its 1.8 issuer has an enterprise slug", () => {
    const { oidcIssuer: _, ...defaultIssuer } = CUSTOM_ISSUER_POLICY;
    const error = refusal(real([CUSTOM_ISSUER], CUSTOM_ISSUER_DIGEST, defaultIssuer));
    expect(error.code).toBe("provenance_invalid");
    expect(error.message).toContain(
      "OIDC issuer is https://token.actions.githubusercontent.com/hammer-time, not https://token.actions.githubusercontent.com",
    );
  });

  it("accepts the reusable-workflow bundle: SAN names the shared workflow at its pinned SHA, the caller's repo is in the extensions", () => {
    expect(verifyProvenance(real([REUSABLE], REUSABLE_DIGEST, REUSABLE_POLICY))).toEqual({
      accepted: {
        bundleIndex: 0,
        signer:
          "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d",
        signerRef: "09b495c3f12c7881b3cc17209a327792065c1a1d",
        workflowRun: "https://github.com/malancas/attest-demo/actions/runs/9228858953/attempts/1",
      },
    });
  });

  it("compares repository names case-insensitively", () => {
    const policy = {
      ...REUSABLE_POLICY,
      sourceRepository: "Malancas/Attest-Demo",
      signerWorkflow: "GitHub/Artifact-Attestations-Workflows/.github/workflows/attest.yml",
    };
    expect(verifyProvenance(real([REUSABLE], REUSABLE_DIGEST, policy)).accepted.bundleIndex).toBe(0);
  });

  it("verifies offline at any `now` after the log's integrated time: certificate validity is judged at that time, not now", () => {
    const input = real([REUSABLE], REUSABLE_DIGEST, REUSABLE_POLICY);
    expect(verifyProvenance({ ...input, now: new Date("2030-01-01T00:00:00Z") }).accepted.bundleIndex).toBe(0);
    // Before the integrated time (2024-05-24T19:14:24Z) the evidence lies in the future.
    const error = refusal({ ...input, now: new Date("2024-05-24T18:00:00Z") });
    expect(error.message).toContain("no valid time evidence: it claims 2024-05-24T19:14:24.000Z, after now");
  });

  it.each([
    [
      "source repository",
      { sourceRepository: "malancas/other-demo" },
      "source repository is https://github.com/malancas/attest-demo, not https://github.com/malancas/other-demo",
    ],
    ["source ref", { defaultBranch: "release" }, "source ref is refs/heads/main, not the default branch refs/heads/release"],
    [
      "source commit",
      { sourceCommit: "95baf27389e83e6a5c48f42e190d48d7abcea19f" },
      "source digest is 95baf27389e83e6a5c48f42e190d48d7abcea19e, not the tagged commit 95baf27389e83e6a5c48f42e190d48d7abcea19f",
    ],
    [
      "signer workflow",
      { signerWorkflow: "github/artifact-attestations-workflows/.github/workflows/other.yml" },
      "signer workflow is https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d, not https://github.com/github/artifact-attestations-workflows/.github/workflows/other.yml@<any ref>",
    ],
    [
      "signer workflow (the caller's own workflow is not the signer)",
      { signerWorkflow: "malancas/attest-demo/.github/workflows/shared.yml" },
      "signer workflow is https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d, not https://github.com/malancas/attest-demo/.github/workflows/shared.yml@refs/heads/main",
    ],
  ])("refuses the reusable-workflow bundle with the %s changed", (_, change, reason) => {
    const error = refusal(real([REUSABLE], REUSABLE_DIGEST, { ...REUSABLE_POLICY, ...change }));
    expect(error.code).toBe("provenance_invalid");
    expect(error.message).toContain(reason);
  });

  it.each([
    [
      "signer workflow",
      { signerWorkflow: "too-legit/attest/.github/workflows/release.yml" },
      "signer workflow is https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/main, not https://github.com/too-legit/attest/.github/workflows/release.yml@refs/heads/main",
    ],
    [
      // Same-repository signer: the SAN's ref must be the default branch.
      "default branch",
      { defaultBranch: "trunk" },
      "signer workflow is https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/main, not https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/trunk",
    ],
    [
      "source commit",
      { sourceCommit: "0000000000000000000000000000000000000000" },
      "source digest is 283bf967fa3c591925dd25e6a6e8e781542117bf, not the tagged commit 0000000000000000000000000000000000000000",
    ],
  ])("refuses the custom-issuer bundle with the %s changed", (_, change, reason) => {
    const error = refusal(real([CUSTOM_ISSUER], CUSTOM_ISSUER_DIGEST, { ...CUSTOM_ISSUER_POLICY, ...change }));
    expect(error.message).toContain(reason);
  });

  it("runner: both real bundles ran on github-hosted runners, accepted whether or not self-hosted ones are allowed", () => {
    // (A self-hosted refusal needs a self-hosted certificate: see the throwaway tests below.)
    for (const allowSelfHostedRunners of [false, true]) {
      expect(verifyProvenance(real([REUSABLE], REUSABLE_DIGEST, { ...REUSABLE_POLICY, allowSelfHostedRunners })).accepted.bundleIndex).toBe(0);
    }
  });

  it("refuses the invalid-signature bundle: signature does not verify", () => {
    const error = refusal(real([INVALID_SIGNATURE], REUSABLE_DIGEST, REUSABLE_POLICY));
    expect(error.code).toBe("provenance_invalid");
    expect(error.message).toContain("signature does not verify");
  });

  it("refuses a real bundle against an empty trusted root: certificate not issued by a trusted CA", () => {
    const empty = { mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1" };
    const error = refusal(real([REUSABLE], REUSABLE_DIGEST, REUSABLE_POLICY, [empty]));
    expect(error.code).toBe("provenance_invalid");
    expect(error.message).toContain("certificate not issued by a trusted CA");
  });

  it("refuses a real bundle against an unrelated (throwaway) trusted root: certificate not issued by a trusted CA", () => {
    const unrelated = makeThrowawaySigstore().trustedRoot();
    const error = refusal(real([REUSABLE], REUSABLE_DIGEST, REUSABLE_POLICY, [unrelated]));
    expect(error.message).toContain("certificate not issued by a trusted CA");
  });

  it("accepts with several roots when one of them is the right one", () => {
    const roots = [makeThrowawaySigstore().trustedRoot(), PUBLIC_GOOD_ROOT];
    expect(verifyProvenance(real([REUSABLE], REUSABLE_DIGEST, REUSABLE_POLICY, roots)).accepted.bundleIndex).toBe(0);
  });

  it("refuses a digest the statement does not name as a subject", () => {
    const error = refusal(real([REUSABLE], CUSTOM_ISSUER_DIGEST, REUSABLE_POLICY));
    expect(error.message).toContain(
      "the statement's subjects do not include sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d",
    );
  });

  it("picks the acceptable bundle among several and reports its index", () => {
    const result = verifyProvenance(real([INVALID_SIGNATURE, CUSTOM_ISSUER, REUSABLE], REUSABLE_DIGEST, REUSABLE_POLICY));
    expect(result.accepted.bundleIndex).toBe(2);
  });

  it("when all fail, reports the closest bundle (an identity mismatch beats a bad signature)", () => {
    const policy = { ...REUSABLE_POLICY, sourceCommit: "1".repeat(40) };
    const error = refusal(real([INVALID_SIGNATURE, REUSABLE], REUSABLE_DIGEST, policy));
    expect(error.message).toContain("none of its 2 attestations is acceptable; the closest (#2)");
    expect(error.message).toContain(`source digest is 95baf27389e83e6a5c48f42e190d48d7abcea19e, not the tagged commit ${"1".repeat(40)}`);
  });

  it("no attestation at all: provenance_missing", () => {
    expect(refusal(real([], REUSABLE_DIGEST, REUSABLE_POLICY)).code).toBe("provenance_missing");
  });

  it("an attestation without a bundle object (null) or not a bundle is provenance_invalid", () => {
    expect(refusal(real([null], REUSABLE_DIGEST, REUSABLE_POLICY)).message).toContain("has no bundle object");
    expect(refusal(real([{ mediaType: "nope" }], REUSABLE_DIGEST, REUSABLE_POLICY)).message).toContain("not a valid Sigstore bundle");
  });
});

// ---------------------------------------------------------------------------------------------
// B. A throwaway Sigstore (CA, leaf with Fulcio extensions, DSSE, log entry with SET and
// inclusion proof) built by the tests: every identity field can be varied.
// ---------------------------------------------------------------------------------------------

const sigstore = makeThrowawaySigstore();
const SUBJECT = `sha256:${DEFAULT_SUBJECT}`;
const POLICY: ProvenancePolicy = {
  signerWorkflow: "acme/core-api/.github/workflows/build.yml",
  sourceRepository: "acme/core-api",
  defaultBranch: "main",
  sourceCommit: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
  allowSelfHostedRunners: false,
};

const throwaway = (bundle: unknown, policy: Partial<ProvenancePolicy> = {}, trustedRoots = [sigstore.trustedRoot()]) => ({
  bundles: [bundle],
  subjectDigest: SUBJECT,
  policy: { ...POLICY, ...policy },
  trustedRoots,
});

const refusedWith = (bundle: unknown, policy: Partial<ProvenancePolicy> = {}, trustedRoots?: unknown[]) => {
  const error = refusal(throwaway(bundle, policy, trustedRoots));
  expect(error.code).toBe("provenance_invalid");
  return error.message;
};

describe("throwaway Sigstore bundles", () => {
  it("accepts a valid bundle", () => {
    expect(verifyProvenance(throwaway(sigstore.bundle()))).toEqual({
      accepted: {
        bundleIndex: 0,
        signer: "https://github.com/acme/core-api/.github/workflows/build.yml@refs/heads/main",
        signerRef: "refs/heads/main",
        workflowRun: "https://github.com/acme/core-api/actions/runs/4242/attempts/1",
      },
    });
  });

  it.each([
    [
      "source repository",
      { sourceRepositoryUri: "https://github.com/acme/core-api-fork" },
      "source repository is https://github.com/acme/core-api-fork, not https://github.com/acme/core-api",
    ],
    ["source ref", { sourceRepositoryRef: "refs/heads/feature" }, "source ref is refs/heads/feature, not the default branch refs/heads/main"],
    ["source ref (a tag)", { sourceRepositoryRef: "refs/tags/v1.0.0" }, "source ref is refs/tags/v1.0.0, not the default branch refs/heads/main"],
    [
      "source digest",
      { sourceRepositoryDigest: "deadbeef".repeat(5) },
      `source digest is ${"deadbeef".repeat(5)}, not the tagged commit c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00`,
    ],
    [
      "signer workflow",
      { san: "https://github.com/acme/core-api/.github/workflows/other.yml@refs/heads/main" },
      "signer workflow is https://github.com/acme/core-api/.github/workflows/other.yml@refs/heads/main, not https://github.com/acme/core-api/.github/workflows/build.yml@refs/heads/main",
    ],
    [
      "signer workflow ref (same repository, not the default branch)",
      { san: "https://github.com/acme/core-api/.github/workflows/build.yml@refs/heads/feature" },
      "signer workflow is https://github.com/acme/core-api/.github/workflows/build.yml@refs/heads/feature, not",
    ],
    [
      "signer workflow in another repository",
      { san: "https://github.com/evil/core-api/.github/workflows/build.yml@refs/heads/main" },
      "signer workflow is https://github.com/evil/core-api/.github/workflows/build.yml@refs/heads/main, not",
    ],
    ["runner", { runnerEnvironment: "self-hosted" }, "runner environment self-hosted (only github-hosted runners are allowed)"],
    ["runner (missing)", { runnerEnvironment: undefined }, "certificate does not name its runner environment"],
    ["issuer", { issuer: "https://accounts.google.com" }, "OIDC issuer is https://accounts.google.com, not https://token.actions.githubusercontent.com"],
    ["source repository (missing)", { sourceRepositoryUri: undefined }, "source repository is missing, not https://github.com/acme/core-api"],
  ])("refuses a wrong %s", (_, identity, reason) => {
    expect(refusedWith(sigstore.bundle({ identity }))).toContain(reason);
  });

  it("accepts a self-hosted runner only when the policy allows it", () => {
    const bundle = sigstore.bundle({ identity: { runnerEnvironment: "self-hosted" } });
    expect(verifyProvenance(throwaway(bundle, { allowSelfHostedRunners: true })).accepted.bundleIndex).toBe(0);
  });

  it("reads extensions from 1.8 on as DER UTF8Strings: a raw (unwrapped) value is refused, not compared", () => {
    const bundle = sigstore.bundle({
      identity: { sourceRepositoryUri: undefined, rawExtensions: { "1.3.6.1.4.1.57264.1.12": "https://github.com/acme/core-api" } },
    });
    expect(refusedWith(bundle)).toContain("certificate extension 1.3.6.1.4.1.57264.1.12 is not a DER UTF8String");
  });

  it.each([
    ["an IA5String", "\u0016\u001fhttps://github.com/acme/core-api"],
    ["a UTF8String with bytes after it", "\u000c\u001fhttps://github.com/acme/core-api\u0000"],
  ])("an identity extension encoded as %s is refused", (_, raw) => {
    const bundle = sigstore.bundle({ identity: { sourceRepositoryUri: undefined, rawExtensions: { "1.3.6.1.4.1.57264.1.12": raw } } });
    expect(refusedWith(bundle)).toContain("certificate extension 1.3.6.1.4.1.57264.1.12 is not a DER UTF8String");
  });

  it("a repeated identity extension is refused", () => {
    const bundle = sigstore.bundle({ identity: { rawExtensions: { "1.3.6.1.4.1.57264.1.13": "\u000c\u0028" + "c0ffee00".repeat(5) } } });
    expect(refusedWith(bundle)).toContain("certificate repeats extension 1.3.6.1.4.1.57264.1.13");
  });

  it("issuer: 1.8 (UTF8String) wins over the legacy raw 1.1; 1.1 alone is read raw", () => {
    const both = sigstore.bundle({ identity: { legacyIssuer: "https://evil.example" } });
    expect(verifyProvenance(throwaway(both)).accepted.bundleIndex).toBe(0);
    const legacyOnly = sigstore.bundle({ identity: { issuer: undefined, legacyIssuer: "https://token.actions.githubusercontent.com" } });
    expect(verifyProvenance(throwaway(legacyOnly)).accepted.bundleIndex).toBe(0);
    const legacyWrong = sigstore.bundle({ identity: { issuer: undefined, legacyIssuer: "https://evil.example" } });
    expect(refusedWith(legacyWrong)).toContain("OIDC issuer is https://evil.example, not");
  });

  it("a shared reusable workflow is accepted at whatever ref the caller pinned; the caller is bound by 1.12–1.14", () => {
    const shared = { signerWorkflow: "acme/shared/.github/workflows/build.yml" };
    for (const ref of ["refs/tags/v3", "refs/heads/main", "0123456789abcdef0123456789abcdef01234567"]) {
      const bundle = sigstore.bundle({ identity: { san: `https://github.com/acme/shared/.github/workflows/build.yml@${ref}` } });
      expect(verifyProvenance(throwaway(bundle, shared)).accepted.signerRef).toBe(ref);
    }
    // The same shared workflow, called from another repository, is not this service's build.
    const elsewhere = sigstore.bundle({
      identity: {
        san: "https://github.com/acme/shared/.github/workflows/build.yml@refs/tags/v3",
        sourceRepositoryUri: "https://github.com/acme/other-service",
      },
    });
    expect(refusedWith(elsewhere, shared)).toContain("source repository is https://github.com/acme/other-service, not");
    // A workflow path that merely starts like the configured one is not it.
    const lookalike = sigstore.bundle({ identity: { san: "https://github.com/acme/shared/.github/workflows/build.yml-evil@refs/tags/v3" } });
    expect(refusedWith(lookalike, shared)).toContain("signer workflow is");
  });

  it("refuses a wrong subject digest", () => {
    expect(refusedWith(sigstore.bundle({ subjects: ["ab".repeat(32)] }))).toContain(`the statement's subjects do not include ${SUBJECT}`);
  });

  it("refuses a statement that is not SLSA provenance v1, or a payload that is not in-toto", () => {
    expect(refusedWith(sigstore.bundle({ predicateType: "https://spdx.dev/Document" }))).toContain(
      'predicateType is "https://spdx.dev/Document", not https://slsa.dev/provenance/v1',
    );
    expect(refusedWith(sigstore.bundle({ payloadType: "text/plain" }))).toContain('the signed payload is "text/plain", not an in-toto statement');
  });

  it("refuses a certificate from an untrusted CA", () => {
    expect(refusedWith(sigstore.bundle({ issuingCa: makeCa("rogue-fulcio") }))).toContain("certificate not issued by a trusted CA");
  });

  it("refuses a tampered signature (caught by the log entry, or, when re-logged, by the signature check)", () => {
    expect(refusedWith(sigstore.bundle({ tamper: "signature" }))).toContain(
      "signature does not verify: it is not the signature the transparency log recorded",
    );
    expect(refusedWith(sigstore.bundle({ tamper: "relogged-signature" }))).toContain("signature does not verify with the certificate's key");
  });

  it("refuses a tampered payload (caught by the log entry, or, when re-logged, by the signature check)", () => {
    expect(refusedWith(sigstore.bundle({ tamper: "payload" }))).toContain("signature does not verify: the payload is not the one the transparency log recorded");
    expect(refusedWith(sigstore.bundle({ tamper: "relogged-payload" }))).toContain("signature does not verify with the certificate's key");
  });

  it("refuses an expired certificate: the log integrated the entry after the certificate's 10 minutes", () => {
    const integratedTime = Math.floor(Date.parse("2025-03-01T12:30:00Z") / 1000);
    expect(refusedWith(sigstore.bundle({ integratedTime }))).toContain("no valid time evidence: the certificate was not valid");
    // …and one not yet valid.
    const early = Math.floor(Date.parse("2025-03-01T11:59:00Z") / 1000);
    expect(refusedWith(sigstore.bundle({ integratedTime: early }))).toContain("no valid time evidence: the certificate was not valid");
  });

  it("refuses a bundle without a log entry: no time evidence", () => {
    expect(refusedWith(sigstore.bundle({ noLogEntry: true }))).toContain("no valid time evidence: no transparency-log entry");
  });

  it("refuses a log entry signed by an untrusted log", () => {
    expect(refusedWith(sigstore.bundle({ log: makeLog() }))).toContain("transparency-log entry does not verify against a trusted log");
  });

  it("a root listing CT logs requires an SCT in the certificate (the throwaway CA issues none)", () => {
    expect(refusedWith(sigstore.bundle(), {}, [sigstore.trustedRoot({ ctlog: true })])).toContain(
      "the certificate has no SCT from a trusted certificate transparency log",
    );
  });

  describe("RFC 3161 timestamps (openssl ts), time evidence per root", () => {
    const tsa = makeTsa();
    // openssl stamps the real time: a certificate valid around now.
    const notBefore = new Date(Date.now() - 60_000);

    it("a root like GitHub's private instance (CA + TSA, no logs) accepts a signed timestamp without a log entry", () => {
      const bundle = sigstore.bundle({ tsa, noLogEntry: true, notBefore });
      expect(verifyProvenance(throwaway(bundle, {}, [tsaOnlyRootFor(sigstore.ca, tsa)])).accepted.bundleIndex).toBe(0);
    });

    it("…and refuses a bundle with no timestamp, or a timestamp from another TSA", () => {
      const root = tsaOnlyRootFor(sigstore.ca, tsa);
      expect(refusedWith(sigstore.bundle({ noLogEntry: true, notBefore }), {}, [root])).toContain("no valid time evidence");
      expect(refusedWith(sigstore.bundle({ tsa: makeTsa(), noLogEntry: true, notBefore }), {}, [root])).toContain(
        "no valid time evidence: timestamp could not be verified (not signed by a trusted timestamp authority)",
      );
    });

    it("…and refuses a log entry, as no log is trusted", () => {
      const root = tsaOnlyRootFor(sigstore.ca, tsa);
      expect(refusedWith(sigstore.bundle({ tsa, notBefore }), {}, [root])).toContain("transparency-log entry does not verify against a trusted log");
    });

    it("a root listing a log still requires a log entry when the bundle has a valid signed timestamp", () => {
      const root = sigstore.trustedRoot({ tsa });
      expect(verifyProvenance(throwaway(sigstore.bundle({ tsa, notBefore }), {}, [root])).accepted.bundleIndex).toBe(0);
      expect(refusedWith(sigstore.bundle({ tsa, noLogEntry: true, notBefore }), {}, [root])).toContain(
        "no valid time evidence: no transparency-log entry, which the trusted root requires",
      );
    });
  });

  it("no attestation at all: provenance_missing, naming the signer workflow", () => {
    const error = refusal({ ...throwaway(sigstore.bundle()), bundles: [] });
    expect(error.code).toBe("provenance_missing");
    expect(error.message).toBe(
      `${SUBJECT} has no attestation; build it with acme/core-api/.github/workflows/build.yml and attest it (actions/attest-build-provenance) before promoting`,
    );
  });

  it("refuses a malformed policy as config_invalid", () => {
    const error = refusal(throwaway(sigstore.bundle(), { signerWorkflow: "acme/core-api", sourceCommit: "main" }));
    expect(error.code).toBe("config_invalid");
    expect(error.message).toContain('signerWorkflow "acme/core-api" is not owner/repo/.github/workflows/<file>.yml');
    expect(error.message).toContain('sourceCommit "main" is not a 40-hex commit');
  });

  it("sanity: the default throwaway identity is the policy's", () => {
    expect(DEFAULT_IDENTITY.sourceRepositoryDigest).toBe(POLICY.sourceCommit);
  });
});
