import { invalidResponseError, networkError } from "./registry-errors.js";
import { isPromoterError, type PromoterError } from "../errors.js";

/** The per-call state of one resolution: injected fetch, timeouts and the request count. */
export interface RegistryHttp {
  fetch: typeof fetch;
  requestTimeoutMs: number;
  now: () => number;
  requests: number;
}

/**
 * One HTTP request with a timeout covering headers and body. Network failures and timeouts
 * become `registry_unavailable`; any response (even 5xx) is returned for the caller to map.
 * `target` names what we talk to in messages ("registry ghcr.io", "token endpoint …").
 */
export async function send(
  http: RegistryHttp,
  target: string,
  url: URL,
  init: { method: "GET" | "HEAD" | "POST"; headers: Record<string, string>; body?: string },
): Promise<Response> {
  const signal = AbortSignal.timeout(http.requestTimeoutMs);
  http.requests += 1;
  try {
    return await http.fetch(url, { method: init.method, headers: init.headers, body: init.body, signal, redirect: "follow" });
  } catch (error) {
    throw networkError(target, error, http.requestTimeoutMs);
  }
}

/** Reads a body up to `limit` bytes; a body cut short by the timeout is `registry_unavailable`. */
export async function readBody(
  http: RegistryHttp,
  target: string,
  response: Response,
  limit: number,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await discardBody(response);
    throw tooLarge(target, limit);
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge(target, limit);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (isPromoterError(error)) throw error;
    throw networkError(target, error, http.requestTimeoutMs);
  }
  return Buffer.concat(chunks, size);
}

/** Frees the connection of a response whose body we do not need. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is of no interest; a failure to cancel it changes nothing.
  }
}

function tooLarge(target: string, limit: number): PromoterError {
  return invalidResponseError(`${target} sent a response larger than ${limit} bytes`);
}
