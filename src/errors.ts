/**
 * The small family of errors the app speaks in. I/O boundaries (github/, registry/, npm/) map
 * whatever they receive into one of these once; handlers turn them into check-run text.
 *
 * `code` is stable and documented in the README ("Refusals and failures"); `retryable` says
 * whether trying the same thing later can help (a registry 503 can, a 401 cannot).
 */
export type ErrorCode =
  // input the user controls
  | "invalid_tag"
  | "unknown_prefix"
  | "wrong_repository"
  | "prerelease_not_allowed"
  | "no_environment"
  | "not_on_default_branch"
  | "tag_not_found"
  | "tag_moved"
  | "config_missing"
  | "config_invalid"
  // target file
  | "variable_missing"
  | "variable_duplicated"
  | "variable_not_string"
  | "trailing_comment"
  | "file_missing"
  | "edit_not_isolated"
  // YAML and JSON targets (environments.<name>.kind: helm, kustomization, manifest, tfvars-json)
  | "target_missing"
  | "target_ambiguous"
  | "target_not_scalar"
  | "target_aliased"
  | "target_shares_line"
  | "kustomize_new_tag"
  | "version_downgrade"
  | "version_reused"
  // a tag over a commit marker (# core@0123456789ab): which is newer cannot be told
  | "version_unknown"
  // a push to main (on: main environments) whose head does not descend from the commit that runs
  | "commit_not_descendant"
  // a merged rollback holds the environment (core/hold.ts)
  | "rollback_hold"
  // registry
  | "image_not_found"
  | "registry_unauthorized"
  | "registry_invalid_response"
  | "registry_unavailable"
  | "credentials_missing"
  // build provenance (services.<name>.provenance, environments.<name>.requireProvenance)
  | "provenance_missing"
  | "provenance_invalid"
  | "provenance_unavailable"
  // contracts consumers
  | "pin_not_found"
  | "pin_ambiguous"
  | "pin_unreadable"
  | "pull_request_unreadable"
  | "contracts_version_mismatch"
  // GitHub
  | "github_conflict"
  | "github_forbidden"
  | "github_unavailable"
  | "github_rate_limited"
  | "github_invalid_response"
  // npm consumers (contracts bumps)
  | "package_version_missing"
  | "package_json_invalid"
  | "range_unsupported"
  | "lockfile_unsupported"
  | "npm_failed"
  // a bug: anything that is not one of the above (logged with its stack, never retried blindly)
  | "internal_error";

export class PromoterError extends Error {
  override readonly name = "PromoterError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }
}

export function isPromoterError(error: unknown): error is PromoterError {
  return error instanceof PromoterError;
}
