import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse } from "@cdktf/hcl2json";
import { encodeHclString } from "../../src/editors/hcl-scan.js";
import { editTfvars, readTfvarsAssignment } from "../../src/editors/tfvars.js";
import { verifyTfvarsEdit } from "../../src/editors/verify-tfvars-edit.js";
import { PromoterError } from "../../src/errors.js";

const VARIABLE = "core_image";
/** Moderate by default; raise with FC_NUM_RUNS=5000 to hunt. */
const numRuns = Number(process.env.FC_NUM_RUNS ?? 200);

/** hcl2json prints strings as Terraform JSON templates, where a literal `${` is `$${`. */
const asTerraformJson = (value: string) => value.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");

// ---------------------------------------------------------------------------------------------
// Pieces of HCL, written by hand here (not by the editor) so the tests do not grade themselves.

/** Text that tempts a naive scanner; safe inside a quoted string (escaped by hand; no bare `{`, which could follow `$`). */
const stringFragment = fc.constantFrom(
  "a", "Z", "0", " ", "-", ".", "/", ":", "@", "é", "🚀", "한", "#", "//", "/*", "*/", "=", "}", "[", "(", "<<EOT",
  "$", "%", "$$", "%%", "$${x}", "%%{y}", "$$${z}", '\\"', "\\\\", "\\n", "\\t", "\\u00e9", "\\U0001F600",
  'core_image = \\"ghcr.io/evil\\"', "\\\"\\ncore_image = \\\"x",
);
const quotedString = fc.array(stringFragment, { maxLength: 8 }).map((parts) => `"${parts.join("")}"`);
const templateString = fc.constantFrom(
  '"${var.x}"',
  '"pre-${upper("}")}-post"',
  '"${ { k = "}" }.k }"',
  '"%{ if true }core_image = \\"x\\"%{ endif }"',
  '"${"core_image = \\"evil\\""}"',
);
/** Comment text for one line: no line break, and never the end of a block comment. */
const commentText = fc
  .array(fc.constantFrom("owned by core", "core_image = \"evil\"", "core-v9.9.9", "#", "//", "/*", '"', "${x}", "é", " "), {
    maxLength: 4,
  })
  .map((parts) => parts.join(""))
  .filter((text) => !text.includes("*" + "/"));

const scalar = fc.oneof(
  quotedString,
  templateString,
  fc.integer({ min: -1000, max: 100000 }).map(String),
  fc.constantFrom("true", "false", "null", "1.5", "1e3"),
);
const list = fc.array(scalar, { maxLength: 3 }).chain((items) =>
  fc.constantFrom<string[]>([`[${items.join(", ")}]`], ["[", ...items.map((item) => `  ${item},`), "]"]),
);
const map = fc.array(fc.tuple(fc.constantFrom("core_image", "k", "other"), scalar), { maxLength: 3 }).chain((entries) => {
  const unique = [...new Map(entries).entries()];
  return fc.constantFrom<string[]>(
    [`{ ${unique.map(([k, v]) => `${k} = ${v}`).join(", ")} }`],
    ["{", ...unique.map(([k, v]) => `  ${k} = ${v}`), "}"],
    ["{", ...unique.map(([k, v]) => `  ${k}: ${v},`), "}"],
  );
});
const heredoc = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom('core_image = "ghcr.io/evil"', "EOT is not alone", "${x}", "  # text", ""), { maxLength: 3 }))
  .map(([indented, body]) =>
    indented ? ["<<-EOT", ...body.map((line) => `  ${line}`), "  EOT"] : ["<<EOT", ...body, "EOT"],
  );
/** A value as lines: the first line follows `name = `. */
const value: fc.Arbitrary<string[]> = fc.oneof(scalar.map((s) => [s]), list, map, heredoc);

const otherName = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
  fc.constantFrom("core_image_tag", "my_core_image", "core_images", "core-image", "Core_image"),
).filter((name) => name !== VARIABLE && !name.startsWith("blk"));
const padding = fc.constantFrom(" ", "  ", "   ", "\t", "");

