/**
 * Proves a tfvars edit with the real HCL parser (HashiCorp's, compiled to WASM by
 * @cdktf/hcl2json; no I/O): both texts must parse, and the parsed files must differ only in
 * `variable`, which must now hold `expected`. Renovate does the same after each splice.
 */
import { setFlagsFromString } from "node:v8";
import { isDeepStrictEqual } from "node:util";
import { PromoterError } from "../errors.js";

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

let hclParser: Promise<typeof import("@cdktf/hcl2json")> | undefined;

/**
 * HashiCorp's HCL parser (Go, compiled to WebAssembly), loaded on first use: its runtime is tens
 * of MiB, kept off the start-up path. V8 compiles WebAssembly twice by default (Liftoff at once,
 * then TurboFan for hot functions); for this module TurboFan's code alone kept 25–35 MiB more
 * resident and parsed no faster (20 parses of a tfvars file: 1.8–2.5 ms each with Liftoff only,
 * 2.7–3.9 ms with both, measured on Node 20). So WebAssembly compiled from here on is compiled
 * with Liftoff only. The flag is V8's, process-wide, and read when a module is compiled; nothing
 * else the app runs is WebAssembly that needs TurboFan.
 */
function loadHclParser(): Promise<typeof import("@cdktf/hcl2json")> {
  if (hclParser === undefined) {
    setFlagsFromString("--liftoff-only");
    hclParser = import("@cdktf/hcl2json");
  }
  return hclParser;
}

async function parseTfvars(text: string, file: string, problem: string, advice: string): Promise<Record<string, unknown>> {
  // The name only appears in parser messages; a `.json` name would switch hcl2json to JSON syntax.
  const name = file.endsWith(".json") ? "terraform.tfvars" : file;
  try {
    const { parse } = await loadHclParser();
    return await parse(name, text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new PromoterError("edit_not_isolated", `${problem} (${firstDiagnostic(message, name)}); ${advice}`, {
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
