import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../src/core/markdown.js";
import { parseReleaseTag } from "../../src/core/parse-tag.js";
import { branchName, pullRequestText } from "../../src/core/pull-request-text.js";

const base = {
  serviceName: "core",
  service: { repository: "acme/core-api", image: "ghcr.io/acme/core-api", variable: "core_image", imageTag: "{sha}" },
  release: parseReleaseTag("core-v0.10.0"),
  environmentName: "prod",
  file: "envs/prod.tfvars",
  digest: `sha256:${"ab".repeat(32)}`,
  previousVersion: "0.9.0",
  supersededVersion: undefined,
  source: { repository: "acme/core-api", url: "https://github.example.com/acme/core-api/", commit: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", pusher: "octocat" },
};

describe("pullRequestText", () => {
  it("links the compare view and the commit on the source's own host (GitHub Enterprise too)", () => {
    const { body } = pullRequestText(base);
    expect(body).toContain("(https://github.example.com/acme/core-api/compare/core-v0.9.0...core-v0.10.0)");
    expect(body).toContain("(https://github.example.com/acme/core-api/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246)");
    expect(body).toContain("| Tag pushed by | @octocat |");
  });

  it("says when the previous version is unknown, and what an update superseded", () => {
    const { body } = pullRequestText({ ...base, previousVersion: undefined, supersededVersion: "0.9.5" });
    expect(body).toContain("| Version | unknown → v0.10.0 |");
    expect(body).toContain("| Changes | no previous release marker in the file |");
    expect(body).toContain("v0.10.0 supersedes v0.9.5");
  });

  it("keeps an untrusted pusher name as text: no markup, mention, link or HTML", () => {
    const { body } = pullRequestText({ ...base, source: { ...base.source, pusher: "evil](https://x.test) @org/team <img src=x> `code`\n# h" } });
    const line = body.split("\n").find((l) => l.startsWith("| Tag pushed by"))!;
    const cell = line.slice("| Tag pushed by |".length, -"|".length);
    // Metacharacters only survive as numeric entities (&#64;), which render as text.
    expect(cell.replace(/&#\d+;/g, "")).not.toMatch(/[<>[\]()`@#|]/);
    expect(line).toContain("evil");
  });

  it("escapes every markdown and HTML metacharacter", () => {
    const escaped = escapeMarkdown("*a* _b_ [c](d) <e> @f #g |h| `i` ~j~ &k");
    expect(escaped.replace(/&#\d+;/g, "")).not.toMatch(/[*_[\]()<>@#|`~&]/);
    expect(escaped).toContain("&#64;f");
  });

  it("names the branch per environment and service", () => {
    expect(branchName("prod", "core")).toBe("release-promoter/prod/core");
  });
});
