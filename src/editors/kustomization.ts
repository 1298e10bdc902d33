/**
 * Kustomizations: the pin is the `digest` of the one `images:` entry that renders the service's
 * image: its `name` is the image, or its `newName` is (the common base/overlay pattern, where
 * resources say `image: core-api` and the entry renames it to the registry's repository). With
 * `services.<name>.targets.kustomization.name`, the entry of that `name` only. Two entries that
 * match are ambiguous and refused.
 *
 *     images:
 *       - name: ghcr.io/acme/core-api
 *         digest: sha256:…  # core-v0.10.0
 *
 * Kustomize's trap, `newTag` and `digest` on one entry: kustomize then renders both into the
 * image (`name:tag@sha256:…` in current releases; older releases dropped one of them), so the tag
 * a reviewer reads may name another version than the digest that runs, and a tool that moves
 * only one of them leaves the other stale. The app refuses such an entry (`kustomize_new_tag`)
 * and says to remove `newTag`: the version is recorded by the `# core-vX.Y.Z` marker after the
 * digest instead. An entry pinned by `newTag` alone is refused the same way (the app pins
 * digests and never adds or removes keys); replacing `newTag: …` by `digest: ""` once by hand
 * lets the app fill it.
 */
import { isAlias, isMap, isSeq, type YAMLMap } from "yaml";
import { PromoterError } from "../errors.js";
import type { TargetSpec } from "./target-editor.js";
import { hasMergeKey, nodeLine, listLines, pairOf, stringOf, type YamlDocument, yamlTargetEditor } from "./yaml-target.js";

type KustomizationSpec = Extract<TargetSpec, { kind: "kustomization" }>;

/** kustomize's image fields, by their lowercase spelling. */
const KUSTOMIZE_FIELDS = new Map(["name", "newName", "newTag", "digest"].map((field) => [field.toLowerCase(), field]));

/** A field of the entry with its merge keys applied. */
function effective(entry: YAMLMap, doc: YamlDocument, field: string): unknown {
  const data = entry.toJS(doc, { maxAliasCount: -1 }) as Record<string, unknown> | null;
  return data?.[field];
}

export const kustomizationEditor = yamlTargetEditor<KustomizationSpec>({
  locate(docs, spec, { file, text }) {
    const entries: Array<{ entry: YAMLMap; index: number; docIndex: number; ancestors: unknown[] }> = [];
    docs.forEach((doc, docIndex) => {
      const root = doc.contents;
      if (!isMap(root)) return;
      const images = pairOf(root, "images")?.value;
      if (images === undefined || images === null) return;
      if (isAlias(images)) {
        throw new PromoterError("target_aliased", `images in ${file} (line ${nodeLine(text, images)}) is an alias (*${images.source}); write the list itself there`);
      }
      if (!isSeq(images)) throw new PromoterError("target_not_scalar", `images in ${file} (line ${nodeLine(text, images)}) is not a list`);
      images.items.forEach((item, index) => {
        const entry = isAlias(item) ? item.resolve(doc) : item;
        if (!isMap(entry)) return;
        if (hasMergeKey(entry) && (effective(entry, doc, "name") === spec.name || (spec.orNewName && effective(entry, doc, "newName") === spec.name))) {
          throw new PromoterError(
            "target_aliased",
            `the images entry ${spec.name} in ${file} (line ${nodeLine(text, entry)}) takes keys from a merge key (<<), which may bring newTag or digest from elsewhere; write the entry's keys in it`,
          );
        }
        const name = stringOf(pairOf(entry, "name")?.value);
        if (name === spec.name || (spec.orNewName && stringOf(pairOf(entry, "newName")?.value) === spec.name)) {
          if (isAlias(item)) {
            throw new PromoterError(
              "target_aliased",
              `the images entry ${spec.name} in ${file} (line ${nodeLine(text, item)}) is an alias (*${item.source}); write the entry itself there`,
            );
          }
          entries.push({ entry, index, docIndex, ancestors: [root, images] });
        }
      });
    });
    const [only, ...more] = entries;
    if (only === undefined) {
      throw new PromoterError(
        "target_missing",
        `${file} has no images entry ${spec.orNewName ? "whose name or newName is" : "named"} ${spec.name}; add one ("- name: ${spec.name}" with digest: "") for the app to fill, or set targets.kustomization.name`,
      );
    }
    if (more.length > 0) {
      throw new PromoterError(
        "target_ambiguous",
        `${file} has ${entries.length} images entries ${spec.orNewName ? "that render" : "named"} ${spec.name} (${listLines(entries.map((e) => nodeLine(text, e.entry)))}); keep one`,
      );
    }
    const { entry } = only;
    const where = `the images entry ${spec.name} in ${file} (line ${nodeLine(text, entry)})`;
    // kustomize decodes through Go's encoding/json, which matches field names case-insensitively:
    // `NewTag:` or a second `Digest:` would count there and be invisible here.
    const lookalike = entry.items
      .map((pair) => stringOf(pair.key))
      .find((key) => key !== undefined && KUSTOMIZE_FIELDS.has(key.toLowerCase()) && KUSTOMIZE_FIELDS.get(key.toLowerCase()) !== key);
    if (lookalike !== undefined) {
      throw new PromoterError(
        "target_ambiguous",
        `${where} has the key ${lookalike}, which kustomize reads as ${KUSTOMIZE_FIELDS.get(lookalike.toLowerCase())} (it ignores case); write the field names as kustomize documents them`,
      );
    }
    const newTag = pairOf(entry, "newTag");
    const digest = pairOf(entry, "digest");
    if (newTag !== undefined) {
      const tag = stringOf(newTag.value) ?? "…";
      throw new PromoterError(
        "kustomize_new_tag",
        digest !== undefined
          ? `${where} sets both newTag (${tag}) and digest: kustomize then renders the tag and the digest into the image, and the tag may name another version than the digest that runs. Remove the newTag line; the app records the version as # <prefix>-vX.Y.Z after the digest`
          : `${where} is pinned by newTag (${tag}), not by digest, and the app pins digests without adding or removing keys. Replace the line newTag: ${tag} by digest: "" once, and the app fills it`,
      );
    }
    if (digest === undefined) {
      throw new PromoterError("target_missing", `${where} has no digest; add digest: "" to the entry for the app to fill`);
    }
    return {
      node: digest.value,
      key: digest.key,
      path: ["images", only.index, "digest"],
      docIndex: only.docIndex,
      ancestors: [...only.ancestors, entry],
    };
  },
});
