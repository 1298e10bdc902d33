/**
 * Writes trust/sigstore-public-good.json, the public-good Sigstore trusted root the app pins for
 * verifying build provenance, from the TUF seed that @sigstore/tuf (a pinned dev dependency, the
 * Sigstore project's own package) embeds: the root its TUF client starts from, signed by the
 * Sigstore root keys. `npm run trusted-roots` after bumping @sigstore/tuf; a test fails when the
 * committed file and the seed differ. Nothing is fetched.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const SEED_REPOSITORY = "https://tuf-repo-cdn.sigstore.dev";

export function publicGoodRootFromSeed(): string {
  const seeds = JSON.parse(readFileSync(require.resolve("@sigstore/tuf/seeds.json"), "utf8")) as Record<string, { targets: Record<string, string> }>;
  const target = seeds[SEED_REPOSITORY]?.targets["trusted_root.json"];
  if (target === undefined) throw new Error(`@sigstore/tuf's seeds.json has no trusted_root.json for ${SEED_REPOSITORY}`);
  return `${JSON.stringify(JSON.parse(Buffer.from(target, "base64").toString("utf8")), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = new URL("../trust/sigstore-public-good.json", import.meta.url);
  writeFileSync(out, publicGoodRootFromSeed());
  console.log(`wrote ${out.pathname}`);
}
