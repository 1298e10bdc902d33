import type { Config } from "./config.schema.js";

/**
 * The last parsed config of each infra repository, keyed by the installation and the repository,
 * and valid only for the git blob it was parsed from.
 *
 * A promotion's first read always fetches the config's blob oid (and its text) at infra's head.
 * When that oid is the cached one, the cached config *is* the config at that head, so what the
 * app derived from it before the read (which environment files and promotion branches to read
 * in the same query) stands, and the text need not be parsed again. Any other oid — an edited
 * config, a first promotion after a start — is parsed from the text just read, and the reads the
 * cache guessed are discarded. The cache can make a promotion faster, never different.
 */
export interface CachedConfig {
  /** The git blob the config was parsed from. */
  oid: string;
  config: Config;
  /** Infra's default branch when it was read (the promotion PRs' base). */
  defaultBranch: string;
}

export class ConfigCache {
  private readonly entries = new Map<string, CachedConfig>();

  constructor(private readonly maxEntries = 1000) {}

  get(installationId: number, infra: string): CachedConfig | undefined {
    return this.entries.get(key(installationId, infra));
  }

  set(installationId: number, infra: string, entry: CachedConfig): void {
    const k = key(installationId, infra);
    this.entries.delete(k);
    this.entries.set(k, entry);
    // Oldest first in a Map's order: drop it beyond the bound.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets an entry (a push that may have changed the config: the next read parses it again). */
  delete(installationId: number, infra: string): void {
    this.entries.delete(key(installationId, infra));
  }

  get size(): number {
    return this.entries.size;
  }
}

function key(installationId: number, infra: string): string {
  return `${installationId}/${infra.toLowerCase()}`;
}
