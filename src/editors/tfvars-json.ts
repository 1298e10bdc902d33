/**
 * Terraform's JSON variables files (`*.tfvars.json`): the pin is the top-level string property
 * named by the service's `variable`. JSON has no comments, so there is no marker: the running
 * version is unknown (the change is planned, the reviewer sees the old value) unless the service
 * names a sibling property that holds the release tag (`targets.tfvars-json.versionVariable`,
 * e.g. `"core_version": "core-v0.10.0"`); then that property is read for the downgrade rule and
 * rewritten with the value, and must be exactly the service's release tag (fail closed).
 *
 * Parsed with jsonc-parser (offsets of every node) in strict JSON mode: no comments, no trailing
 * commas. A property named twice is refused (`variable_duplicated`): JSON.parse would take the
 * last one silently. Only the value strings' text changes; the proof is JSON.parse of both texts,
 * equal except the changed properties, and only their lines differ.
 */
import { isDeepStrictEqual } from "node:util";
import { type Node as JsonNode, parseTree, type ParseError, printParseErrorCode } from "jsonc-parser";
import { parsePromotionMarker } from "../core/parse-tag.js";
import { PromoterError } from "../errors.js";
import { lineOf } from "./text-lines.js";
import { markerFields } from "./release-marker.js";
import type { EditorOptions, PinEdit, PinnedValue, TargetEditor, TargetSpec } from "./target-editor.js";

type TfvarsJsonSpec = Extract<TargetSpec, { kind: "tfvars-json" }>;

interface Found {
  pinned: PinnedValue;
  value: JsonNode;
  version?: JsonNode | undefined;
}

export const tfvarsJsonEditor: TargetEditor<TfvarsJsonSpec> = {
  read: (text, spec, options) => find(text, spec, options).pinned,
  edit(text, spec, change, options): PinEdit {
    const found = find(text, spec, options);
    const previous = found.pinned;
    const writesVersion = found.version !== undefined;
    if (previous.value === change.value && (!writesVersion || previous.marker === change.marker)) return { text, previous, changed: false };
    const replacements = [{ node: found.value, text: JSON.stringify(change.value) }];
    if (found.version !== undefined) replacements.push({ node: found.version, text: JSON.stringify(change.marker) });
    let edited = text;
    for (const { node, text: replacement } of replacements.sort((a, b) => b.node.offset - a.node.offset)) {
      edited = edited.slice(0, node.offset) + replacement + edited.slice(node.offset + node.length);
    }
    return { text: edited, previous, changed: true };
  },
  async verify(before, after, spec, change, options) {
    const refuse = (what: string): never => {
      throw new PromoterError(
        "edit_not_isolated",
        `the edit of ${spec.variable} in ${options.file} ${what}; no change was proposed, this is a bug in release-promoter`,
      );
    };
    const old = find(before, spec, options);
    let oldData: Record<string, unknown>;
    let newData: Record<string, unknown>;
    try {
      oldData = JSON.parse(stripBom(before)) as Record<string, unknown>;
      newData = JSON.parse(stripBom(after)) as Record<string, unknown>;
    } catch (error) {
      return refuse(`does not parse as JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const expected: Record<string, unknown> = { ...oldData, [spec.variable]: change.value };
    if (spec.versionVariable !== undefined) expected[spec.versionVariable] = change.marker;
    if (!isDeepStrictEqual(expected, newData)) refuse("changed more than its value");
    const lines = new Set([lineOf(before, old.value.offset), ...(old.version ? [lineOf(before, old.version.offset)] : [])]);
    const oldLines = before.split("\n");
    const newLines = after.split("\n");
    if (oldLines.length !== newLines.length) refuse("changed the number of lines");
    oldLines.forEach((line, index) => {
      if (line !== newLines[index] && !lines.has(index + 1)) refuse(`changed line ${index + 1}`);
    });
    const now = find(after, spec, options).pinned;
    if (now.value !== change.value || (spec.versionVariable !== undefined && now.marker !== change.marker)) refuse("does not read back");
  },
};

function find(text: string, spec: TfvarsJsonSpec, options: EditorOptions): Found {
  const { file } = options;
  const errors: ParseError[] = [];
  const root = parseTree(stripBom(text), errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const offset = text.startsWith("\uFEFF") ? 1 : 0;
  const [error] = errors;
  if (error !== undefined || root === undefined) {
    const where = error === undefined ? "" : `line ${lineOf(text, error.offset + offset)}: ${printParseErrorCode(error.error)}`;
    throw new PromoterError("edit_not_isolated", `${file} is not valid JSON (${where || "empty"}); fix the file so Terraform can read it`);
  }
  if (root.type !== "object") throw new PromoterError("edit_not_isolated", `${file} is not a JSON object of variables; fix the file so Terraform can read it`);
  const property = (name: string): JsonNode | undefined => {
    const matches = (root.children ?? []).filter((child) => child.children?.[0]?.value === name);
    if (matches.length > 1) {
      const lines = matches.map((m) => lineOf(text, m.offset + offset));
      throw new PromoterError("variable_duplicated", `${name} is set ${matches.length} times in ${file} (lines ${lines.join(", ")}); keep one`);
    }
    const value = matches[0]?.children?.[1];
    return value === undefined ? undefined : { ...value, offset: value.offset + offset };
  };
  const value = property(spec.variable);
  if (value === undefined) {
    throw new PromoterError("variable_missing", `${spec.variable} is not set at the top level of ${file}; add "${spec.variable}": "" for the app to update`);
  }
  const line = lineOf(text, value.offset);
  if (value.type !== "string") {
    throw new PromoterError("variable_not_string", `${spec.variable} in ${file} (line ${line}) is ${value.type === "null" ? "null" : `a ${value.type}`}, not a string`);
  }
  const pinned: PinnedValue = { value: value.value as string, line };
  if (spec.versionVariable === undefined) return { pinned, value };
  const version = property(spec.versionVariable);
  if (version === undefined) {
    throw new PromoterError(
      "variable_missing",
      `${spec.versionVariable} (the version of ${spec.variable}) is not set at the top level of ${file}; add "${spec.versionVariable}": "${options.markerPrefix}-vX.Y.Z" with the version that runs`,
    );
  }
  const release = version.type === "string" ? parsePromotionMarker(version.value as string) : undefined;
  if (release?.prefix !== options.markerPrefix) {
    throw new PromoterError(
      "trailing_comment",
      `${spec.versionVariable} in ${file} (line ${lineOf(text, version.offset)}) holds ${JSON.stringify(version.value)}, not a release tag ${options.markerPrefix}-vX.Y.Z (or a commit marker ${options.markerPrefix}@<12 hex>); the app cannot tell which version runs. Write the tag of the version that runs`,
    );
  }
  return { pinned: { ...pinned, ...markerFields(release) }, value, version };
}

function stripBom(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}
