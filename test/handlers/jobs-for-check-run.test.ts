/**
 * The Re-run button of the app's check runs (`check_run.rerequested`) → the job that made each
 * one, from GitHub's own example payload (@octokit/webhooks-examples) changed where ours differ.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { PromoterDependencies } from "../../src/dependencies.js";
import { jobsForCheckRunRerequested } from "../../src/handlers/on-check-run-rerequested.js";

type Payload = Parameters<typeof jobsForCheckRunRerequested>[1];
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as Array<{ name: string; examples: Array<Record<string, any>> }>;
const example = examples.find((e) => e.name === "check_run")!.examples.find((e) => e.action === "rerequested")!;
const deps = { env: { APP_ID: String(example.check_run.app.id) } } as unknown as PromoterDependencies;

function payload(checkRun: Record<string, unknown>): Payload {
  const p = structuredClone(example);
  Object.assign(p.check_run, checkRun);
  p.installation = { id: 7, node_id: "MDIz" };
  return p as unknown as Payload;
}

describe("jobsForCheckRunRerequested", () => {
  it("release-promoter on a tagged commit → that tag promoted again, with the commit and who pressed Re-run", () => {
    const p = payload({ name: "release-promoter", external_id: "core-v0.10.0" });
    expect(jobsForCheckRunRerequested(deps, p)).toEqual([
      {
        kind: "promote-tag",
        installationId: 7,
        repository: example.repository.full_name,
        tag: "core-v0.10.0",
        trigger: "rerequested",
        headCommit: example.check_run.head_sha,
        pusher: example.sender.login,
      },
    ]);
  });

  it("release-promoter/config → the config at that commit checked again; release-promoter/sweep → a sweep", () => {
    expect(jobsForCheckRunRerequested(deps, payload({ name: "release-promoter/config" }))).toEqual([
      { kind: "check-config", installationId: 7, repository: example.repository.full_name, sha: example.check_run.head_sha, rerequested: true },
    ]);
    expect(jobsForCheckRunRerequested(deps, payload({ name: "release-promoter/sweep" }))).toEqual([
      { kind: "sweep-installation", installationId: 7, account: example.repository.owner.login },
    ]);
  });

  it("ignores another app's check run, a check run of ours without its tag, and other names", () => {
    expect(jobsForCheckRunRerequested(deps, payload({ name: "release-promoter", external_id: "core-v0.10.0", app: { id: 424242 } }))).toEqual([]);
    expect(jobsForCheckRunRerequested(deps, payload({ name: "release-promoter", external_id: "" }))).toEqual([]);
    expect(jobsForCheckRunRerequested(deps, payload({ name: "randscape" }))).toEqual([]);
  });
});
