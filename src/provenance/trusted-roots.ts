/**
 * The Sigstore trusted roots provenance is verified against, loaded without network.
 *
 * - Built in: trust/sigstore-public-good.json, the public-good Sigstore root (public
 *   repositories' attestations), written from the TUF seed of the pinned @sigstore/tuf package
 *   by `npm run trusted-roots` and committed; a test keeps the two equal.
 * - `PROVENANCE_TRUSTED_ROOTS`: comma-separated paths of trusted_root.json files (one JSON
 *   document, or JSON Lines with one root per line, as `gh attestation trusted-root` prints
 *   public-good's and GitHub's own) that replace the built-in set. GitHub's instance, which signs
 *   private repositories' attestations, is not built in (its root is served only by
 *   tuf-repo.github.com); an operator adds it this way.
 *
 * A root that cannot be read or parsed is a refusal (fail closed), never a smaller set.
 */
import { readFileSync } from "node:fs";
import { PromoterError } from "../errors.js";

const BUILT_IN = new URL("../../trust/sigstore-public-good.json", import.meta.url);

const cache = new Map<string, unknown[]>();

/** The trusted roots for `env` (parsed JSON documents); cached per setting. */
export function trustedRoots(env: Record<string, string | undefined>): unknown[] {
  const setting = env.PROVENANCE_TRUSTED_ROOTS?.trim() ?? "";
  const known = cache.get(setting);
  if (known !== undefined) return known;
  const paths = setting === "" ? [BUILT_IN.pathname] : setting.split(",").map((path) => path.trim()).filter(Boolean);
  const roots = paths.flatMap((path) => readRoots(path, setting === "" ? "the built-in trusted root" : "PROVENANCE_TRUSTED_ROOTS"));
  cache.set(setting, roots);
  return roots;
}

function readRoots(path: string, origin: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new PromoterError("provenance_unavailable", `${origin}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); no provenance can be verified until it is fixed`, { cause: error });
  }
  // One JSON document (possibly pretty-printed), or else JSON Lines.
  const lines = isJson(text) ? [text] : text.split("\n").filter((line) => line.trim() !== "");
  return lines.map((line, index) => {
    let root: unknown;
    try {
      root = JSON.parse(line);
    } catch (error) {
      throw new PromoterError("provenance_unavailable", `${origin}: ${path}${lines.length > 1 ? ` line ${index + 1}` : ""} is not JSON; no provenance can be verified until it is fixed`, { cause: error });
    }
    if (typeof root !== "object" || root === null || !String((root as { mediaType?: unknown }).mediaType ?? "").startsWith("application/vnd.dev.sigstore.trustedroot")) {
      throw new PromoterError("provenance_unavailable", `${origin}: ${path}${lines.length > 1 ? ` line ${index + 1}` : ""} is not a Sigstore trusted root (mediaType application/vnd.dev.sigstore.trustedroot+json)`);
    }
    return root;
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
