import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real servers (docker-registry, the app); give them room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    // Tests must not leak HTTP to the outside world. The setup file loads nock in every test
    // file (files that mock disable net connect themselves) and, after every test, fails on an
    // unused HTTP mock (nock, GitHubMock, scriptedFetch) or an unexpected non-loopback request,
    // then cleans up (test/setup/strict-mocks.ts).
    setupFiles: ["test/setup/check-mocks-after-each-test.ts"],
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: ".tmp/vitest-report.json" },
  },
});
