/** A registry credential a provider fetched, and when it stops working (ms since the epoch). */
export interface ProviderToken {
  username: string;
  password: string;
  expiresAt: number;
}

/** A token is fetched again this long before it expires, so a resolution never races its expiry. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Provider tokens by key (provider and registry), kept until REFRESH_MARGIN_MS before they
 * expire. Callers asking while a fetch is under way share it; a failed fetch is not kept, so
 * the next caller tries again.
 */
export class ProviderTokenCache {
  readonly #tokens = new Map<string, ProviderToken>();
  readonly #fetching = new Map<string, Promise<ProviderToken>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly marginMs: number = REFRESH_MARGIN_MS,
  ) {}

  async get(key: string, fetchToken: () => Promise<ProviderToken>): Promise<ProviderToken> {
    const cached = this.#tokens.get(key);
    if (cached !== undefined && cached.expiresAt - this.marginMs > this.now()) return cached;
    const pending = this.#fetching.get(key);
    if (pending !== undefined) return pending;

    this.#tokens.delete(key);
    const fetching = fetchToken()
      .then((token) => {
        this.#tokens.set(key, token);
        return token;
      })
      .finally(() => this.#fetching.delete(key));
    this.#fetching.set(key, fetching);
    return fetching;
  }

  /** Drops a token the registry refused, so the next resolution fetches a new one. */
  forget(key: string): void {
    this.#tokens.delete(key);
  }
}

/** The process's cache: every resolution of the app shares it. */
export const sharedProviderTokens = new ProviderTokenCache();
