/**
 * The file kinds' editors, by kind: a new kind is one entry here, its file and its tests. The
 * planner calls readPin / editPin / verifyPin with a TargetSpec and never looks at the kind.
 */
import { helmValuesEditor } from "./helm-values.js";
import { manifestEditor } from "./k8s-manifest.js";
import { kustomizationEditor } from "./kustomization.js";
import type { EditorOptions, FileKind, PinChange, PinEdit, PinnedValue, TargetEditor, TargetSpec } from "./target-editor.js";
import { tfvarsJsonEditor } from "./tfvars-json.js";
import { tfvarsEditor } from "./tfvars-target.js";

const EDITORS: { [K in FileKind]: TargetEditor<Extract<TargetSpec, { kind: K }>> } = {
  tfvars: tfvarsEditor,
  "tfvars-json": tfvarsJsonEditor,
  helm: helmValuesEditor,
  kustomization: kustomizationEditor,
  manifest: manifestEditor,
};

function editorOf(spec: TargetSpec): TargetEditor {
  return EDITORS[spec.kind] as TargetEditor;
}

/** The service's current value and marker in `text`; throws PromoterError when it cannot be found or edited. */
export function readPin(text: string, spec: TargetSpec, options: EditorOptions): PinnedValue {
  return editorOf(spec).read(text, spec, options);
}

export function editPin(text: string, spec: TargetSpec, change: PinChange, options: EditorOptions): PinEdit {
  return editorOf(spec).edit(text, spec, change, options);
}

export function verifyPin(before: string, after: string, spec: TargetSpec, change: PinChange, options: EditorOptions): Promise<void> {
  return editorOf(spec).verify(before, after, spec, change, options);
}
