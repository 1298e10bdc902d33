import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real servers (docker-registry, the app); give them room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests must not leak HTTP to the outside world; nock is enabled per test file.
    restoreMocks: true,
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: ".tmp/vitest-report.json" },
  },
});
