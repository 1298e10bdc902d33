import { PromoterError, isPromoterError } from "../errors.js";
import { classifyConnectionFailure, type ConnectionFailure } from "./classify-connection-failure.js";
import { isLoopbackHost } from "./image-reference.js";
import { formatDuration, unavailableError } from "./registry-errors.js";
import { send, type RegistryHttp } from "./registry-http.js";

/**
 * The scheme we speak to one registry during one resolution, and how we got there.
 *
 * Docker tries https first and, for insecure registries only (loopback hosts are insecure by
 * default), falls back to plain http on any error of the https attempt. We keep that shape and
 * narrow it, so that nothing an attacker or a misconfiguration can provoke turns into a quiet
 * downgrade:
 *
 * * https always comes first, for every registry.
 * * Plain http is only ever tried for loopback hosts (127.0.0.0/8, localhost, [::1]) and for
 *   registries the config marks `insecure: true`. Credentials therefore never travel over plain
 *   http to any other host.
 * * We fall back only when the https attempt got no HTTP answer and failed at connection level:
 *   the server answered our TLS handshake with plain http ("wrong version number"), or the
 *   connection was refused, reset or closed. Refused counts because without a port https is
 *   :443 and http is :80 (a plain-http registry on :80 refuses :443), and Docker falls back
 *   there too.
 * * We never fall back on an HTTP answer of any status (the server speaks https; its answer
 *   stands), on a certificate error (the server speaks TLS, so plain http to it cannot work;
 *   Docker skips verification for insecure registries, we don't: a private CA is trusted with
 *   NODE_EXTRA_CA_CERTS), on our request timeout or on a name that does not resolve (plain
 *   http would fail the same way, or only double the wait).
 * * Once either scheme produced an HTTP answer, the resolution stays on it: a later connection
 *   failure of a registry that answered over https never downgrades it to http.
 */
export interface RegistryEndpoint {
  /** host[:port] */
  readonly registry: string;
  /** A loopback host or `registries.<host>.insecure: true`. */
  readonly mayUseHttp: boolean;
  scheme: "https" | "http";
  /** Set once `scheme` produced an HTTP answer. */
  settled: boolean;
}

export function registryEndpoint(registry: string, insecure: boolean): RegistryEndpoint {
  return { registry, mayUseHttp: insecure || isLoopbackHost(registry), scheme: "https", settled: false };
}

/**
 * One request to the registry at `path` ("/v2/…"), over the scheme the rule above picks.
 * Failures are PromoterErrors: `registry_unavailable` (retryable) for network failures, or
 * `registry_invalid_response` for a certificate we do not trust and for a plain-http answer
 * from a registry that is not allowed plain http; both say what to do.
 */
export async function sendToRegistry(
  http: RegistryHttp,
  endpoint: RegistryEndpoint,
  path: string,
  init: { method: "GET" | "HEAD"; headers: Record<string, string> },
): Promise<Response> {
  const name = `registry ${endpoint.registry}`;
  const url = (scheme: "https" | "http"): URL => new URL(`${scheme}://${endpoint.registry}${path}`);
  if (endpoint.settled && endpoint.scheme === "http") return send(http, name, url("http"), init);

  let httpsFailure: ConnectionFailure;
  try {
    const response = await send(http, name, url("https"), init);
    endpoint.scheme = "https";
    endpoint.settled = true;
    return response;
  } catch (error) {
    if (!isPromoterError(error)) throw error;
    httpsFailure = classifyConnectionFailure(error.cause);
    const fallBack =
      !endpoint.settled &&
      endpoint.mayUseHttp &&
      (httpsFailure.kind === "plain-http" || httpsFailure.kind === "connection");
    if (!fallBack) throw httpsError(endpoint, httpsFailure, error);
  }

  try {
    const response = await send(http, name, url("http"), init);
    endpoint.scheme = "http";
    endpoint.settled = true;
    return response;
  } catch (error) {
    if (!isPromoterError(error)) throw error;
    const httpFailure = classifyConnectionFailure(error.cause);
    const httpDetail =
      httpFailure.kind === "timeout" ? `no answer within ${formatDuration(http.requestTimeoutMs)}` : httpFailure.detail;
    throw unavailableError(
      `could not reach ${name} over https (${httpsFailure.detail}) nor over plain http (${httpDetail})`,
      { cause: error },
    );
  }
}

/** The error for an https attempt we do not fall back from. */
function httpsError(endpoint: RegistryEndpoint, failure: ConnectionFailure, error: PromoterError): PromoterError {
  const { registry } = endpoint;
  if (failure.kind === "certificate") {
    return new PromoterError(
      "registry_invalid_response",
      `registry ${registry} presented a TLS certificate this process does not accept (${failure.detail}); ` +
        `if it is signed by a private CA, start the app with NODE_EXTRA_CA_CERTS set to that CA's PEM file`,
      { retryable: false, cause: error },
    );
  }
  if (failure.kind === "plain-http" && !endpoint.mayUseHttp) {
    return new PromoterError(
      "registry_invalid_response",
      `registry ${registry} answered plain http over https (${failure.detail}); ` +
        `set registries.${registry}.insecure: true if it is a plain-http registry`,
      { retryable: false, cause: error },
    );
  }
  return error;
}
