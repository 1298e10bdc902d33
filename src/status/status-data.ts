/**
 * What the status page shows, and exactly what GET /status.json returns. Field names are stable;
 * a value the app could not read is `null`, never missing.
 *
 * {
 *   "generatedAt": "2026-01-01T12:00:00.000Z",   // when the data was read from GitHub
 *   "ageSeconds": 12,                            // how old that read is (cached 30 s per process)
 *   "cacheSeconds": 30,
 *   "error": null,                               // or why the installations could not be listed
 *   "installations": [{
 *     "installationId": 7,
 *     "account": "acme",
 *     "infraRepository": "acme/infra",
 *     "error": null,                             // or why this installation has no rows (no infra repository, no or invalid config, GitHub failed)
 *     "rows": [{                                 // one per (environment, service) of the config, in config order
 *       "environment": "prod", "service": "core", "file": "envs/prod.tfvars", "kind": "tfvars",
 *       "running": { "version": "0.9.0", "marker": "core-v0.9.0", "value": "ghcr.io/acme/core-api@sha256:…", "digest": "sha256:…" } | null,
 *       "newestTag": { "tag": "core-v0.10.0", "version": "0.10.0", "prerelease": false } | null,
 *       "state": { "kind": "converged" | "behind" | "skipped", "reason": "…" },
 *       "pullRequest": { "number": 1, "url": "https://github.com/acme/infra/pull/1", "proposes": "core-v0.10.0" | null,
 *                        "createdAt": "2026-…" | null, "ageSeconds": 42 | null } | null,
 *       "lastOutcome": { "tag": "core-v0.10.0", "status": "completed", "conclusion": "success" | "failure" | "neutral" | null,
 *                        "code": "not_on_default_branch" | null, "title": "…" | null } | null
 *     }]
 *   }]
 * }
 *
 * `running` is null when the file or the service's pin cannot be read (`state.reason` says why);
 * `running.version` is null when the pin has no release marker. `newestTag` is the highest strict
 * `<prefix>-v<SemVer>` tag of the service's repository, prereleases only for an environment with
 * `prerelease: true`. `pullRequest` is the open PR of the promotion branch
 * `release-promoter/<environment>/<service>`. `lastOutcome` is the app's `release-promoter` check
 * run on the newest tag's commit; `code` is the refusal or failure code from its title when that
 * title names this environment (or no environment), else null.
 */
import type { FileKind } from "../editors/target-editor.js";

export interface StatusPage {
  generatedAt: string;
  ageSeconds: number;
  cacheSeconds: number;
  error: string | null;
  installations: InstallationStatus[];
}

export interface InstallationStatus {
  installationId: number;
  account: string;
  infraRepository: string;
  error: string | null;
  rows: StatusRow[];
  /** Recent contracts releases (newest first, up to 3) and each consumer's state from the app's check run on the tag; null without `contracts:` in the config. */
  contracts: ContractsStatus | null;
}

export interface ContractsStatus {
  package: string;
  repository: string;
  releases: Array<{
    tag: string;
    version: string;
    /** The app's check run on the tag: null when it has none. */
    outcome: { status: string; conclusion: string | null; title: string | null } | null;
    /** One per consumer, as the check run lists them: the repository and its state in words. */
    consumers: Array<{ repository: string; state: string }>;
  }>;
}

export interface StatusRow {
  environment: string;
  service: string;
  file: string;
  kind: FileKind;
  running: { version: string | null; marker: string | null; value: string; digest: string | null } | null;
  newestTag: { tag: string; version: string; prerelease: boolean } | null;
  state: { kind: "converged" | "behind" | "skipped"; reason: string };
  pullRequest: { number: number; url: string; proposes: string | null; createdAt: string | null; ageSeconds: number | null } | null;
  lastOutcome: { tag: string; status: string; conclusion: string | null; code: string | null; title: string | null } | null;
  /** A merged rollback holding the environment (core/hold.ts): the PR, the version it holds at, and the highest version it keeps out (null: every version). */
  hold: { number: number; url: string; version: string; through: string | null } | null;
}
