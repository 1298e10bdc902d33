import { PromoterError } from "../errors.js";

/**
 * How long the server asked us to wait (Retry-After), attached to the errors that carry it.
 * Kept beside the error rather than on it so that callers only ever see plain PromoterErrors.
 */
const retryAfterByError = new WeakMap<PromoterError, number>();

export function retryAfterOf(error: PromoterError): number | undefined {
  return retryAfterByError.get(error);
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^[0-9]+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function unavailableError(
  message: string,
  options: { retryAfterMs?: number | undefined; cause?: unknown } = {},
): PromoterError {
  const error = new PromoterError("registry_unavailable", message, { retryable: true, cause: options.cause });
  if (options.retryAfterMs !== undefined) retryAfterByError.set(error, options.retryAfterMs);
  return error;
}

export function invalidResponseError(message: string): PromoterError {
  return new PromoterError("registry_invalid_response", message, { retryable: false });
}

/** Maps a failed request (network error, DNS, reset, our timeout) to a retryable error. */
export function networkError(target: string, error: unknown, timeoutMs: number): PromoterError {
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") {
    return unavailableError(`${target} did not answer within ${formatDuration(timeoutMs)}`, { cause: error });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  const detail =
    typeof code === "string" ? code : cause instanceof Error ? cause.message : "network error";
  return unavailableError(`could not reach ${target}: ${detail}`, { cause: error });
}

/** "10m", "1m30s", "45s", "250ms": for messages that say how long we waited. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${seconds}s` : ""].join("");
}
