import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { editPackageJson, raiseRange, readDependencySpecs, spliceJsonStrings } from "../../src/editors/package-json.js";
import { PromoterError } from "../../src/errors.js";

const NAME = "@acme/contracts";
const change = { name: NAME, version: "0.3.2" };
const numRuns = Number(process.env.FC_NUM_RUNS ?? 200);

describe("raiseRange", () => {
  it.each([
    // the style is kept
    ["^0.3.0", "^0.3.2"],
    ["~0.3.0", "~0.3.2"],
    ["0.3.0", "0.3.2"],
    ["=0.3.0", "=0.3.2"],
    [">=0.3.0", ">=0.3.2"],
    ["v0.3.0", "v0.3.2"],
    ["^v0.3.0", "^v0.3.2"],
    ["^0.3.2-rc.1", "^0.3.2"],
    // a simple range that excludes the version is still raised: that is the bump (a breaking one)
    ["^0.2.0", "^0.3.2"],
    ["~0.1.9", "~0.3.2"],
    ["0.2.9", "0.3.2"],
  ])("%s → %s", (spec, raised) => {
    expect(raiseRange(spec, "0.3.2")).toEqual({ kind: "raise", range: raised });
  });

  it.each([
    // already there or ahead: never a downgrade
    ["^0.3.2", false, true],
    ["^0.4.0", false, false],
    ["0.3.2", false, true],
    [">=1.0.0", false, false],
    // other ranges that allow the version are kept as written
    ["*", true, true],
    ["", true, true],
    ["x", true, true],
    ["0.3.x", true, true],
    ["^0.3", true, true],
    ["~0.3", true, true],
    [">=0.3.0 <0.4.0", true, true],
    ["^0.2.0 || ^0.3.0", true, true],
    ["0.3.0 - 0.3.5", true, true],
    [">0.3.0", true, true],
  ])("%j is kept (allows it: %s)", (spec, _, allows) => {
    const decision = raiseRange(spec, "0.3.2");
    expect(decision).toMatchObject({ kind: "keep", allowsVersion: allows });
  });

  it.each(["latest", "next", "beta"])("the dist-tag %s is kept and said so", (tag) => {
    expect(raiseRange(tag, "0.3.2")).toEqual({
      kind: "keep",
      allowsVersion: "tag",
      reason: `"${tag}" is a dist-tag, resolved by npm at install time; kept as written`,
    });
  });

  it.each([
    ["workspace:*", "a workspace: spec"],
    ["workspace:^0.3.0", "a workspace: spec"],
    ["file:../contracts", "a file: spec"],
    ["link:../contracts", "a link: spec"],
    ["npm:@acme/contracts-next@^0.3.0", "a npm: spec"],
    ["git+ssh://git@github.com/acme/contracts.git#v0.3.0", "a git+ssh: spec"],
    ["git://github.com/acme/contracts.git", "a git: spec"],
    ["github:acme/contracts#v0.3.0", "a github: spec"],
    ["acme/contracts#v0.3.0", "a path or git/GitHub reference"],
    ["https://example.com/contracts-0.3.0.tgz", "a https: spec"],
    ["../contracts", "a path or git/GitHub reference"],
    ["/opt/contracts", "a path or git/GitHub reference"],
    ["~/contracts", "a path or git/GitHub reference"],
  ])("%s is refused: %s", (spec, what) => {
    expect(raiseRange(spec, "0.3.2")).toEqual({
      kind: "refuse",
      reason: `${JSON.stringify(spec)} is ${what}, not a registry version range; the app only bumps versions from the registry`,
    });
  });

  it.each([
    ["<0.3.0", "excludes 0.3.2 and is not a single ^, ~, >= or exact version"],
    ["0.2.x", "excludes 0.3.2"],
    [">=0.1.0 <0.3.0", "excludes 0.3.2"],
    ["not a range!", "is neither a version range nor a dist-tag"],
  ])("%s is refused: %s", (spec, reason) => {
    expect(raiseRange(spec, "0.3.2")).toMatchObject({ kind: "refuse", reason: expect.stringContaining(reason) });
  });

  it("a prerelease only satisfies a range that names one, as in npm", () => {
    expect(raiseRange("*", "0.4.0-rc.1")).toMatchObject({ kind: "refuse" });
    expect(raiseRange("^0.3.1", "0.4.0-rc.1")).toEqual({ kind: "raise", range: "^0.4.0-rc.1" });
  });

  it("the version must be strict SemVer", () => {
    expect(() => raiseRange("^0.3.0", "v0.3.2")).toThrow(RangeError);
    expect(() => raiseRange("^0.3.0", "0.3")).toThrow(RangeError);
  });
});

