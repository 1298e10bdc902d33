import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { publicGoodRootFromSeed } from "../../scripts/write-trusted-roots.js";
import { trustedRoots } from "../../src/provenance/trusted-roots.js";
import { verifyProvenance } from "../../src/provenance/verify-provenance.js";
import { refusalOf as refusal } from "../helpers/refusal.js";
import { reusableWorkflowAttestation } from "./real-attestations.js";
import { makeThrowawaySigstore } from "./throwaway-sigstore.js";

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
    const accepted = verifyProvenance(reusableWorkflowAttestation(trustedRoots({})));
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
