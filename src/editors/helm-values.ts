/**
 * Helm values files: the pin is the string at a dotted key path from the document root, e.g.
 * `core.image.digest` (`services.<name>.targets.helm.path`). By default the app writes the digest
 * alone (`sha256:…`, what charts' `image.digest` takes); `write: reference` writes the whole
 * `image@sha256:…` for charts that take one image string. Keys holding dots cannot be named.
 */
import { isAlias, isMap, isScalar, isSeq } from "yaml";
import { PromoterError } from "../errors.js";
import type { TargetSpec } from "./target-editor.js";
import { hasMergeKey, nodeLine, pairOf, yamlTargetEditor, type YamlLocation } from "./yaml-target.js";

type HelmSpec = Extract<TargetSpec, { kind: "helm" }>;

export const helmValuesEditor = yamlTargetEditor<HelmSpec>({
  locate(docs, spec, { file, text, describe }) {
    // Helm 3 reads only the first document of a values file (Helm 4 merges them): which one
    // counts depends on the Helm version, so a file with several is refused.
    // An empty document after the first (a trailing `---`) is nothing; an empty first one is
    // what Helm 3 would read.
    const documents = docs.filter((doc, index) => index === 0 || !(doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)));
    if (documents.length > 1) {
      throw new PromoterError(
        "target_ambiguous",
        `${file} holds ${documents.length} YAML documents; Helm 3 reads only the first and Helm 4 merges them, so the app cannot tell which value counts. Keep one document in a values file`,
      );
    }
    const found: YamlLocation[] = [];
    let deepest = { depth: -1, reason: "" };
    const note = (depth: number, reason: string) => {
      if (depth > deepest.depth) deepest = { depth, reason };
    };
    docs.forEach((doc, docIndex) => {
      let node: unknown = doc.contents;
      let key: unknown;
      const ancestors: unknown[] = [];
      for (const [depth, segment] of spec.path.entries()) {
        const at = depth === 0 ? "the document" : spec.path.slice(0, depth).join(".");
        if (isAlias(node)) {
          throw new PromoterError(
            "target_aliased",
            `${at} in ${file} (line ${nodeLine(text, node)}) is an alias (*${node.source}); write ${describe} itself there, the app edits one place only`,
          );
        }
        if (!isMap(node)) {
          note(depth, `${at} is ${isSeq(node) ? "a list" : isScalar(node) ? "a single value" : "empty"}, not a mapping`);
          return;
        }
        ancestors.push(node);
        const pair = pairOf(node, segment);
        if (pair === undefined) {
          if (hasMergeKey(node)) {
            throw new PromoterError(
              "target_aliased",
              `${at} in ${file} (line ${nodeLine(text, node)}) takes keys from a merge key (<<) and has no ${segment} of its own; write ${describe} there, the app edits one place only`,
            );
          }
          note(depth, depth === 0 ? `there is no top-level key ${segment}` : `${at} has no key ${segment}`);
          return;
        }
        node = pair.value;
        key = pair.key;
      }
      found.push({ node, key, path: spec.path, docIndex, ancestors });
    });
    const [only] = found;
    if (only === undefined) {
      throw new PromoterError(
        "target_missing",
        `${file} has no ${describe} (${deepest.reason || "the file is empty"}); add it, e.g. ${spec.path.at(-1)}: "", for the app to fill`,
      );
    }
    return only;
  },
});
