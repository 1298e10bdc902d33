/**
 * Plain Kubernetes manifests (one or many `---` separated documents): the pin is the `image` of
 * the one container named `services.<name>.targets.manifest.container`, in any `containers`,
 * `initContainers` or `ephemeralContainers` list of any document (Deployments, StatefulSets,
 * CronJobs' job templates, custom resources with pod templates). Two containers of that name in
 * the file are ambiguous and refused, unless `targets.manifest.workload` names the object
 * (`metadata.name` of the document, or of an item of a `kind: List`) to look in. The app writes the whole reference,
 * `ghcr.io/acme/core-api@sha256:…`.
 */
import { isAlias, isMap, isScalar, isSeq, type YAMLMap } from "yaml";
import { PromoterError } from "../errors.js";
import type { TargetSpec } from "./target-editor.js";
import { hasMergeKey, nodeLine, listLines, pairOf, stringOf, yamlTargetEditor, type YamlLocation } from "./yaml-target.js";

type ManifestSpec = Extract<TargetSpec, { kind: "manifest" }>;

const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"]);

interface Container {
  container: YAMLMap;
  path: Array<string | number>;
  ancestors: unknown[];
  docIndex: number;
}

export const manifestEditor = yamlTargetEditor<ManifestSpec>({
  locate(docs, spec, { file, text }) {
    const found: Container[] = [];
    docs.forEach((doc, docIndex) => {
      walk(doc.contents, [], [], undefined, (map, path, ancestors, object) => {
        if (spec.workload !== undefined && object !== spec.workload) return;
        for (const pair of map.items) {
          const name = isScalar(pair.key) ? pair.key.value : undefined;
          if (typeof name !== "string" || !CONTAINER_LISTS.has(name) || !isSeq(pair.value)) continue;
          const list = pair.value;
          list.items.forEach((item, index) => {
            if (isMap(item) && hasMergeKey(item) && (item.toJS(doc, { maxAliasCount: -1 }) as { name?: unknown } | null)?.name === spec.container) {
              throw new PromoterError(
                "target_aliased",
                `the container ${spec.container} in ${file} (line ${nodeLine(text, item)}) takes keys from a merge key (<<); write its name and image in the container itself`,
              );
            }
            if (isMap(item) && stringOf(pairOf(item, "name")?.value) === spec.container) {
              found.push({ container: item, path: [...path, name, index], ancestors: [...ancestors, map, list], docIndex });
            }
          });
        }
      });
    });
    const [only, ...more] = found;
    const within = spec.workload === undefined ? "of any document" : `of the object named ${spec.workload}`;
    if (only === undefined) {
      throw new PromoterError(
        "target_missing",
        `${file} has no container named ${spec.container} (in containers or initContainers ${within}); fix targets.manifest or the file`,
      );
    }
    if (more.length > 0) {
      throw new PromoterError(
        "target_ambiguous",
        `${file} has ${found.length} containers named ${spec.container} (${listLines(found.map((f) => nodeLine(text, f.container)))}); ` +
          `the app cannot tell which is the service's. ${spec.workload === undefined ? "Name the object with targets.manifest.workload, or give the container a unique name" : "Give the container a unique name"}`,
      );
    }
    const image = pairOf(only.container, "image");
    if (image === undefined) {
      throw new PromoterError("target_missing", `the container ${spec.container} in ${file} (line ${nodeLine(text, only.container)}) has no image; add one for the app to update`);
    }
    const location: YamlLocation = {
      node: image.value,
      key: image.key,
      path: [...only.path, "image"],
      docIndex: only.docIndex,
      ancestors: [...only.ancestors, only.container],
    };
    return location;
  },
});

type MapVisitor = (map: YAMLMap, path: Array<string | number>, ancestors: unknown[], object: string | undefined) => void;

/**
 * Every mapping under `node`, with its data path and the `metadata.name` of the nearest object
 * around it (a document, or an item of a `kind: List`); aliases are not followed (their
 * originals are visited where they are written).
 */
function walk(node: unknown, path: Array<string | number>, ancestors: unknown[], object: string | undefined, visitMap: MapVisitor): void {
  if (isAlias(node)) return;
  if (isMap(node)) {
    const metadata = pairOf(node, "metadata")?.value;
    const name = isMap(metadata) ? stringOf(pairOf(metadata, "name")?.value) : undefined;
    const here = name !== undefined && pairOf(node, "kind") !== undefined ? name : object;
    visitMap(node, path, ancestors, here);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key === "string" || typeof key === "number") walk(pair.value, [...path, key], [...ancestors, node], here, visitMap);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => walk(item, [...path, index], [...ancestors, node], object, visitMap));
  }
}
