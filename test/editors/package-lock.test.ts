import { describe, expect, it } from "vitest";
import {
  editLockfileInPlace,
  inPlaceBlocker,
  readLockfile,
  resolvedFor,
  type InPlaceCheck,
  type ReleasedVersion,
} from "../../src/editors/package-lock.js";
import { PromoterError } from "../../src/errors.js";

const NAME = "@acme/contracts";
const REGISTRY = "https://registry.npmjs.org";
const OLD_INTEGRITY = "sha512-OLD0000000000000000000000000000000000000000000000000000000000000000000000000000000000==";
const NEW_INTEGRITY = "sha512-NEW0000000000000000000000000000000000000000000000000000000000000000000000000000000000==";

const released: ReleasedVersion = {
  version: "0.3.2",
  dist: { tarball: `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`, integrity: NEW_INTEGRITY },
  dependencies: { zod: "^4.0.0" },
  lockfileEntry: { dependencies: { zod: "^4.0.0" }, license: "MIT" },
};

const rootManifest = { name: "core-api", version: "1.0.0", dependencies: { [NAME]: "^0.3.1", zod: "^4.0.0" } };

/** A v3 lockfile as npm writes it (2 spaces, keys in npm's order, final newline). */
function lockV3(extra: Record<string, unknown> = {}, contracts: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "core-api",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "core-api", version: "1.0.0", dependencies: { [NAME]: "^0.3.1", zod: "^4.0.0" } },
      [`node_modules/${NAME}`]: {
        version: "0.3.1",
        resolved: `${REGISTRY}/@acme/contracts/-/contracts-0.3.1.tgz`,
        integrity: OLD_INTEGRITY,
        license: "MIT",
        dependencies: { zod: "^4.0.0" },
        ...contracts,
      },
      "node_modules/zod": { version: "4.1.0", resolved: `${REGISTRY}/zod/-/zod-4.1.0.tgz`, integrity: "sha512-zod", license: "MIT" },
      ...extra,
    },
  };
}

const text = (value: unknown, indent: string | number = 2): string => `${JSON.stringify(value, null, indent)}\n`;

function check(lock: Record<string, unknown>, overrides: Partial<InPlaceCheck> = {}): string | undefined {
  return inPlaceBlocker({
    lock: readLockfile(text(lock)),
    name: NAME,
    released,
    manifests: { "": rootManifest },
    ranges: { "": { dependencies: "^0.3.2" } },
    ...overrides,
  });
}

describe("readLockfile", () => {
  it.each([
    [text({ lockfileVersion: 1, dependencies: {} }), "is lockfileVersion 1 (npm 6); npm 7 and later rewrite it whole as lockfileVersion 3, which a bump PR should not do"],
    [text({ lockfileVersion: 4, packages: { "": {} } }), "has lockfileVersion 4; the app edits versions 2 and 3"],
    ['{"lockfileVersion": 3, <<<<<<< HEAD', "is not valid JSON"],
    [text({ lockfileVersion: 3 }), 'has no valid "packages" section'],
    [text({ lockfileVersion: 3, packages: { "node_modules/x": {} } }), 'has no valid "packages" section with a root entry'],
    [text([]), "is not a JSON object"],
  ])("refuses %#: %s", (lock, message) => {
    expect(() => readLockfile(lock)).toThrow(PromoterError);
    try {
      readLockfile(lock);
    } catch (error) {
      expect(error).toMatchObject({ code: "lockfile_unsupported", message: expect.stringContaining(message) });
    }
  });

  it("reads v2 with its legacy tree, and v3 without", () => {
    expect(readLockfile(text({ lockfileVersion: 2, packages: { "": {} }, dependencies: { x: { version: "1.0.0" } } })).legacy).toEqual({ x: { version: "1.0.0" } });
    expect(readLockfile(text(lockV3())).legacy).toBeUndefined();
  });
});