type Item = { lines: string[]; name?: string; heredoc?: boolean };
const attribute: fc.Arbitrary<Item> = fc
  .record({ name: otherName, before: padding, after: padding, value, comment: fc.option(fc.tuple(fc.constantFrom("#", "//"), commentText)) })
  .map(({ name, before, after, value: [first = "1", ...rest], comment }) => {
    const lines = [`${name}${before}=${after === "" ? " " : after}${first}`, ...rest];
    const isHeredoc = first.startsWith("<<");
    if (comment && !isHeredoc) lines[lines.length - 1] += ` ${comment[0]} ${comment[1]}`;
    return { lines, name, heredoc: isHeredoc };
  });
const commentItem: fc.Arbitrary<Item> = fc.oneof(
  commentText.map((text) => ({ lines: [`# ${text}`] })),
  commentText.map((text) => ({ lines: [`// ${text}`] })),
  commentText.map((text) => ({ lines: [`/* ${text} */`] })),
  fc.tuple(commentText, commentText).map(([a, b]) => ({ lines: [`/* ${a}`, `${b} */`] })),
);
const blank: fc.Arbitrary<Item> = fc.constantFrom("", " ", "\t", "   \t").map((line) => ({ lines: [line] }));
const block: fc.Arbitrary<Item> = fc
  .tuple(fc.constantFrom("a", "b"), scalar)
  .chain(([name, v]) =>
    fc.constantFrom<Item>(
      // hcl2json refuses blocks of one name with and without labels: keep the names apart.
      { lines: [`blk_${name} { core_image = ${v} }`] },
      { lines: [`blk_labelled_${name} "label" {`, `  core_image = ${v}`, "}"] },
    ),
  );
const item = fc.oneof({ weight: 4, arbitrary: attribute }, { weight: 2, arbitrary: commentItem }, blank, block);
const items = fc.array(item, { maxLength: 8 }).map((all) => {
  const seen = new Set<string>();
  return all.filter((i) => i.name === undefined || (!seen.has(i.name) && seen.add(i.name)));
});

/** Markers of the service that owns VARIABLE (prefix core); another prefix on its line is refused (tfvars.test.ts). */
const PREFIX = "core";
const markerArb = fc
  .tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.constantFrom("rc.1", "beta", "0.alpha-2"), { nil: undefined }))
  .map(([major, minor, patch, pre]) => `${PREFIX}-v${major}.${minor}.${patch}${pre === undefined ? "" : `-${pre}`}`);

/** The target line, built by hand; `old` is an HCL string literal (quotes included). */
const targetLine = fc.record({
  before: padding,
  after: padding.map((p) => (p === "" ? " " : p)),
  old: fc.oneof(quotedString, fc.constant('"ghcr.io/acme/core-api@sha256:1111"')),
  gap: fc.constantFrom("", " ", "  ", "\t"),
  marker: fc.option(fc.tuple(fc.constantFrom("# ", "#", "// ", "//"), markerArb)),
  trailing: fc.constantFrom("", " ", "\t"),
});

const tfvarsFile = fc
  .record({
    items,
    target: targetLine,
    position: fc.nat(),
    eol: fc.constantFrom("lf", "crlf", "mixed"),
    mixed: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    bom: fc.boolean(),
    finalNewline: fc.boolean(),
  })
  .map(({ items: others, target, position, eol, mixed, bom, finalNewline }) => {
    const { before, after, old, gap, marker, trailing } = target;
    const line = `${VARIABLE}${before}=${after}${old}${marker ? `${gap}${marker[0]}${marker[1]}` : ""}${trailing}`;
    const index = position % (others.length + 1);
    const all: Item[] = [...others.slice(0, index), { lines: [line] }, ...others.slice(index)];
    const lines = all.flatMap((i) => i.lines);
    const targetIndex = all.slice(0, index).reduce((n, i) => n + i.lines.length, 0);
    const endsInHeredoc = all.at(-1)?.heredoc === true;
    let text = bom ? "\uFEFF" : "";
    lines.forEach((l, n) => {
      const newline = eol === "lf" ? "\n" : eol === "crlf" ? "\r\n" : mixed[n % 64] ? "\r\n" : "\n";
      const last = n === lines.length - 1;
      text += l + (last && !finalNewline && !endsInHeredoc ? "" : newline);
    });
    return { text, targetIndex, prefix: `${VARIABLE}${before}=${after}` };
  });

