/**
 * One contract for every kind of file an environment can pin its images in. A kind is one
 * entry of `EDITORS` (one file and its tests): the tfvars editor is the first, the YAML kinds
 * (Helm values, kustomization, manifest) share yaml-target.ts, tfvars-json has its own.
 *
 * Every kind keeps the same promises, which the planner relies on without knowing the kind:
 * - `read` finds exactly one location that is the service's, or refuses with a reason (missing,
 *   ambiguous, aliased, not a single-line string, a comment that is not the service's marker);
 * - `edit` refuses exactly what `read` refuses, and changes only that value's text (its quoting
 *   style kept) and the release marker after it: every other byte stays as it was;
 * - `verify` proves it afterwards with a real parser: both texts parse, and they differ in
 *   nothing but that value (and, where the kind has one, its version field).
 */
import type { ServiceConfig } from "../config/config.schema.js";
import { PromoterError } from "../errors.js";

export const FILE_KINDS = ["tfvars", "tfvars-json", "helm", "kustomization", "manifest"] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** Where a service's pin lives in a file of one kind, resolved from the service's config. */
export type TargetSpec =
  | { kind: "tfvars"; variable: string }
  | { kind: "tfvars-json"; variable: string; versionVariable?: string | undefined }
  | { kind: "helm"; path: string[]; write: "digest" | "reference" }
  /** `orNewName`: the entry may also be the one whose newName is `name` (the default, by image). */
  | { kind: "kustomization"; name: string; orNewName: boolean }
  | { kind: "manifest"; container: string; workload?: string | undefined };

export interface PinnedValue {
  /** The value as the file's parser reads it (escapes decoded). */
  value: string;
  /** The release marker without its `#`: `core-v0.10.0`; undefined when the line has none. */
  marker?: string | undefined;
  /** The version a release marker names; undefined for a commit marker or none. */
  version?: string | undefined;
  /** The commit (12 hex) a commit marker (`# core@0123456789ab`) names; undefined for a release marker or none. */
  commit?: string | undefined;
  /** 1-based line of the value. */
  line: number;
}

export interface PinChange {
  /** What to write: an image reference or a digest (see valueFor). */
  value: string;
  /** The marker to write after it: a release tag (`core-v0.10.0`) or a commit marker (`core@0123456789ab`). */
  marker: string;
}

export interface PinEdit {
  text: string;
  previous: PinnedValue;
  /** False when the file already holds exactly this value and marker (then `text` is the input). */
  changed: boolean;
}

export interface EditorOptions {
  /** The file's path, used in messages only. */
  file: string;
  /** The service's tag prefix: the only marker accepted is `# <prefix>-vX.Y.Z`. */
  markerPrefix: string;
}

export interface TargetEditor<S extends TargetSpec = TargetSpec> {
  read(text: string, spec: S, options: EditorOptions): PinnedValue;
  edit(text: string, spec: S, change: PinChange, options: EditorOptions): PinEdit;
  /** Throws PromoterError("edit_not_isolated") unless `after` is `before` with only this pin changed to `change`. */
  verify(before: string, after: string, spec: S, change: PinChange, options: EditorOptions): Promise<void>;
}

/** The target of `service` in a file of `kind`; config_invalid when the config names none (the schema refuses that first). */
export function targetOf(serviceName: string, service: ServiceConfig, kind: FileKind): TargetSpec {
  const missing = (what: string) =>
    new PromoterError("config_invalid", `service ${serviceName} has no ${what}, which a ${kind} environment needs`);
  switch (kind) {
    case "tfvars":
      if (service.variable === undefined) throw missing("variable");
      return { kind, variable: service.variable };
    case "tfvars-json":
      if (service.variable === undefined) throw missing("variable");
      return { kind, variable: service.variable, versionVariable: service.targets?.["tfvars-json"]?.versionVariable };
    case "helm": {
      const helm = service.targets?.helm;
      if (helm === undefined) throw missing("targets.helm.path");
      return { kind, path: helm.path.split("."), write: helm.write };
    }
    case "kustomization": {
      const name = service.targets?.kustomization?.name;
      return name === undefined ? { kind, name: service.image, orNewName: true } : { kind, name, orNewName: false };
    }
    case "manifest": {
      const manifest = service.targets?.manifest;
      if (manifest === undefined) throw missing("targets.manifest.container");
      return { kind, container: manifest.container, workload: manifest.workload };
    }
  }
}

/** What a kind's pin holds: the digest alone (Helm's `image.digest` by default, kustomize's `digest`) or the whole reference. */
export function valueFor(spec: TargetSpec, image: string, digest: string): string {
  if (spec.kind === "kustomization") return digest;
  if (spec.kind === "helm" && spec.write === "digest") return digest;
  return `${image}@${digest}`;
}

/** The location in words, for messages, PR bodies and commit messages. */
export function describeTarget(spec: TargetSpec): string {
  switch (spec.kind) {
    case "tfvars":
    case "tfvars-json":
      return spec.variable;
    case "helm":
      return spec.path.join(".");
    case "kustomization":
      return `images[${spec.orNewName ? "name or newName" : "name"}=${spec.name}].digest`;
    case "manifest":
      return `${spec.workload === undefined ? "" : `${spec.workload}.`}containers[name=${spec.container}].image`;
  }
}
