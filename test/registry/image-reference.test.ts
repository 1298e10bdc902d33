import { describe, expect, it } from "vitest";
import { isLoopbackHost, isValidManifestReference, parseImageRepository } from "../../src/registry/image-reference.js";

describe("parseImageRepository", () => {
  it.each([
    ["ghcr.io/acme/core-api", "ghcr.io", "acme/core-api"],
    ["GHCR.io/acme/core-api", "ghcr.io", "acme/core-api"],
    ["127.0.0.1:5000/acme/core-api", "127.0.0.1:5000", "acme/core-api"],
    ["localhost/core-api", "localhost", "core-api"],
    ["localhost:5000/a/b/c", "localhost:5000", "a/b/c"],
    ["[::1]:5000/acme/core-api", "[::1]:5000", "acme/core-api"],
    ["registry.internal:443/team/sub_team/app.v2", "registry.internal:443", "team/sub_team/app.v2"],
    ["nginx", "registry-1.docker.io", "library/nginx"],
    ["acme/core-api", "registry-1.docker.io", "acme/core-api"],
    ["docker.io/nginx", "registry-1.docker.io", "library/nginx"],
    ["index.docker.io/acme/core-api", "registry-1.docker.io", "acme/core-api"],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/core-api", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "core-api"],
    ["a/b__c/d-e--f", "registry-1.docker.io", "a/b__c/d-e--f"],
  ])("%s → %s %s", (image, registry, repository) => {
    expect(parseImageRepository(image)).toEqual({ registry, repository });
  });

  it.each([
    ["", /non-empty/],
    ["https://ghcr.io/acme/core-api", /URL scheme/],
    ["ghcr.io/acme/core-api:latest", /must not include a tag/],
    ["nginx:1.27", /must not include a tag/],
    ["ghcr.io/acme/core-api@sha256:" + "a".repeat(64), /must not include a digest/],
    ["ghcr.io/Acme/core-api", /invalid repository path component "Acme"/],
    ["ghcr.io/acme//core-api", /invalid repository path component ""/],
    ["ghcr.io/acme/core-api/", /invalid repository path component ""/],
    ["ghcr.io/-acme/x", /invalid repository path component "-acme"/],
    ["ghcr.io/acme/a..b", /invalid repository path component/],
    ["bad_host.io/acme/x", /invalid registry host/],
    ["ghcr.io:99999/acme/x", /invalid registry port/],
    ["ghcr.io/" + "a".repeat(256), /longer than 255/],
    ["acme core", /invalid repository path component/],
  ])("rejects %j", (image, message) => {
    expect(() => parseImageRepository(image)).toThrow(message);
  });
});

describe("isValidManifestReference", () => {
  it.each(["latest", "3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a", "v1.2.3", "_x", "core-v0.10.0", `sha256:${"0".repeat(64)}`, "a".repeat(128)])(
    "accepts %s",
    (reference) => expect(isValidManifestReference(reference)).toBe(true),
  );
  it.each(["", "-x", ".x", "v1+build", "a".repeat(129), "a/b", `sha256:${"A".repeat(64)}`, "sha256:abc"])(
    "rejects %j",
    (reference) => expect(isValidManifestReference(reference)).toBe(false),
  );
});

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1:5000", true],
    ["127.1.2.3", true],
    ["localhost:5000", true],
    ["LOCALHOST", true],
    ["[::1]:5000", true],
    ["[::1]", true],
    ["::1", true],
    ["128.0.0.1:5000", false],
    ["127.0.0.1.example.com", false],
    ["ghcr.io", false],
    ["[::2]:5000", false],
    ["localhost.example.com", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
