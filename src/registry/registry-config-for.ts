import { PromoterError } from "../errors.js";
import { normalizeRegistryHost, parseImageRepository } from "./image-reference.js";

/**
 * The `registries:` entry of the config that governs `image`, matched on the registry the image
 * is pulled from: keys compare case-insensitively, and docker.io, index.docker.io and
 * registry-1.docker.io all name Docker Hub, which is where images without a host
 * (`acme/core-api`, `nginx`) live. No entry: undefined (anonymous, https only).
 *
 * Two keys naming one registry are refused by the config schema; should such a map reach here
 * anyway, this refuses too rather than pick one (`config_invalid`).
 */
export function registryConfigFor<T>(registries: Readonly<Record<string, T>>, image: string): T | undefined {
  const { registry } = parseImageRepository(image);
  const keys = Object.keys(registries).filter((key) => normalizeRegistryHost(key) === registry);
  if (keys.length > 1) {
    throw new PromoterError(
      "config_invalid",
      `registries ${keys.join(" and ")} all name registry ${registry} (used by ${image}); keep one entry`,
    );
  }
  return keys.length === 0 ? undefined : registries[keys[0]!];
}
