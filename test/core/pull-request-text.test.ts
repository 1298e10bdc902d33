import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../src/core/markdown.js";
import { parseReleaseTag } from "../../src/core/parse-tag.js";
import { branchName, type PullRequestTextInput, pullRequestText } from "../../src/core/pull-request-text.js";

// The builder is pure (no clock, no random ids): the snapshots below are the whole texts a
// reviewer sees, with nothing normalised.
const base: PullRequestTextInput = {
  serviceName: "core",
  service: { repository: "acme/core-api", image: "ghcr.io/acme/core-api", variable: "core_image", imageTag: "{sha}" },
  target: { kind: "tfvars", variable: "core_image" },
  release: parseReleaseTag("core-v0.10.0"),
  environmentName: "prod",
  file: "envs/prod.tfvars",
  digest: `sha256:${"ab".repeat(32)}`,
  previousVersion: "0.9.0",
  supersededVersion: undefined,
  // GitHub Enterprise host, with the trailing slash a web URL may carry.
  source: { repository: "acme/core-api", url: "https://github.example.com/acme/core-api/", commit: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", pusher: "octocat" },
};

const withPusher = (pusher: string | undefined): PullRequestTextInput => ({ ...base, source: { ...base.source, pusher } });

describe("pullRequestText", () => {
  it("first promotion from a known version: compare view and commit on the source's own host, pusher mentioned", () => {
    expect(pullRequestText(base)).toMatchInlineSnapshot(`
      {
        "body": "Promotes **core** to **v0.10.0** in **prod** by changing \`core_image\` in \`envs/prod.tfvars\`.

      | | |
      |---|---|
      | Service | \`core\` from \`acme/core-api\` |
      | Version | v0.9.0 → v0.10.0 |
      | Image | \`ghcr.io/acme/core-api\` |
      | Digest | \`sha256:abababababababababababababababababababababababababababababababab\` |
      | Source commit | [\`6113728f27ae\`](https://github.example.com/acme/core-api/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246) on the default branch |
      | Changes | [core-v0.9.0...core-v0.10.0](https://github.example.com/acme/core-api/compare/core-v0.9.0...core-v0.10.0) |
      | Tag pushed by | @octocat |

      The digest is the one the registry returned for the image CI built from the tagged commit; nothing was rebuilt. Only this one line of \`envs/prod.tfvars\` changed: the app re-parsed the file with an HCL parser to check it.

      <!-- release-promoter:promotion {"v":1,"environment":"prod","service":"core","repository":"acme/core-api","tag":"core-v0.10.0","commit":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","digest":"sha256:abababababababababababababababababababababababababababababababab","pusher":"octocat"} -->",
        "commitMessage": "Promote core v0.10.0 to prod

      core_image = ghcr.io/acme/core-api@sha256:abababababababababababababababababababababababababababababababab
      Source: acme/core-api@6113728f27ae82c7b1a177c8d03f9e96e0adf246 (core-v0.10.0)",
        "title": "Promote core v0.10.0 to prod",
      }
    `);
  });

  it("no previous release marker in the file, pusher unknown", () => {
    expect(pullRequestText({ ...withPusher(undefined), previousVersion: undefined })).toMatchInlineSnapshot(`
      {
        "body": "Promotes **core** to **v0.10.0** in **prod** by changing \`core_image\` in \`envs/prod.tfvars\`.

      | | |
      |---|---|
      | Service | \`core\` from \`acme/core-api\` |
      | Version | unknown → v0.10.0 |
      | Image | \`ghcr.io/acme/core-api\` |
      | Digest | \`sha256:abababababababababababababababababababababababababababababababab\` |
      | Source commit | [\`6113728f27ae\`](https://github.example.com/acme/core-api/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246) on the default branch |
      | Changes | no previous release marker in the file |
      | Tag pushed by | unknown |

      The digest is the one the registry returned for the image CI built from the tagged commit; nothing was rebuilt. Only this one line of \`envs/prod.tfvars\` changed: the app re-parsed the file with an HCL parser to check it.

      <!-- release-promoter:promotion {"v":1,"environment":"prod","service":"core","repository":"acme/core-api","tag":"core-v0.10.0","commit":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","digest":"sha256:abababababababababababababababababababababababababababababababab"} -->",
        "commitMessage": "Promote core v0.10.0 to prod

      core_image = ghcr.io/acme/core-api@sha256:abababababababababababababababababababababababababababababababab
      Source: acme/core-api@6113728f27ae82c7b1a177c8d03f9e96e0adf246 (core-v0.10.0)",
        "title": "Promote core v0.10.0 to prod",
      }
    `);
  });

  it("an update of an open PR says which version it superseded", () => {
    expect(pullRequestText({ ...base, release: parseReleaseTag("core-v0.10.1-rc.1"), supersededVersion: "0.10.0" })).toMatchInlineSnapshot(`
      {
        "body": "Promotes **core** to **v0.10.1-rc.1** in **prod** by changing \`core_image\` in \`envs/prod.tfvars\`.

      | | |
      |---|---|
      | Service | \`core\` from \`acme/core-api\` |
      | Version | v0.9.0 → v0.10.1-rc.1 |
      | Image | \`ghcr.io/acme/core-api\` |
      | Digest | \`sha256:abababababababababababababababababababababababababababababababab\` |
      | Source commit | [\`6113728f27ae\`](https://github.example.com/acme/core-api/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246) on the default branch |
      | Changes | [core-v0.9.0...core-v0.10.1-rc.1](https://github.example.com/acme/core-api/compare/core-v0.9.0...core-v0.10.1-rc.1) |
      | Tag pushed by | @octocat |

      This PR was updated: v0.10.1-rc.1 supersedes v0.10.0, which it proposed before.

      The digest is the one the registry returned for the image CI built from the tagged commit; nothing was rebuilt. Only this one line of \`envs/prod.tfvars\` changed: the app re-parsed the file with an HCL parser to check it.

      <!-- release-promoter:promotion {"v":1,"environment":"prod","service":"core","repository":"acme/core-api","tag":"core-v0.10.1-rc.1","commit":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","digest":"sha256:abababababababababababababababababababababababababababababababab","pusher":"octocat"} -->",
        "commitMessage": "Promote core v0.10.1-rc.1 to prod

      core_image = ghcr.io/acme/core-api@sha256:abababababababababababababababababababababababababababababababab
      Source: acme/core-api@6113728f27ae82c7b1a177c8d03f9e96e0adf246 (core-v0.10.1-rc.1)",
        "title": "Promote core v0.10.1-rc.1 to prod",
      }
    `);
  });

  // Reported, not blessed: GitHub's mention syntax stops at "[", so "@renovate[bot]" links the
  // user account "renovate" (not the app) and may notify whoever owns that login.
  it("a bot login is written as @login[bot] (current text; see the note above)", () => {
    expect(pullRequestText(withPusher("renovate[bot]")).body.split("\n").filter((line) => line.startsWith("| Tag pushed by"))).toMatchInlineSnapshot(`
      [
        "| Tag pushed by | @renovate[bot] |",
      ]
    `);
  });

  it("a pusher that is not a login (a git name) is text, not a mention", () => {
    expect(pullRequestText(withPusher("Mona Lisa Octocat")).body.split("\n").filter((line) => line.startsWith("| Tag pushed by"))).toMatchInlineSnapshot(`
      [
        "| Tag pushed by | Mona Lisa Octocat |",
      ]
    `);
  });

  it("keeps an untrusted pusher name as text: no markup, mention, link, HTML or table cell break", () => {
    const text = pullRequestText(withPusher("evil](https://x.test) @org/team <img src=x> `code`\n# h | x"));
    expect(text).toMatchInlineSnapshot(`
      {
        "body": "Promotes **core** to **v0.10.0** in **prod** by changing \`core_image\` in \`envs/prod.tfvars\`.

      | | |
      |---|---|
      | Service | \`core\` from \`acme/core-api\` |
      | Version | v0.9.0 → v0.10.0 |
      | Image | \`ghcr.io/acme/core-api\` |
      | Digest | \`sha256:abababababababababababababababababababababababababababababababab\` |
      | Source commit | [\`6113728f27ae\`](https://github.example.com/acme/core-api/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246) on the default branch |
      | Changes | [core-v0.9.0...core-v0.10.0](https://github.example.com/acme/core-api/compare/core-v0.9.0...core-v0.10.0) |
      | Tag pushed by | evil&#93;&#40;https&#58;//x&#46;test&#41; &#64;org/team &#60;img src=x&#62; &#96;code&#96; &#35; h &#124; x |

      The digest is the one the registry returned for the image CI built from the tagged commit; nothing was rebuilt. Only this one line of \`envs/prod.tfvars\` changed: the app re-parsed the file with an HCL parser to check it.

      <!-- release-promoter:promotion {"v":1,"environment":"prod","service":"core","repository":"acme/core-api","tag":"core-v0.10.0","commit":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","digest":"sha256:abababababababababababababababababababababababababababababababab"} -->",
        "commitMessage": "Promote core v0.10.0 to prod

      core_image = ghcr.io/acme/core-api@sha256:abababababababababababababababababababababababababababababababab
      Source: acme/core-api@6113728f27ae82c7b1a177c8d03f9e96e0adf246 (core-v0.10.0)",
        "title": "Promote core v0.10.0 to prod",
      }
    `);
    const line = text.body.split("\n").find((l) => l.startsWith("| Tag pushed by"))!;
    const cell = line.slice("| Tag pushed by |".length, -"|".length);
    // Metacharacters only survive as numeric entities (&#64;), which render as text.
    expect(cell.replace(/&#\d+;/g, "")).not.toMatch(/[<>[\]()`@#|\n]/);
  });

  it("escapes every markdown and HTML metacharacter", () => {
    expect(escapeMarkdown("*a* _b_ [c](d) <e> @f #g |h| `i` ~j~ &k\nl")).toMatchInlineSnapshot(`"&#42;a&#42; &#95;b&#95; &#91;c&#93;&#40;d&#41; &#60;e&#62; &#64;f &#35;g &#124;h&#124; &#96;i&#96; &#126;j&#126; &#38;k l"`);
  });

  it("names the branch per environment and service", () => {
    expect(branchName("prod", "core")).toBe("release-promoter/prod/core");
  });
});
