import { PromoterError } from "../errors.js";

interface HttpLikeError {
  status?: number;
  message?: string;
  errors?: Array<{ type?: string; message?: string }>;
  response?: { headers?: Record<string, string | number | undefined> };
}

/**
 * Whether GitHub answered: Octokit's RequestError (REST, and every transport failure, which
 * @octokit/request wraps as one with status 500) or GraphqlResponseError (a GraphQL answer with
 * `errors`). Matched by name, not instanceof: Probot and @octokit/rest may load separate copies.
 */
export function isGitHubResponseError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { name?: unknown; status?: unknown };
  return (e.name === "HttpError" && typeof e.status === "number") || e.name === "GraphqlResponseError";
}

/**
 * Maps whatever Octokit threw (RequestError for REST, GraphqlResponseError for GraphQL) into
 * the app's error family, once, here at the boundary. `action` says what we were doing, for the
 * reader of the check run ("reading acme/infra").
 *
 * Anything else (a TypeError, a plain Error) is a bug in the app, not GitHub failing: it becomes
 * `internal_error` with the original as its cause, for the caller to log with its stack, and is
 * never reported as "GitHub failed, push the tag again later".
 */
export function mapGitHubError(error: unknown, action: string): PromoterError {
  if (error instanceof PromoterError) return error;
  if (!isGitHubResponseError(error)) {
    return new PromoterError("internal_error", `The app failed unexpectedly while ${action}; its logs have the details.`, { cause: error });
  }
  const e = error as HttpLikeError;
  const detail = e.errors?.map((x) => x.message).filter(Boolean).join("; ") || e.message || String(error);
  const status = e.status;
  if (e.errors?.some((x) => x.type === "STALE_DATA" || /expected.*head|fast.forward|already exists|reference update failed/i.test(x.message ?? ""))) {
    return new PromoterError("github_conflict", `GitHub refused ${action} because the branch moved meanwhile: ${detail}. Retrying converges.`, { retryable: true, cause: error });
  }
  if (status === 409 || status === 422) {
    return new PromoterError("github_conflict", `GitHub refused ${action}: ${detail}.`, { retryable: true, cause: error });
  }
  // A primary or secondary rate limit (403 or 429 that says so, or names when to come back) is not a permission problem.
  const headers = e.response?.headers ?? {};
  if ((status === 403 || status === 429) && (/rate limit/i.test(detail) || headers["retry-after"] !== undefined || String(headers["x-ratelimit-remaining"]) === "0")) {
    return new PromoterError("github_rate_limited", `GitHub's rate limit stopped ${action}: ${detail}. Nothing was changed; retrying later converges.`, { retryable: true, cause: error });
  }
  if (status === 401 || status === 403 || status === 404 || e.errors?.some((x) => x.type === "FORBIDDEN" || x.type === "NOT_FOUND")) {
    return new PromoterError(
      "github_forbidden",
      `GitHub refused ${action}: ${detail}. Check that the app is installed on that repository with the permissions in the README.`,
      { cause: error },
    );
  }
  if (status === undefined || status >= 500 || status === 429) {
    return new PromoterError("github_unavailable", `GitHub failed while ${action}: ${detail}. Push the tag again later, or redeliver the webhook.`, {
      retryable: true,
      cause: error,
    });
  }
  return new PromoterError("github_invalid_response", `GitHub answered ${status} while ${action}: ${detail}.`, { cause: error });
}
