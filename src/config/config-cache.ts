import type { Config } from "./config.schema.js";
import { CONFIG_PATH, parseConfig } from "./parse-config.js";

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

/**
 * The config at infra's head, from a read that returned its text and blob oid: the cached config
 * when the blob is the one it was parsed from (`unchanged`), else the text parsed (throwing
 * `config_invalid` with every problem) and cached under its oid with the default branch seen.
 * `cached` is the entry as it was before the read (a promotion guesses its reads from it).
 */
export function configAtHead(
  cache: ConfigCache | undefined,
  installationId: number,
  infra: string,
  cached: CachedConfig | undefined,
  head: { text: string; oid: string | undefined; defaultBranch: string; nameWithOwner: string },
): { config: Config; unchanged: boolean } {
  // The blob the cached config was parsed from: the same text, no need to parse it again.
  const unchanged = cached !== undefined && head.oid === cached.oid;
  const config = unchanged ? cached.config : parseConfig(head.text, `${head.nameWithOwner}:${CONFIG_PATH}`);
  if (head.oid !== undefined && (!unchanged || cached.defaultBranch !== head.defaultBranch)) {
    cache?.set(installationId, infra, { oid: head.oid, config, defaultBranch: head.defaultBranch });
  }
  return { config, unchanged };
}

function key(installationId: number, infra: string): string {
  return `${installationId}/${infra.toLowerCase()}`;
}
