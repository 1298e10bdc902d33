/**
 * Manifest media types we accept, in the order we ask for them: indexes first, so that a
 * multi-arch image resolves to its index digest (what `docker buildx imagetools inspect`
 * prints), never to one platform's manifest.
 */
export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
] as const;

export type ManifestMediaType = (typeof MANIFEST_MEDIA_TYPES)[number];

export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/** The media type from a Content-Type header (parameters dropped), if it is one we accept. */
export function acceptedManifestMediaType(contentType: string | null): ManifestMediaType | undefined {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  return MANIFEST_MEDIA_TYPES.find((accepted) => accepted === mediaType);
}