/** New values: any Unicode text (NFC, as HCL stores it), often with HCL's special characters. */
const newValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }).map((s) => s.normalize("NFC")),
  fc.array(fc.constantFrom("${", "%{", "$", "%", "{", "}", '"', "\\", "\n", "\r\n", "\t", "\u0000", "\u202E", "#", "a", "é", "🚀"), { maxLength: 12 }).map((parts) => parts.join("")),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `ghcr.io/acme/core-api@sha256:${hex}`),
);

// ---------------------------------------------------------------------------------------------

describe("editTfvars on generated files", () => {
  it("the real parser reads the generated files as the editor does", async () => {
    await fc.assert(
      fc.asyncProperty(tfvarsFile, async ({ text, targetIndex }) => {
        const parsed = await parse("prod.tfvars", text);
        const read = readTfvarsAssignment(text, VARIABLE, { markerPrefix: PREFIX });
        expect(asTerraformJson(read.value)).toBe(parsed[VARIABLE]);
        expect(read.line).toBe(targetIndex + 1);
      }),
      { numRuns },
    );
  });

  it("changes only the target line, reads back the new value and marker, and passes verification", async () => {
    await fc.assert(
      fc.asyncProperty(tfvarsFile, newValue, markerArb, async ({ text, targetIndex, prefix }, value, marker) => {
        const edit = editTfvars(text, { variable: VARIABLE, value, marker });
        if (!edit.changed) {
          expect(edit.text).toBe(text);
          return;
        }

        const inputLines = text.split("\n");
        const outputLines = edit.text.split("\n");
        expect(outputLines).toHaveLength(inputLines.length);
        outputLines.forEach((line, n) => {
          if (n !== targetIndex) expect(line).toBe(inputLines[n]);
        });
        const target = outputLines[targetIndex] ?? "";
        expect(target.replace(/^\uFEFF/, "").startsWith(prefix)).toBe(true);
        expect(target).toMatch(new RegExp(`# ${marker}[ \\t]*\\r?$`));

        expect(readTfvarsAssignment(edit.text, VARIABLE, { markerPrefix: PREFIX })).toEqual({ variable: VARIABLE, value, marker, version: marker.slice(`${PREFIX}-v`.length), line: targetIndex + 1 });
        await verifyTfvarsEdit(text, edit.text, VARIABLE, value);
        expect(editTfvars(edit.text, { variable: VARIABLE, value, marker })).toMatchObject({ text: edit.text, changed: false });
      }),
      { numRuns },
    );
  });

  it("refuses a file without the variable, and the parser finds none at the top level", async () => {
    await fc.assert(
      fc.asyncProperty(items, async (others) => {
        const text = others.flatMap((i) => i.lines).join("\n") + "\n";
        expect((await parse("prod.tfvars", text))[VARIABLE]).toBeUndefined();
        expect(() => readTfvarsAssignment(text, VARIABLE, { markerPrefix: PREFIX })).toThrow(
          expect.objectContaining({ code: "variable_missing" }) as PromoterError,
        );
      }),
      { numRuns },
    );
  });

  it("refuses a file with the variable twice, which the parser rejects too", async () => {
    await fc.assert(
      fc.asyncProperty(tfvarsFile, async ({ text }) => {
        const doubled = `${text}${text.endsWith("\n") ? "" : "\n"}${VARIABLE} = "again"\n`;
        await expect(parse("prod.tfvars", doubled)).rejects.toThrow("Attribute redefined");
        expect(() => readTfvarsAssignment(doubled, VARIABLE, { markerPrefix: PREFIX })).toThrow(
          expect.objectContaining({ code: "variable_duplicated" }) as PromoterError,
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe("encodeHclString", () => {
  it("writes any NFC text so that the real parser reads exactly that text", async () => {
    await fc.assert(
      fc.asyncProperty(newValue, async (value) => {
        const parsed = await parse("x.tfvars", `a = ${encodeHclString(value)}\n`);
        expect(parsed.a).toBe(asTerraformJson(value));
      }),
      { numRuns },
    );
  });
});
