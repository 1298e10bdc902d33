/**
 * What kind of failure a rejected `fetch` was: the request got no HTTP answer at all. Node's
 * fetch (undici) rejects with TypeError("fetch failed") whose `cause` carries the socket or TLS
 * error code; our own request timeout rejects with a TimeoutError/AbortError.
 */
export type ConnectionFailure =
  /** Our request timeout: the registry accepted the connection (or DNS hung) and did not answer. */
  | { kind: "timeout"; detail: string }
  /** The name did not resolve: any scheme would fail the same way. */
  | { kind: "name"; detail: string }
  /** The server speaks TLS, with a certificate this process does not trust (or that is invalid). */
  | { kind: "certificate"; detail: string }
  /** Our TLS ClientHello was answered with plain http ("wrong version number"). */
  | { kind: "plain-http"; detail: string }
  /** Refused, reset, closed, any other handshake or socket failure. */
  | { kind: "connection"; detail: string };

/** OpenSSL's X509 verification errors as Node names them, and Node's own host name check. */
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const NAME_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA"]);

/** OpenSSL reading an http response as a TLS record: "wrong version number", "packet length too long". */
const PLAIN_HTTP_CODES = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_HTTP_REQUEST"]);
const PLAIN_HTTP_MESSAGE = /wrong version number|packet length too long|http request/i;

export function classifyConnectionFailure(error: unknown): ConnectionFailure {
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return { kind: "timeout", detail: "no answer in time" };

  const cause = rootCause(error);
  const code = codeOf(cause);
  const message = cause instanceof Error ? cause.message : "";
  const detail = code ?? (message || "network error");
  if (code !== undefined && CERTIFICATE_CODES.has(code)) return { kind: "certificate", detail: `${code}: ${short(message)}` };
  if (code !== undefined && NAME_CODES.has(code)) return { kind: "name", detail };
  if ((code !== undefined && PLAIN_HTTP_CODES.has(code)) || (code === "EPROTO" && PLAIN_HTTP_MESSAGE.test(message))) {
    return { kind: "plain-http", detail };
  }
  return { kind: "connection", detail };
}

/** fetch's TypeError → its cause (an AggregateError of several addresses → the first). */
function rootCause(error: unknown): unknown {
  let cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (codeOf(cause) === undefined && cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0];
  return cause;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
}

function short(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, "?").trim();
  return printable.length > 120 ? `${printable.slice(0, 120)}…` : printable;
}
