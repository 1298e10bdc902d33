import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { publicGoodRootFromSeed } from "../../scripts/write-trusted-roots.js";
import { trustedRoots } from "../../src/provenance/trusted-roots.js";
import { verifyProvenance } from "../../src/provenance/verify-provenance.js";
import { refusalOf as refusal } from "../helpers/refusal.js";
import { makeThrowawaySigstore } from "./throwaway-sigstore.js";

const FIXTURES = new URL("../../../shared/fixtures/attestations/", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "rp-roots-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("trusted roots", () => {
  it("the built-in root is the public-good root of the pinned @sigstore/tuf's TUF seed (npm run trusted-roots)", () => {
    expect(readFileSync(new URL("../../trust/sigstore-public-good.json", import.meta.url), "utf8")).toBe(publicGoodRootFromSeed());
    const [root, ...more] = trustedRoots({});
    expect(more).toHaveLength(0);
    expect(root).toMatchObject({ mediaType: expect.stringMatching(/^application\/vnd\.dev\.sigstore\.trustedroot\+json/), tlogs: expect.arrayContaining([expect.objectContaining({ baseUrl: "https://rekor.sigstore.dev" })]) });
  });

  it("a real attestation made by a GitHub workflow in 2024 verifies offline against the built-in root", () => {
    const bundle = JSON.parse(readFileSync(new URL("reusable-workflow-attestation.sigstore.json", FIXTURES), "utf8"));
    const accepted = verifyProvenance({
      bundles: [bundle],
      subjectDigest: "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25",
      policy: {
        signerWorkflow: "github/artifact-attestations-workflows/.github/workflows/attest.yml",
        sourceRepository: "malancas/attest-demo",
        defaultBranch: "main",
        sourceCommit: "95baf27389e83e6a5c48f42e190d48d7abcea19e",
        allowSelfHostedRunners: false,
      },
      trustedRoots: trustedRoots({}),
    });
    expect(accepted.accepted.signer).toMatch(/^https:\/\/github\.com\/github\/artifact-attestations-workflows\/\.github\/workflows\/attest\.yml@/);
  });

  it("PROVENANCE_TRUSTED_ROOTS replaces them: JSON files and JSON Lines (as gh attestation trusted-root prints)", () => {
    const a = makeThrowawaySigstore().trustedRoot();
    const b = makeThrowawaySigstore().trustedRoot();
    writeFileSync(join(dir, "one.json"), JSON.stringify(a, null, 2));
    writeFileSync(join(dir, "two.jsonl"), `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
    expect(trustedRoots({ PROVENANCE_TRUSTED_ROOTS: join(dir, "one.json") })).toEqual([a]);
    expect(trustedRoots({ PROVENANCE_TRUSTED_ROOTS: ` ${join(dir, "one.json")}, ${join(dir, "two.jsonl")}` })).toEqual([a, a, b]);
  });

  it("a root it cannot read is provenance_unavailable, never a smaller set", () => {
    writeFileSync(join(dir, "bad.jsonl"), `${JSON.stringify(makeThrowawaySigstore().trustedRoot())}\nnot json\n`);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ mediaType: "application/json" }));
    expect(refusal(() => trustedRoots({ PROVENANCE_TRUSTED_ROOTS: join(dir, "missing.json") }))).toMatchObject({ code: "provenance_unavailable", message: expect.stringMatching(/cannot read .*missing\.json \(ENOENT\)/) });
    expect(refusal(() => trustedRoots({ PROVENANCE_TRUSTED_ROOTS: join(dir, "bad.jsonl") }))).toMatchObject({ code: "provenance_unavailable", message: expect.stringMatching(/bad\.jsonl line 2 is not JSON/) });
    expect(refusal(() => trustedRoots({ PROVENANCE_TRUSTED_ROOTS: join(dir, "other.json") }))).toMatchObject({ code: "provenance_unavailable", message: expect.stringMatching(/is not a Sigstore trusted root/) });
  });
});
