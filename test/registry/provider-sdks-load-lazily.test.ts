/**
 * The vendors' SDKs are loaded only when a registry names their provider: no module of the app
 * imports them statically (or re-exports them), so an app without `provider:` in its config
 * never loads them. Type-only imports are erased and allowed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const SDKS = ["@aws-sdk/client-ecr", "google-auth-library", "@azure/identity"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("credential provider SDKs", () => {
  it("are imported only with import() in src/", () => {
    const staticImports = sourceFiles(SRC).flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return [...text.matchAll(/^\s*(import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gm)]
        .filter((match) => SDKS.some((sdk) => match[2] === sdk || match[2]!.startsWith(`${sdk}/`)))
        .map((match) => `${relative(SRC, file)}: ${match[0].trim()}`);
    });
    expect(staticImports).toEqual([]);
    const dynamic = sourceFiles(SRC).filter((file) => SDKS.some((sdk) => readFileSync(file, "utf8").includes(`import("${sdk}")`)));
    expect(dynamic.map((file) => relative(SRC, file)).sort()).toEqual([
      "registry/providers/fetch-acr-token.ts",
      "registry/providers/fetch-ecr-token.ts",
      "registry/providers/fetch-gar-token.ts",
    ]);
  });
});
