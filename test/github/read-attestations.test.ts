import { describe, expect, it } from "vitest";
import { asyncRefusalOf as refusal } from "../helpers/refusal.js";
import type { Octokit } from "../../src/github/octokit.js";
import { readAttestations, SLSA_PROVENANCE_V1 } from "../../src/github/read-attestations.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const repository = { owner: "acme", name: "core-api" };

/** An Octokit whose one request answers `answer` (or throws it, as Octokit's RequestError). */
function octokitAnswering(answer: { status: number; data?: unknown; message?: string }, seen: unknown[] = []): Octokit {
  return {
    request: async (route: string, parameters: unknown) => {
      seen.push({ route, parameters });
      if (answer.status >= 400) throw Object.assign(new Error(answer.message ?? "failed"), { name: "HttpError", status: answer.status, response: { headers: {} } });
      return { status: answer.status, data: answer.data };
    },
  } as unknown as Octokit;
}

describe("readAttestations", () => {
  it("asks for SLSA provenance of the digest and returns the inline bundles", async () => {
    const seen: unknown[] = [];
    const octokit = octokitAnswering({ status: 200, data: { attestations: [{ bundle: { a: 1 }, repository_id: 1 }, { bundle_url: "https://blob.example/x", repository_id: 1 }] } }, seen);
    expect(await readAttestations(octokit, repository, DIGEST, "https://api.github.com/")).toEqual({
      bundles: [{ a: 1 }],
      url: `https://api.github.com/repos/acme/core-api/attestations/${DIGEST}`,
    });
    expect(seen).toEqual([
      { route: "GET /repos/{owner}/{repo}/attestations/{subject_digest}", parameters: { owner: "acme", repo: "core-api", subject_digest: DIGEST, predicate_type: SLSA_PROVENANCE_V1, per_page: 100 } },
    ]);
  });

  it("404 is no attestation; 403 is provenance_unavailable (plan or permission); a 5xx stays a retryable GitHub failure", async () => {
    expect((await readAttestations(octokitAnswering({ status: 404, message: "Not Found" }), repository, DIGEST, "https://api.github.com")).bundles).toEqual([]);
    const forbidden = await refusal(readAttestations(octokitAnswering({ status: 403, message: "Resource not accessible by integration" }), repository, DIGEST, "https://api.github.com"));
    expect(forbidden.code).toBe("provenance_unavailable");
    expect(forbidden.message).toMatch(/does not serve the attestations of acme\/core-api to the app \(Resource not accessible by integration\).*attestations: read/);
    const down = await refusal(readAttestations(octokitAnswering({ status: 502, message: "Bad Gateway" }), repository, DIGEST, "https://api.github.com"));
    expect(down).toMatchObject({ code: "github_unavailable", retryable: true });
  });
});