describe("inPlaceBlocker: when the new version changes nothing else in the tree", () => {
  it("same dependencies and metadata, no other copy, every range allows it → in place", () => {
    expect(check(lockV3())).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ["a nested copy", { [`node_modules/@acme/sdk/node_modules/${NAME}`]: { version: "0.2.0" } }, {}, `another copy of ${NAME} at node_modules/@acme/sdk/node_modules/${NAME}`],
    ["a workspace-local copy", { [`packages/api/node_modules/${NAME}`]: { version: "0.2.0" } }, {}, "another copy"],
    [
      "another package's peer range excluding the version",
      { "node_modules/@acme/ui": { version: "1.0.0", peerDependencies: { [NAME]: "<0.3.2" } } },
      {},
      `node_modules/@acme/ui requires ${NAME}@"<0.3.2" (peerDependencies), which 0.3.2 does not satisfy`,
    ],
    [
      "another package's dependency range excluding it",
      { "node_modules/@acme/sdk": { version: "1.0.0", dependencies: { [NAME]: "~0.3.0 <0.3.2" } } },
      {},
      "node_modules/@acme/sdk requires",
    ],
    [
      "another package's non-registry spec",
      { "node_modules/@acme/sdk": { version: "1.0.0", optionalDependencies: { [NAME]: "npm:@acme/contracts-next@1" } } },
      {},
      "(optionalDependencies), which 0.3.2 does not satisfy",
    ],
    ["an alias of the package", { "node_modules/contracts-old": { name: NAME, version: "0.2.0" } }, {}, "installed under another name at node_modules/contracts-old"],
    ["locked dependencies differ", {}, { dependencies: { zod: "^3.0.0" } }, `${NAME}@0.3.2 differs from the locked 0.3.1 in dependencies`],
    ["locked license differs", {}, { license: "ISC" }, "in license"],
    ["a link", {}, { link: true }, "is not a plain registry install"],
    ["no integrity", {}, { integrity: undefined }, "has no integrity"],
  ])("%s → regenerate", (_, extra, contracts, reason) => {
    expect(check(lockV3(extra, contracts))).toContain(reason);
  });

  it("a release whose metadata changes (engines, install script) → regenerate", () => {
    expect(check(lockV3(), { released: { ...released, lockfileEntry: { ...released.lockfileEntry, engines: { node: ">=22" } } } })).toContain("in engines");
    expect(check(lockV3(), { released: { ...released, lockfileEntry: { ...released.lockfileEntry, hasInstallScript: true } } })).toContain("in hasInstallScript");
  });

  it("a release with different dependencies (a new package) → regenerate", () => {
    const adds = { ...released, dependencies: { zod: "^4.0.0", "@acme/tiny": "^1.0.0" }, lockfileEntry: { dependencies: { zod: "^4.0.0", "@acme/tiny": "^1.0.0" }, license: "MIT" } };
    expect(check(lockV3(), { released: adds })).toBe(`${NAME}@0.3.2 differs from the locked 0.3.1 in dependencies`);
  });

  it("without lockfileEntry (a PublishedVersion made by hand) only the dependency maps are compared", () => {
    const { lockfileEntry: _, ...bare } = released;
    expect(check(lockV3({}, { license: "ISC" }), { released: bare })).toBeUndefined();
    expect(check(lockV3(), { released: { ...bare, peerDependencies: { react: "*" } } })).toContain("in peerDependencies");
  });

  it("no entry for the package → regenerate", () => {
    const lock = lockV3();
    delete (lock["packages"] as Record<string, unknown>)[`node_modules/${NAME}`];
    expect(check(lock)).toBe(`package-lock.json has no node_modules/${NAME} entry`);
  });

  it("a lockfile out of sync with package.json → regenerate (npm would re-resolve the rest too)", () => {
    expect(check(lockV3(), { manifests: { "": { ...rootManifest, devDependencies: { vitest: "^4.0.0" } } } })).toBe(
      "package-lock.json is out of sync with package.json (devDependencies)",
    );
  });

  it("a root spec kept as a dist-tag cannot be checked → regenerate", () => {
    expect(check(lockV3(), { ranges: { "": { dependencies: "latest" } } })).toContain('requires @acme/contracts@"latest"');
  });
});