describe("editPackageJson: the rest of the file byte for byte", () => {
  it.each([
    ["2 spaces, final newline", '{\n  "name": "x",\n  "dependencies": {\n    "@acme/contracts": "^0.3.0"\n  }\n}\n'],
    ["tabs", '{\n\t"name": "x",\n\t"dependencies": {\n\t\t"@acme/contracts": "^0.3.0"\n\t}\n}\n'],
    ["4 spaces", '{\n    "name": "x",\n    "dependencies": {\n        "@acme/contracts": "^0.3.0"\n    }\n}\n'],
    ["CRLF", '{\r\n  "name": "x",\r\n  "dependencies": {\r\n    "@acme/contracts": "^0.3.0"\r\n  }\r\n}\r\n'],
    ["no final newline", '{\n  "name": "x",\n  "dependencies": {\n    "@acme/contracts": "^0.3.0"\n  }\n}'],
    ["one line", '{"name":"x","dependencies":{"@acme/contracts":"^0.3.0"}}'],
    ["BOM", '\uFEFF{\n  "name": "x",\n  "dependencies": { "@acme/contracts": "^0.3.0" }\n}\n'],
    ["unsorted keys, escapes elsewhere", '{\n  "dependencies": {\n    "zod": "^4.0.0",\n    "@acme/contracts" :  "^0.3.0",\n    "a": "1.0.0"\n  },\n  "name": "x\\u0041",\n  "description": "a \\"quoted\\" \\u00e9"\n}\n'],
  ])("%s", (_, text) => {
    const edit = editPackageJson(text, change);
    expect(edit.changed).toBe(true);
    expect(edit.text).toBe(text.replace('"^0.3.0"', '"^0.3.2"'));
  });

  it("raises every dependency section, each in its own style", () => {
    const text = `{
  "name": "lib",
  "dependencies": { "@acme/contracts": "~0.3.0" },
  "devDependencies": { "@acme/contracts": "0.3.1" },
  "peerDependencies": { "@acme/contracts": ">=0.3.0" },
  "optionalDependencies": { "@acme/contracts": "^0.2.0" },
  "scripts": { "x": "@acme/contracts ^0.3.0" }
}
`;
    const edit = editPackageJson(text, change);
    expect(edit.text).toBe(`{
  "name": "lib",
  "dependencies": { "@acme/contracts": "~0.3.2" },
  "devDependencies": { "@acme/contracts": "0.3.2" },
  "peerDependencies": { "@acme/contracts": ">=0.3.2" },
  "optionalDependencies": { "@acme/contracts": "^0.3.2" },
  "scripts": { "x": "@acme/contracts ^0.3.0" }
}
`);
    expect(edit.dependencies.map((d) => [d.section, d.from, d.to])).toEqual([
      ["dependencies", "~0.3.0", "~0.3.2"],
      ["devDependencies", "0.3.1", "0.3.2"],
      ["peerDependencies", ">=0.3.0", ">=0.3.2"],
      ["optionalDependencies", "^0.2.0", "^0.3.2"],
    ]);
  });

  it("only the package: a name that merely starts the same is not it", () => {
    const text = '{"dependencies":{"@acme/contracts-legacy":"^0.3.0","@acme/contracts":"^0.3.0"}}';
    expect(editPackageJson(text, change).text).toBe('{"dependencies":{"@acme/contracts-legacy":"^0.3.0","@acme/contracts":"^0.3.2"}}');
  });

  it.each([
    ['{"dependencies":{"@acme/contracts":"^0.3.2"}}', "already at"],
    ['{"dependencies":{"@acme/contracts":"*"}}', "already allows"],
    ['{"dependencies":{"@acme/contracts":"latest"}}', "dist-tag"],
  ])("nothing to change: %s", (text, reason) => {
    const edit = editPackageJson(text, change);
    expect(edit).toMatchObject({ text, changed: false });
    expect(edit.dependencies[0]!.decision).toMatchObject({ kind: "keep", reason: expect.stringContaining(reason) });
  });

  it("not a dependency: no change, no dependencies", () => {
    const text = '{"name":"x","dependencies":{"zod":"^4.0.0"}}';
    expect(editPackageJson(text, change)).toEqual({ text, changed: false, dependencies: [] });
  });

  it.each([
    ["not JSON", '{"dependencies": {', "package_json_invalid", "packages/api/package.json is not valid JSON"],
    ["trailing comma", '{"dependencies": {"@acme/contracts": "^0.3.0",}}', "package_json_invalid", "is not valid JSON"],
    ["an array", "[]", "package_json_invalid", "is not a JSON object"],
    ["section not an object", '{"dependencies": ["@acme/contracts"]}', "package_json_invalid", "dependencies in packages/api/package.json is not an object"],
    ["range not a string", '{"dependencies": {"@acme/contracts": 3}}', "package_json_invalid", "is not a string"],
    ["named twice", '{"dependencies": {"@acme/contracts": "^0.3.0", "@acme/contracts": "^0.3.1"}}', "package_json_invalid", '"@acme/contracts" appears 2 times in dependencies of packages/api/package.json'],
    ["section twice", '{"dependencies": {}, "dependencies": {"@acme/contracts": "^0.3.1"}}', "package_json_invalid", '"dependencies" appears 2 times'],
    ["workspace:", '{"dependencies": {"@acme/contracts": "workspace:*"}}', "range_unsupported", '@acme/contracts in dependencies of packages/api/package.json: "workspace:*" is a workspace: spec'],
    ["file:", '{"devDependencies": {"@acme/contracts": "file:../contracts"}}', "range_unsupported", "a file: spec"],
    ["git", '{"dependencies": {"@acme/contracts": "github:acme/contracts#v0.3.0"}}', "range_unsupported", "a github: spec"],
    ["range excluding", '{"dependencies": {"@acme/contracts": "<0.3.0"}}', "range_unsupported", "update it by hand"],
    ["override", '{"dependencies": {"@acme/contracts": "^0.3.0"}, "overrides": {"@acme/sdk": {"@acme/contracts": "0.3.0"}}}', "range_unsupported", "packages/api/package.json overrides @acme/contracts"],
  ])("%s → %s", (_, text, code, message) => {
    let error: unknown;
    try {
      editPackageJson(text, change, { file: "packages/api/package.json" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PromoterError);
    expect(error).toMatchObject({ code, message: expect.stringContaining(message) });
  });

  it("readDependencySpecs lists every section that declares it", () => {
    expect(readDependencySpecs('{"devDependencies":{"@acme/contracts":"^0.3.0"},"peerDependencies":{"@acme/contracts":"*"}}', NAME)).toEqual([
      { section: "devDependencies", spec: "^0.3.0" },
      { section: "peerDependencies", spec: "*" },
    ]);
  });
});

describe("spliceJsonStrings refuses what it cannot prove", () => {
  it.each([
    [["dependencies", "zod"], "has no single string at"],
    [["name"], "has no single string at"],
  ])("%j", (path, message) => {
    expect(() => spliceJsonStrings('{"name": 1, "dependencies": {}}', [{ path, value: "x" }], "package.json")).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: any formatting, any key order, any other content → only that value changed.

const whitespace = fc.constantFrom("", " ", "  ", "\t", "\n", "\r\n", "\n    ", "\r\n\t\t");
const otherKey = fc.constantFrom("name", "version", "zod", "@acme/contracts-next", "contracts", "\u00e9", "scripts", "a\\\"b", "@acme/contracts ");
const otherValue = fc.constantFrom('"^0.3.0"', '"@acme/contracts"', "1", "true", "null", "[]", '{"@acme/contracts":"^0.3.0"}', '"\\u0040acme"', '"é\\n"');

/** A package.json written by hand from pieces (not by JSON.stringify), with the dependency somewhere. */
const packageJsonText = fc
  .record({
    ws: fc.array(whitespace, { minLength: 12, maxLength: 12 }),
    before: fc.array(fc.tuple(otherKey, otherValue), { maxLength: 3 }),
    after: fc.array(fc.tuple(otherKey, otherValue), { maxLength: 3 }),
    section: fc.constantFrom("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"),
    spec: fc.constantFrom("^0.3.0", "~0.3.1", "0.2.0", ">=0.1.0", "=0.3.0"),
    bom: fc.boolean(),
  })
  .map(({ ws, before, after, section, spec, bom }) => {
    const w = (i: number) => ws[i]!;
    const members = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `"${k}"${w(0)}:${w(1)}${v},${w(2)}`).join("");
    const uniqueBefore: Array<[string, string]> = before;
    const uniqueAfter = after.filter(([k]) => !uniqueBefore.some(([b]) => b === k));
    const inner = `{${w(3)}${members(uniqueBefore)}"${NAME}"${w(4)}:${w(5)}"${spec}"${uniqueAfter.length ? `,${w(6)}` : ""}${members(uniqueAfter).replace(/,[^,]*$/, "")}${w(7)}}`;
    return `${bom ? "\uFEFF" : ""}${w(8)}{${w(9)}"name":${w(10)}"x",${w(11)}"${section}":${w(1)}${inner}${w(2)}}${w(3)}`;
  })
  .filter((text) => {
    try {
      JSON.parse(text.replace(/^\uFEFF/, ""));
      return true;
    } catch {
      return false;
    }
  });

describe("property: only the dependency's value changes", () => {
  it("re-parses to the same object but for that value, and the text differs only there", () => {
    fc.assert(
      fc.property(packageJsonText, (text) => {
        const edit = editPackageJson(text, change);
        const before = JSON.parse(text.replace(/^\uFEFF/, ""));
        const after = JSON.parse(edit.text.replace(/^\uFEFF/, ""));
        const section = Object.keys(before).find((k) => k !== "name")!;
        before[section][NAME] = edit.dependencies[0]!.to;
        expect(after).toEqual(before);
        // The text is the old text with only (part of) the old range replaced by the new one.
        const { from, to } = edit.dependencies[0]!;
        const prefix = commonPrefix(text, edit.text);
        const suffix = Math.min(commonPrefix([...text].reverse().join(""), [...edit.text].reverse().join("")), text.length - prefix, edit.text.length - prefix);
        expect(from).toContain(text.slice(prefix, text.length - suffix));
        expect(to).toContain(edit.text.slice(prefix, edit.text.length - suffix));
      }),
      { numRuns },
    );
  });
});

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
