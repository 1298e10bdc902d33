import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/config.schema.js";
import { PromoterError } from "../../src/errors.js";
import { normalizeRegistryHost } from "../../src/registry/image-reference.js";
import { readCredentials } from "../../src/registry/read-credentials.js";
import { registryConfigFor } from "../../src/registry/registry-config-for.js";

const HUB = { usernameEnv: "HUB_USER", passwordEnv: "HUB_TOKEN" };
const GHCR = { usernameEnv: "GHCR_USER", passwordEnv: "GHCR_TOKEN" };

describe("normalizeRegistryHost", () => {
  it.each([
    ["docker.io", "registry-1.docker.io"],
    ["index.docker.io", "registry-1.docker.io"],
    ["registry-1.docker.io", "registry-1.docker.io"],
    ["Index.Docker.IO", "registry-1.docker.io"],
    ["GHCR.io", "ghcr.io"],
    ["localhost:5000", "localhost:5000"],
    // A port makes it another endpoint, as for Docker.
    ["docker.io:443", "docker.io:443"],
  ])("%s → %s", (host, registry) => {
    expect(normalizeRegistryHost(host)).toBe(registry);
  });
});

describe("registryConfigFor", () => {
  it.each([
    ["acme/core-api", "docker.io"],
    ["acme/core-api", "index.docker.io"],
    ["acme/core-api", "registry-1.docker.io"],
    ["nginx", "docker.io"],
    ["docker.io/acme/core-api", "docker.io"],
    ["docker.io/acme/core-api", "registry-1.docker.io"],
    ["index.docker.io/acme/core-api", "docker.io"],
    ["registry-1.docker.io/library/nginx", "index.docker.io"],
    ["acme/core-api", "DOCKER.IO"],
  ])("finds the Docker Hub entry for %s under registries.%s", (image, key) => {
    expect(registryConfigFor({ "ghcr.io": GHCR, [key]: HUB }, image)).toBe(HUB);
  });

  it("matches other hosts case-insensitively, ports included", () => {
    const registries = { "GHCR.io": GHCR, "localhost:5000": HUB };
    expect(registryConfigFor(registries, "ghcr.io/acme/core-api")).toBe(GHCR);
    expect(registryConfigFor(registries, "GHCR.IO/acme/core-api")).toBe(GHCR);
    expect(registryConfigFor(registries, "localhost:5000/acme/core-api")).toBe(HUB);
    expect(registryConfigFor(registries, "localhost:5001/acme/core-api")).toBeUndefined();
    expect(registryConfigFor(registries, "localhost/acme/core-api")).toBeUndefined();
  });

  it("does not take an image's first path component for a host", () => {
    // The old lookup tried registries["acme"] for "acme/core-api".
    expect(registryConfigFor({ acme: GHCR }, "acme/core-api")).toBeUndefined();
    expect(registryConfigFor({ "ghcr.io": GHCR }, "acme/core-api")).toBeUndefined();
  });

  it("refuses, rather than picks, when two keys name one registry", () => {
    let error: unknown;
    try {
      registryConfigFor({ "docker.io": HUB, "index.docker.io": GHCR }, "acme/core-api");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PromoterError);
    expect(error).toMatchObject({
      code: "config_invalid",
      message: "registries docker.io and index.docker.io all name registry registry-1.docker.io (used by acme/core-api); keep one entry",
    });
  });
});

describe("config: registries", () => {
  const base = {
    services: { core: { repository: "acme/core-api", image: "acme/core-api", variable: "core_image" } },
    environments: { prod: { file: "envs/prod.tfvars" } },
  };
  const issues = (registries: unknown): string[] => {
    const result = configSchema.safeParse({ ...base, registries });
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };

  it.each([
    [{ "docker.io": HUB, "index.docker.io": HUB }, "registries.index.docker.io: index.docker.io and docker.io name the same registry (registry-1.docker.io); keep one entry"],
    [{ "registry-1.docker.io": HUB, "docker.io": HUB }, "registries.docker.io: docker.io and registry-1.docker.io name the same registry (registry-1.docker.io); keep one entry"],
    [{ "ghcr.io": GHCR, "GHCR.io": GHCR }, "registries.GHCR.io: GHCR.io and ghcr.io name the same registry (ghcr.io); keep one entry"],
  ])("two keys naming one registry are a config error (%j)", (registries, issue) => {
    expect(issues(registries)).toEqual([issue]);
  });

  it("accepts one key per registry, uppercase included, and defaults insecure to false", () => {
    const config = configSchema.parse({ ...base, registries: { "Docker.io": HUB, "ghcr.io": GHCR, "localhost:5000": {} } });
    expect(config.registries).toEqual({
      "Docker.io": { ...HUB, insecure: false },
      "ghcr.io": { ...GHCR, insecure: false },
      "localhost:5000": { insecure: false },
    });
  });

  it("expresses an anonymous plain-http registry", () => {
    const config = configSchema.parse({ ...base, registries: { "registry.internal:5000": { insecure: true } } });
    expect(config.registries["registry.internal:5000"]).toEqual({ insecure: true });
  });

  it.each([
    [{ usernameEnv: "U" }, "registries.ghcr.io.passwordEnv: usernameEnv is set without passwordEnv; set both, or neither for anonymous pulls"],
    [{ passwordEnv: "P", insecure: true }, "registries.ghcr.io.usernameEnv: passwordEnv is set without usernameEnv; set both, or neither for anonymous pulls"],
  ])("credentials come both or neither (%j)", (registry, issue) => {
    expect(issues({ "ghcr.io": registry })).toEqual([issue]);
  });

  it("refuses an insecure that is not a boolean", () => {
    expect(issues({ "ghcr.io": { insecure: "yes" } })).toEqual([
      expect.stringMatching(/^registries\.ghcr\.io\.insecure: /),
    ]);
  });
});

describe("readCredentials", () => {
  it("is anonymous without env var names, and refuses half of a pair", () => {
    expect(readCredentials({ insecure: true }, {}, "ghcr.io")).toBeUndefined();
    expect(() => readCredentials({ usernameEnv: "U" }, { U: "u" }, "ghcr.io")).toThrow(
      expect.objectContaining({ code: "config_invalid", message: expect.stringContaining("usernameEnv without passwordEnv") }),
    );
  });
});
