import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate } from "../../src/registry/parse-www-authenticate.js";

describe("parseWwwAuthenticate", () => {
  it.each([
    [
      "Docker Hub",
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [
        {
          scheme: "bearer",
          params: {
            realm: "https://auth.docker.io/token",
            service: "registry.docker.io",
            scope: "repository:library/nginx:pull",
          },
        },
      ],
    ],
    [
      "a quoted value with commas",
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/core-api:pull,push"',
      [
        {
          scheme: "bearer",
          params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:acme/core-api:pull,push" },
        },
      ],
    ],
    [
      "distribution's insufficient_scope error",
      'Bearer realm="http://127.0.0.1:5001/token",service="test",scope="repository:a/b:pull",error="insufficient_scope"',
      [
        {
          scheme: "bearer",
          params: { realm: "http://127.0.0.1:5001/token", service: "test", scope: "repository:a/b:pull", error: "insufficient_scope" },
        },
      ],
    ],
    ["Basic", 'Basic realm="Registry Realm"', [{ scheme: "basic", params: { realm: "Registry Realm" } }]],
    [
      "two challenges in one header",
      'Basic realm="basic, realm", Bearer realm="https://x.test/token", service=x.test',
      [
        { scheme: "basic", params: { realm: "basic, realm" } },
        { scheme: "bearer", params: { realm: "https://x.test/token", service: "x.test" } },
      ],
    ],
    [
      "case-insensitive names, spaces around =, unquoted values",
      'BEARER Realm = "https://x.test/token" ,  Service = x.test',
      [{ scheme: "bearer", params: { realm: "https://x.test/token", service: "x.test" } }],
    ],
    [
      "escaped quotes and backslashes",
      'Bearer realm="https://x.test/t?q=\\"a\\\\b\\"",service="s"',
      [{ scheme: "bearer", params: { realm: 'https://x.test/t?q="a\\b"', service: "s" } }],
    ],
    [
      "a token68 challenge before a parameterised one",
      'Negotiate YIIB+/a==, Bearer realm="r"',
      [
        { scheme: "negotiate", params: {}, token68: "YIIB+/a==" },
        { scheme: "bearer", params: { realm: "r" } },
      ],
    ],
    ["a bare scheme", "Negotiate", [{ scheme: "negotiate", params: {} }]],
    [
      "an unterminated quote (takes the rest)",
      'Bearer realm="https://x.test/token',
      [{ scheme: "bearer", params: { realm: "https://x.test/token" } }],
    ],
    ["garbage around a challenge", '"junk", Basic realm="r"', [{ scheme: "basic", params: { realm: "r" } }]],
    ["empty", "", []],
  ])("parses %s", (_, header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it("returns no challenges for a missing header", () => {
    expect(parseWwwAuthenticate(null)).toEqual([]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});
