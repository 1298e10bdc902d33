/**
 * Corporate proxies: one rule for every HTTP client of the app. When `HTTPS_PROXY`/`HTTP_PROXY`
 * (or their lowercase forms) are set, GitHub (Octokit, installation tokens included), the image
 * registries and the npm registry reads go through undici's `EnvHttpProxyAgent`, which honours
 * `NO_PROXY` as curl does (host names, `.suffix` domains, `host:port`, `*`); the npm the app
 * spawns gets the same variables (npm/npm-environment.ts). Without them nothing changes: Node's
 * own `fetch` is used and undici's package is never loaded.
 *
 * Why undici's own `fetch` with the agent, not `setGlobalDispatcher`: the global dispatcher is
 * shared with the undici bundled in Node, whose version differs between Node 20, 22 and 24; a
 * dispatcher from another major version is not guaranteed to work with it. undici's `fetch` and
 * agent come from one package, whatever Node runs them.
 *
 * As with curl and npm, `https_proxy` is the proxy for https URLs and `http_proxy` for http ones
 * (an https URL falls back to `http_proxy` when only that is set); the uppercase name wins when
 * both spellings are set.
 */
export interface ProxySettings {
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  noProxy?: string | undefined;
}

/** The proxy variables of `env`, or undefined when none is set (then the app fetches directly). */
export function proxySettings(env: Record<string, string | undefined>): ProxySettings | undefined {
  const pick = (name: string) => (env[name] || env[name.toLowerCase()])?.trim() || undefined;
  const settings = { httpProxy: pick("HTTP_PROXY"), httpsProxy: pick("HTTPS_PROXY"), noProxy: pick("NO_PROXY") };
  return settings.httpProxy === undefined && settings.httpsProxy === undefined ? undefined : settings;
}

/** A `fetch` that goes through the proxy `env` names, or undefined when it names none. undici is loaded on the first request. */
export function proxyFetchFromEnv(env: Record<string, string | undefined>): typeof fetch | undefined {
  const settings = proxySettings(env);
  if (settings === undefined) return undefined;
  let loaded: Promise<typeof fetch> | undefined;
  const load = async (): Promise<typeof fetch> => {
    const undici = await import("undici");
    // Empty strings, not undefined: undefined would make the agent read process.env instead of `env`.
    const dispatcher = new undici.EnvHttpProxyAgent({
      httpProxy: settings.httpProxy ?? "",
      httpsProxy: settings.httpsProxy ?? settings.httpProxy ?? "",
      noProxy: settings.noProxy ?? "",
      // Plain-http URLs are sent to the proxy in absolute form (as curl and npm do); only https
      // is tunnelled with CONNECT, which proxies commonly allow to port 443 alone.
      proxyTunnel: false,
    });
    return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      undici.fetch(input as Parameters<typeof undici.fetch>[0], { ...(init as object), dispatcher } as Parameters<typeof undici.fetch>[1])) as unknown as typeof fetch;
  };
  return (input, init) => (loaded ??= load()).then((proxied) => proxied(input, init));
}
