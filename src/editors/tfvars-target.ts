/** The tfvars kind of the TargetEditor contract: tfvars.ts edits, verify-tfvars-edit.ts proves with HashiCorp's parser. */
import type { TargetEditor, TargetSpec } from "./target-editor.js";
import { editTfvars, readTfvarsAssignment } from "./tfvars.js";
import { verifyTfvarsEdit } from "./verify-tfvars-edit.js";

type TfvarsSpec = Extract<TargetSpec, { kind: "tfvars" }>;

export const tfvarsEditor: TargetEditor<TfvarsSpec> = {
  read: (text, spec, options) => readTfvarsAssignment(text, spec.variable, options),
  edit: (text, spec, change, options) => editTfvars(text, { variable: spec.variable, ...change }, { file: options.file }),
  verify: (before, after, spec, change, options) => verifyTfvarsEdit(before, after, spec.variable, change.value, { file: options.file }),
};
