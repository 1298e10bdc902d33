import { PromoterError } from "../errors.js";

interface HttpLikeError {
  status?: number;
  message?: string;
  errors?: Array<{ type?: string; message?: string }>;
}

/**
 * Maps whatever Octokit threw (RequestError for REST, GraphqlResponseError for GraphQL) into
 * the app's error family, once, here at the boundary. `action` says what we were doing, for the
 * reader of the check run ("reading acme/infra").
 */
export function mapGitHubError(error: unknown, action: string): PromoterError {
  if (error instanceof PromoterError) return error;
  const e = (error ?? {}) as HttpLikeError;
  const detail = e.errors?.map((x) => x.message).filter(Boolean).join("; ") || e.message || String(error);
  const status = e.status;
  if (e.errors?.some((x) => x.type === "STALE_DATA" || /expected.*head|fast.forward|already exists|reference update failed/i.test(x.message ?? ""))) {
    return new PromoterError("github_conflict", `GitHub refused ${action} because the branch moved meanwhile: ${detail}. Retrying converges.`, { retryable: true, cause: error });
  }
  if (status === 409 || status === 422) {
    return new PromoterError("github_conflict", `GitHub refused ${action}: ${detail}.`, { retryable: true, cause: error });
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
