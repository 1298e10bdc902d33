import { describe, expect, it } from "vitest";
import { type ContractsTextInput, contractsBranchName, contractsPullRequestText, isBreakingBump, versionInTitle } from "../../src/core/contracts-text.js";

// The builder is pure (no clock, no random ids): the snapshots are the whole texts a consumer's
// reviewer sees, with nothing normalised.
const npm: ContractsTextInput = {
  packageName: "@acme/contracts",
  version: "0.3.2",
  tag: "contracts-v0.3.2",
  tagPrefix: "contracts",
  // GitHub Enterprise host, with the trailing slash a web URL may carry.
  contractsUrl: "https://github.example.com/acme/contracts/",
  from: "0.3.1",
  superseded: undefined,
  method: "in-place",
  files: ["package.json", "package-lock.json"],
};

const pin: ContractsTextInput = {
  ...npm,
  packageName: "acme-contracts-schemas",
  method: "version pin",
  files: ["requirements.txt"],
};

describe("contractsPullRequestText", () => {
  it("a non-breaking npm bump, lockfile edited in place", () => {
    expect(contractsPullRequestText(npm)).toMatchInlineSnapshot(`
      {
        "body": "Bumps \`@acme/contracts\` from \`0.3.1\` to \`0.3.2\`.

      | | |
      |---|---|
      | Release | [contracts-v0.3.2](https://github.example.com/acme/contracts/releases/tag/contracts-v0.3.2) |
      | Changes | [contracts-v0.3.1...contracts-v0.3.2](https://github.example.com/acme/contracts/compare/contracts-v0.3.1...contracts-v0.3.2) |
      | Files | \`package.json\`, \`package-lock.json\` |
      | Lockfile | in-place |",
        "breaking": false,
        "commitMessage": "Bump @acme/contracts to 0.3.2

      Release: contracts-v0.3.2",
        "title": "Bump @acme/contracts to 0.3.2",
      }
    `);
  });

  it("a minor bump in 0.x is breaking: a warning, and the lockfile regenerated", () => {
    expect(contractsPullRequestText({ ...npm, version: "0.4.0", tag: "contracts-v0.4.0", method: "regenerated" })).toMatchInlineSnapshot(`
      {
        "body": "Bumps \`@acme/contracts\` from \`0.3.1\` to \`0.4.0\`.

      > [!WARNING]
      > **Breaking:** 0.3.1 → 0.4.0 is a minor bump in 0.x; check the release notes before merging.

      | | |
      |---|---|
      | Release | [contracts-v0.4.0](https://github.example.com/acme/contracts/releases/tag/contracts-v0.4.0) |
      | Changes | [contracts-v0.3.1...contracts-v0.4.0](https://github.example.com/acme/contracts/compare/contracts-v0.3.1...contracts-v0.4.0) |
      | Files | \`package.json\`, \`package-lock.json\` |
      | Lockfile | regenerated |",
        "breaking": true,
        "commitMessage": "Bump @acme/contracts to 0.4.0

      Release: contracts-v0.4.0",
        "title": "Bump @acme/contracts to 0.4.0",
      }
    `);
  });

  it("a major bump is breaking", () => {
    expect(contractsPullRequestText({ ...npm, from: "1.4.0", version: "2.0.0", tag: "contracts-v2.0.0", method: "package-json-only", files: ["package.json"] }))
      .toMatchInlineSnapshot(`
        {
          "body": "Bumps \`@acme/contracts\` from \`1.4.0\` to \`2.0.0\`.

        > [!WARNING]
        > **Breaking:** 1.4.0 → 2.0.0 is a major bump; check the release notes before merging.

        | | |
        |---|---|
        | Release | [contracts-v2.0.0](https://github.example.com/acme/contracts/releases/tag/contracts-v2.0.0) |
        | Changes | [contracts-v1.4.0...contracts-v2.0.0](https://github.example.com/acme/contracts/compare/contracts-v1.4.0...contracts-v2.0.0) |
        | Files | \`package.json\` |
        | Lockfile | package-json-only |",
          "breaking": true,
          "commitMessage": "Bump @acme/contracts to 2.0.0

        Release: contracts-v2.0.0",
          "title": "Bump @acme/contracts to 2.0.0",
        }
      `);
  });

  it("an update of an open PR says which version it superseded", () => {
    expect(contractsPullRequestText({ ...npm, version: "0.3.3", tag: "contracts-v0.3.3", superseded: "0.3.2" })).toMatchInlineSnapshot(`
      {
        "body": "Bumps \`@acme/contracts\` from \`0.3.1\` to \`0.3.3\`.

      | | |
      |---|---|
      | Release | [contracts-v0.3.3](https://github.example.com/acme/contracts/releases/tag/contracts-v0.3.3) |
      | Changes | [contracts-v0.3.1...contracts-v0.3.3](https://github.example.com/acme/contracts/compare/contracts-v0.3.1...contracts-v0.3.3) |
      | Files | \`package.json\`, \`package-lock.json\` |
      | Lockfile | in-place |

      This PR was updated: 0.3.3 supersedes 0.3.2, which it proposed before.",
        "breaking": false,
        "commitMessage": "Bump @acme/contracts to 0.3.3

      Release: contracts-v0.3.3",
        "title": "Bump @acme/contracts to 0.3.3",
      }
    `);
  });

  it("a version pin in a non-npm consumer", () => {
    expect(contractsPullRequestText(pin)).toMatchInlineSnapshot(`
      {
        "body": "Bumps \`acme-contracts-schemas\` from \`0.3.1\` to \`0.3.2\`.

      | | |
      |---|---|
      | Release | [contracts-v0.3.2](https://github.example.com/acme/contracts/releases/tag/contracts-v0.3.2) |
      | Changes | [contracts-v0.3.1...contracts-v0.3.2](https://github.example.com/acme/contracts/compare/contracts-v0.3.1...contracts-v0.3.2) |
      | Files | \`requirements.txt\` |
      | Lockfile | version pin |",
        "breaking": false,
        "commitMessage": "Bump acme-contracts-schemas to 0.3.2

      Release: contracts-v0.3.2",
        "title": "Bump acme-contracts-schemas to 0.3.2",
      }
    `);
  });

  it("an unknown previous version: no compare link, not called breaking", () => {
    expect(contractsPullRequestText({ ...npm, from: undefined, version: "1.0.0", tag: "contracts-v1.0.0" })).toMatchInlineSnapshot(`
      {
        "body": "Bumps \`@acme/contracts\` from an unknown version to \`1.0.0\`.

      | | |
      |---|---|
      | Release | [contracts-v1.0.0](https://github.example.com/acme/contracts/releases/tag/contracts-v1.0.0) |
      | Changes | unknown previous version |
      | Files | \`package.json\`, \`package-lock.json\` |
      | Lockfile | in-place |",
        "breaking": false,
        "commitMessage": "Bump @acme/contracts to 1.0.0

      Release: contracts-v1.0.0",
        "title": "Bump @acme/contracts to 1.0.0",
      }
    `);
  });
});

describe("isBreakingBump", () => {
  it.each([
    ["0.3.1", "0.3.2", false],
    ["0.3.1", "0.4.0", true],
    ["0.3.1", "1.0.0", true],
    ["1.4.0", "1.5.0", false],
    ["1.4.0", "2.0.0", true],
    ["1.4.0", "2.0.0-rc.1", true],
    ["0.3.1", "0.3.2-rc.1", false],
    [undefined, "2.0.0", false],
    ["latest", "2.0.0", false],
  ])("%s → %s: %s", (from, to, breaking) => {
    expect(isBreakingBump(from, to)).toBe(breaking);
  });
});

describe("PR identity", () => {
  it("reads back the version its own title names, and nothing from other titles", () => {
    expect(versionInTitle(contractsPullRequestText(npm).title, "@acme/contracts")).toBe("0.3.2");
    expect(versionInTitle("Bump @acme/contracts-extra to 0.3.2", "@acme/contracts")).toBeUndefined();
    expect(versionInTitle("chore: bump @acme/contracts to 0.3.2", "@acme/contracts")).toBeUndefined();
  });

  it("names one branch per package", () => {
    expect(contractsBranchName("@acme/contracts")).toBe("release-promoter/contracts/@acme/contracts");
  });
});
