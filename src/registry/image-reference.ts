import { isIP } from "node:net";

/** Where an image lives: the registry to talk to and the repository name inside it. */
export interface ImageRepository {
  /** host[:port] as used in URLs, lowercased; Docker Hub is "registry-1.docker.io". */
  registry: string;
  /** Repository path inside the registry; Docker Hub single names get "library/". */
  repository: string;
}

const DOCKER_HUB_REGISTRY = "registry-1.docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

// Grammar from the distribution reference package (github.com/distribution/reference).
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`,
);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Parses an image repository as written in the config: "ghcr.io/acme/core-api",
 * "127.0.0.1:5000/acme/core-api", "acme/core-api" or "nginx" (the last two on Docker Hub).
 * A tag or digest is not part of it (tags come from the service's imageTag).
 *
 * Throws a plain Error on malformed input; config validation calls this and reports the message.
 */
export function parseImageRepository(image: string): ImageRepository {
  if (typeof image !== "string" || image.length === 0) {
    throw new Error("image must be a non-empty string such as ghcr.io/acme/core-api");
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(image)) {
    throw new Error(`image "${image}" must not include a URL scheme; write it as ghcr.io/acme/core-api`);
  }
  if (image.includes("@")) {
    throw new Error(`image "${image}" must not include a digest; the digest is what gets resolved`);
  }

  const slash = image.indexOf("/");
  const first = slash === -1 ? "" : image.slice(0, slash);
  // Same rule as Docker: the first component is a registry host when it looks like one.
  const hasHost =
    slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("["));

  let registry: string;
  let path: string;
  if (hasHost) {
    if (!HOST_RE.test(first)) {
      throw new Error(`image "${image}" has an invalid registry host "${first}"`);
    }
    const port = /:([0-9]+)$/.exec(first)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      throw new Error(`image "${image}" has an invalid registry port ${port}`);
    }
    registry = normalizeRegistryHost(first);
    path = image.slice(slash + 1);
  } else {
    registry = DOCKER_HUB_REGISTRY;
    path = image;
  }
  if (registry === DOCKER_HUB_REGISTRY && !path.includes("/")) path = `library/${path}`;

  const components = path.split("/");
  for (const component of components) {
    if (component.includes(":")) {
      throw new Error(
        `image "${image}" must not include a tag; the tag comes from the service's imageTag setting`,
      );
    }
    if (!PATH_COMPONENT_RE.test(component)) {
      throw new Error(
        `image "${image}" has an invalid repository path component "${component}" (lowercase letters, digits and . _ - separators only)`,
      );
    }
  }
  if (path.length > MAX_NAME_LENGTH) {
    throw new Error(`image "${image}" has a repository name longer than ${MAX_NAME_LENGTH} characters`);
  }
  return { registry, repository: path };
}

/**
 * The registry a host[:port] names, as `ImageRepository.registry` spells it: lowercased, and
 * Docker Hub's three names (docker.io, index.docker.io, registry-1.docker.io) folded into the
 * one we talk to. Used to match `registries:` keys of the config against images.
 */
export function normalizeRegistryHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB_REGISTRY : lower;
}

/** A manifest reference: a tag (what CI pushed) or a sha256 digest. */
export function isValidManifestReference(reference: string): boolean {
  return TAG_RE.test(reference) || DIGEST_RE.test(reference);
}

/** The hostname part of "host[:port]" (IPv6 brackets removed). */
export function registryHostname(registry: string): string {
  if (registry.startsWith("[")) {
    const end = registry.indexOf("]");
    return registry.slice(1, end === -1 ? undefined : end);
  }
  const colon = registry.lastIndexOf(":");
  return colon === -1 ? registry : registry.slice(0, colon);
}

/**
 * Loopback hosts, which Docker treats as insecure (plain http) registries by default:
 * localhost, 127.0.0.0/8 and ::1. Accepts "host", "host:port", "[::1]:port" or a URL hostname.
 */
export function isLoopbackHost(host: string): boolean {
  const hostname = (host.includes("]") || !host.includes("::") ? registryHostname(host) : host)
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  if (hostname === "localhost") return true;
  if (isIP(hostname) === 4) return hostname.startsWith("127.");
  if (isIP(hostname) === 6) return hostname === "::1" || hostname === "0:0:0:0:0:0:0:1";
  return false;
}
