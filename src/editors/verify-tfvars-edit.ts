/**
 * Proves a tfvars edit with the real HCL parser (HashiCorp's, compiled to WASM by
 * @cdktf/hcl2json; no I/O): both texts must parse, and the parsed files must differ only in
 * `variable`, which must now hold `expected`. Renovate does the same after each splice.
 */
import { isDeepStrictEqual } from "node:util";
import { PromoterError } from "../errors.js";
import { HclParseError, HclParser } from "./hcl-parser.js";

/** Re-parses both texts with the real HCL parser and checks that the only difference is `variable`'s value, now `expected`. Throws PromoterError("edit_not_isolated") otherwise (also when either text does not parse: say so). */
export async function verifyTfvarsEdit(
  before: string,
  after: string,
  variable: string,
  expected: string,
  options: { file?: string } = {},
): Promise<void> {
  const file = options.file ?? "the tfvars file";
  const old = await parseTfvars(before, file, `${file} is not valid HCL`, "fix the file so Terraform can read it");
  const edited = await parseTfvars(
    after,
    file,
    `the edited ${file} is not valid HCL`,
    "no change was proposed; this is a bug in release-promoter",
  );
  const refuse = (what: string): never => {
    throw new PromoterError(
      "edit_not_isolated",
      `the edit of ${variable} in ${file} ${what}; no change was proposed, this is a bug in release-promoter`,
    );
  };

  if (!Object.hasOwn(old, variable)) refuse(`found no ${variable} in the file before the edit`);
  // hcl2json prints strings in Terraform's JSON syntax, where a literal `${` is written `$${`.
  if (edited[variable] !== asTerraformJsonString(expected)) {
    refuse(`left ${variable} as ${JSON.stringify(edited[variable])} instead of ${JSON.stringify(expected)}`);
  }
  const keys = new Set([...Object.keys(old), ...Object.keys(edited)]);
  for (const key of keys) {
    if (key === variable) continue;
    if (!Object.hasOwn(edited, key)) refuse(`removed ${key}`);
    if (!Object.hasOwn(old, key)) refuse(`added ${key}`);
    if (!isDeepStrictEqual(old[key], edited[key])) refuse(`also changed ${key}`);
  }
}

/** HashiCorp's parser, in a worker started on first use and ended when idle (hcl-parser.ts). */
const hclParser = new HclParser();

async function parseTfvars(text: string, file: string, problem: string, advice: string): Promise<Record<string, unknown>> {
  // The name only appears in parser messages; a `.json` name would switch hcl2json to JSON syntax.
  const name = file.endsWith(".json") ? "terraform.tfvars" : file;
  try {
    return await hclParser.parse(name, text);
  } catch (error) {
    // Only the parser's refusal says the text is not HCL; a failed worker is an internal error (fail closed, no guess).
    if (!(error instanceof HclParseError)) throw error;
    throw new PromoterError("edit_not_isolated", `${problem} (${firstDiagnostic(error.message, name)}); ${advice}`, {
      cause: error,
    });
  }
}

function asTerraformJsonString(value: string): string {
  return value.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");
}

/** hcl2json reports `parse config: [<file>:3,1-2: Summary; Detail. <file>:4,…]`: keep the first. */
function firstDiagnostic(message: string, name: string): string {
  const list = message.replace(/^parse config: \[(.*)\]$/s, "$1");
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const [first = list, ...more] = list.split(new RegExp(` (?=${escaped}:\\d+,\\d+-)`));
  return more.length === 0 ? first : `${first} and ${more.length} more`;
}
