import type { Logger } from "probot";
import type { PromoterError } from "../errors.js";

/**
 * Logs a failure with its `code`: `internal_error` (a bug) at error level with the original
 * error and its stack, everything else at warn level with whether a retry can help.
 */
export function logFailure(log: Logger, error: PromoterError, message: string): void {
  if (error.code === "internal_error") log.error({ code: error.code, err: error.cause ?? error }, message);
  else log.warn({ code: error.code, retryable: error.retryable }, message);
}
