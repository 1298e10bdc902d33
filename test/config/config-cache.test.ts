import { describe, expect, it } from "vitest";
import { ConfigCache } from "../../src/config/config-cache.js";
import type { Config } from "../../src/config/config.schema.js";

const config = (name: string) => ({ services: { [name]: {} } }) as unknown as Config;

describe("ConfigCache", () => {
  it("keeps one entry per installation and infra repository (names compared case-insensitively)", () => {
    const cache = new ConfigCache();
    cache.set(1, "acme/infra", { oid: "a", config: config("core"), defaultBranch: "main" });
    cache.set(2, "acme/infra", { oid: "b", config: config("web"), defaultBranch: "main" });
    expect(cache.get(1, "Acme/Infra")?.oid).toBe("a");
    expect(cache.get(2, "acme/infra")?.oid).toBe("b");
    expect(cache.get(3, "acme/infra")).toBeUndefined();
    cache.set(1, "ACME/infra", { oid: "c", config: config("core"), defaultBranch: "trunk" });
    expect(cache.get(1, "acme/infra")).toMatchObject({ oid: "c", defaultBranch: "trunk" });
    expect(cache.size).toBe(2);
  });

  it("drops the least recently stored entry beyond its bound", () => {
    const cache = new ConfigCache(2);
    cache.set(1, "acme/infra", { oid: "a", config: config("a"), defaultBranch: "main" });
    cache.set(2, "acme/infra", { oid: "b", config: config("b"), defaultBranch: "main" });
    cache.set(1, "acme/infra", { oid: "a2", config: config("a"), defaultBranch: "main" });
    cache.set(3, "acme/infra", { oid: "c", config: config("c"), defaultBranch: "main" });
    expect([cache.get(1, "acme/infra")?.oid, cache.get(2, "acme/infra")?.oid, cache.get(3, "acme/infra")?.oid]).toEqual(["a2", undefined, "c"]);
  });
});
