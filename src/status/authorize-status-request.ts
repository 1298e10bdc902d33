import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether a request (its Authorization header and URL) carries the status page's token: `Authorization: Bearer <token>` or
 * `?token=<token>`. Compared in constant time: both sides are hashed first, so the buffers
 * timingSafeEqual compares have the same length whatever was sent.
 */
export function isAuthorized(header: string | undefined, url: URL, token: string): boolean {
  const bearer = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const offered = [bearer, url.searchParams.get("token") ?? undefined].filter((value): value is string => value !== undefined);
  // Every offered value is compared (no early exit on the first), then any match wins.
  return offered.map((value) => sameSecret(value, token)).includes(true);
}

function sameSecret(offered: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(offered), digest(expected));
}
