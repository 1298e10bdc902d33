import { describe, expect, it } from "vitest";
import { editTfvars } from "../../src/editors/tfvars.js";
import { verifyTfvarsEdit } from "../../src/editors/verify-tfvars-edit.js";
import { PromoterError } from "../../src/errors.js";

const file = "envs/prod.tfvars";
const NEW = "ghcr.io/acme/core-api@sha256:2222222222222222222222222222222222222222222222222222222222222222";
const before = [
  "# Production images, one per service.",
  'web_image  = "ghcr.io/acme/web-ui@sha256:aaaa" # web-v1.4.2',
  'core_image = "ghcr.io/acme/core-api@sha256:1111" # core-v0.9.0',
  "replicas   = { core = 3, web = 2 }",
  'regions    = ["eu-west-1"]',
  "",
].join("\n");
const after = before.replace('"ghcr.io/acme/core-api@sha256:1111" # core-v0.9.0', `"${NEW}" # core-v0.10.0`);

async function refusal(run: () => Promise<unknown>): Promise<PromoterError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error("expected a PromoterError, got none");
}

describe("verifyTfvarsEdit", () => {
  it("accepts an edit that changes only the variable", async () => {
    await expect(verifyTfvarsEdit(before, after, "core_image", NEW, { file })).resolves.toBeUndefined();
  });

  it("accepts an edit that only rewrites the marker comment", async () => {
    const markerOnly = before.replace("# core-v0.9.0", "# core-v0.9.1");
    await expect(verifyTfvarsEdit(before, markerOnly, "core_image", "ghcr.io/acme/core-api@sha256:1111")).resolves.toBeUndefined();
  });

  it.each([
    ["an interpolation-like value", "${var.x} and %{ if }"],
    ["escape-like text", "$${x} %%{y} \\n \""],
    ["control characters and unicode", "a\u0000\n\t\u202E🚀"],
  ])("accepts the editor's output for %s", async (_, value) => {
    const edit = editTfvars(before, { variable: "core_image", value, marker: "core-v0.10.0" });
    await expect(verifyTfvarsEdit(before, edit.text, "core_image", value)).resolves.toBeUndefined();
  });

  it.each([
    ["another variable changed", after.replace("web-ui@sha256:aaaa", "web-ui@sha256:bbbb"), "also changed web_image"],
    ["a nested value changed", after.replace("core = 3", "core = 4"), "also changed replicas"],
    ["an extra attribute", `${after}extra = "x"\n`, "added extra"],
    ["an attribute removed", after.replace('regions    = ["eu-west-1"]\n', ""), "removed regions"],
    ["the variable not changed", before, `left core_image as "ghcr.io/acme/core-api@sha256:1111" instead of "${NEW}"`],
    ["the variable changed to something else", after.replace(NEW, `${NEW}x`), `left core_image as "${NEW}x"`],
    ["the variable made an interpolation", after.replace(`"${NEW}"`, `"\${var.x}"`), "left core_image as"],
    ["the variable removed", after.replace(/^core_image.*\n/m, ""), "left core_image as undefined"],
  ])("rejects %s", async (_, wrong, message) => {
    const error = await refusal(() => verifyTfvarsEdit(before, wrong, "core_image", NEW, { file }));
    expect(error.code).toBe("edit_not_isolated");
    expect(error.message).toContain(`the edit of core_image in ${file} ${message}`);
    expect(error.message).toContain("no change was proposed");
  });

  it("rejects an edit whose result does not parse, and says so", async () => {
    const broken = after.replace(`"${NEW}"`, `"${NEW}`);
    const error = await refusal(() => verifyTfvarsEdit(before, broken, "core_image", NEW, { file }));
    expect(error.code).toBe("edit_not_isolated");
    expect(error.message).toMatch(/^the edited envs\/prod\.tfvars is not valid HCL \(envs\/prod\.tfvars:3,[\d,-]+: Invalid multi-line string; [^()]+ and 3 more\); no change was proposed/);
  });

  it.each([
    ["a duplicated attribute", `${before}core_image = "x"\n`, "Attribute redefined"],
    ["a quoted name", `"core_image" = "x"\n`, "Argument names must not be quoted"],
    ["a colon", `core_image: "x"\n`, "use the equals sign"],
  ])("rejects a file that did not parse before the edit: %s", async (_, broken, parserMessage) => {
    const error = await refusal(() => verifyTfvarsEdit(broken, after, "core_image", NEW, { file }));
    expect(error.code).toBe("edit_not_isolated");
    expect(error.message).toMatch(new RegExp(`^${file.replace(".", "\\.")} is not valid HCL \\(.*${parserMessage}.*\\); fix the file so Terraform can read it$`, "s"));
  });

  it("rejects an edit that adds the variable to a file that did not have it", async () => {
    const without = before.replace(/^core_image.*\n/m, "");
    const error = await refusal(() => verifyTfvarsEdit(without, after, "core_image", NEW, { file }));
    expect(error.message).toContain("found no core_image in the file before the edit");
  });

  it("parses a .json name as HCL all the same", async () => {
    await expect(verifyTfvarsEdit(before, after, "core_image", NEW, { file: "prod.tfvars.json" })).resolves.toBeUndefined();
  });
});