describe("editLockfileInPlace", () => {
  const change = { name: NAME, released, setVersion: true, ranges: { "": { dependencies: "^0.3.2" as string } }, manifests: {} };

  it("v3: version, resolved, integrity and the root range; nothing else", () => {
    const before = text(lockV3());
    const expected = before
      .replace('"^0.3.1"', '"^0.3.2"')
      .replace('"version": "0.3.1"', '"version": "0.3.2"')
      .replace("contracts-0.3.1.tgz", "contracts-0.3.2.tgz")
      .replace(OLD_INTEGRITY, NEW_INTEGRITY);
    expect(editLockfileInPlace(before, change)).toEqual({ text: expected, changed: true });
  });

  it("keeps the file's indentation and line endings (npm keeps them too)", () => {
    const before = text(lockV3(), "\t").replace(/\n/g, "\r\n");
    const after = editLockfileInPlace(before, change).text;
    expect(after).toBe(
      before
        .replace('"^0.3.1"', '"^0.3.2"')
        .replace('"version": "0.3.1"', '"version": "0.3.2"')
        .replace("contracts-0.3.1.tgz", "contracts-0.3.2.tgz")
        .replace(OLD_INTEGRITY, NEW_INTEGRITY),
    );
  });

  it("an entry without resolved (omit-lockfile-registry-resolved) gets none", () => {
    const before = text(lockV3({}, { resolved: undefined }));
    const after = editLockfileInPlace(before, change).text;
    expect(JSON.parse(after).packages[`node_modules/${NAME}`]).toEqual({ version: "0.3.2", integrity: NEW_INTEGRITY, license: "MIT", dependencies: { zod: "^4.0.0" } });
  });

  it("v2: the legacy tree's entry and a workspace link's requires too", () => {
    const lock = {
      name: "mono",
      lockfileVersion: 2,
      requires: true,
      packages: {
        "": { name: "mono", workspaces: ["packages/*"] },
        [`node_modules/${NAME}`]: { version: "0.3.1", resolved: `${REGISTRY}/@acme/contracts/-/contracts-0.3.1.tgz`, integrity: OLD_INTEGRITY },
        "node_modules/api": { resolved: "packages/api", link: true },
        "packages/api": { version: "1.0.0", dependencies: { [NAME]: "^0.3.1" }, devDependencies: { [NAME]: "^0.3.0" } },
      },
      dependencies: {
        [NAME]: { version: "0.3.1", resolved: `${REGISTRY}/@acme/contracts/-/contracts-0.3.1.tgz`, integrity: OLD_INTEGRITY },
        api: { version: "file:packages/api", requires: { [NAME]: "^0.3.0" } },
      },
    };
    const manifests = { "packages/api": { name: "api", dependencies: { [NAME]: "^0.3.2" }, devDependencies: { [NAME]: "^0.3.2" } } };
    const after = JSON.parse(
      editLockfileInPlace(text(lock), { ...change, ranges: { "packages/api": { dependencies: "^0.3.2", devDependencies: "^0.3.2" } }, manifests }).text,
    );
    expect(after.packages["packages/api"]).toEqual({ version: "1.0.0", dependencies: { [NAME]: "^0.3.2" }, devDependencies: { [NAME]: "^0.3.2" } });
    expect(after.dependencies[NAME]).toEqual({ version: "0.3.2", resolved: `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`, integrity: NEW_INTEGRITY });
    expect(after.dependencies.api).toEqual({ version: "file:packages/api", requires: { [NAME]: "^0.3.2" } });
    expect(after.packages[""]).toEqual(lock.packages[""]);
  });

  it("only ranges (the locked version is already newer): version untouched", () => {
    const before = text(lockV3({}, { version: "0.3.5" }));
    const after = editLockfileInPlace(before, { ...change, setVersion: false }).text;
    expect(after).toBe(before.replace('"^0.3.1"', '"^0.3.2"'));
  });

  it("a range the lockfile does not record is not invented", () => {
    expect(() => editLockfileInPlace(text(lockV3()), { ...change, ranges: { "": { devDependencies: "^0.3.2" } } })).toThrow(
      "package-lock.json does not record @acme/contracts in devDependencies of the root package",
    );
  });
});

describe("resolvedFor: the registry host the entry used", () => {
  const oldVersion = "0.3.1";
  it.each([
    ["same host: the registry's tarball", `${REGISTRY}/@acme/contracts/-/contracts-0.3.1.tgz`, `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`, `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`],
    [
      "another host, npm's layout: that host, new version",
      "https://npm.internal.example/npm/@acme/contracts/-/contracts-0.3.1.tgz",
      `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`,
      "https://npm.internal.example/npm/@acme/contracts/-/contracts-0.3.2.tgz",
    ],
    [
      "another layout (GitHub Packages): the registry's tarball",
      "https://npm.pkg.github.com/download/@acme/contracts/0.3.1/0123abcd",
      `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`,
      `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`,
    ],
    ["not a URL: the registry's tarball", "contracts-0.3.1.tgz", `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`, `${REGISTRY}/@acme/contracts/-/contracts-0.3.2.tgz`],
  ])("%s", (_, old, tarball, expected) => {
    expect(resolvedFor(old, { ...released, dist: { tarball, integrity: NEW_INTEGRITY } }, oldVersion)).toBe(expected);
  });
});
