import { describe, expect, it } from "vitest";
import { editPin, readPin, verifyPin } from "../../src/editors/editors.js";
import type { TargetSpec } from "../../src/editors/target-editor.js";
import { PromoterError } from "../../src/errors.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const OLD = `sha256:${"12".repeat(32)}`;
const REF = `ghcr.io/acme/core-api@${DIGEST}`;
const options = { file: "clusters/eu/values.yaml", markerPrefix: "core" };
const helm: TargetSpec = { kind: "helm", path: ["core", "image", "digest"], write: "digest" };
const kustomization: TargetSpec = { kind: "kustomization", name: "ghcr.io/acme/core-api", orNewName: true };
const manifest: TargetSpec = { kind: "manifest", container: "core-api" };

/** Edits, proves, and returns the new text; every test below also checks the proof accepts it. */
async function edited(text: string, spec: TargetSpec, value = DIGEST, marker = "core-v0.10.0"): Promise<string> {
  const edit = editPin(text, spec, { value, marker }, options);
  expect(edit.changed).toBe(true);
  await verifyPin(text, edit.text, spec, { value, marker }, options);
  return edit.text;
}

function refusal(text: string, spec: TargetSpec): { code: string; message: string } {
  try {
    readPin(text, spec, options);
  } catch (error) {
    if (!(error instanceof PromoterError)) throw error;
    // edit refuses exactly what read refuses
    expect(() => editPin(text, spec, { value: DIGEST, marker: "core-v0.10.0" }, options)).toThrow(error.message);
    return { code: error.code, message: error.message };
  }
  throw new Error("expected a refusal");
}

describe("helm values", () => {
  it("keeps the quoting style and every other byte, and appends the marker", async () => {
    const cases: Array<[string, string]> = [
      [`digest: ""`, `digest: "${DIGEST}" # core-v0.10.0`],
      [`digest: ''`, `digest: '${DIGEST}' # core-v0.10.0`],
      [`digest: ${OLD}`, `digest: ${DIGEST} # core-v0.10.0`],
      [`digest: "${OLD}"   # core-v0.9.0`, `digest: "${DIGEST}"   # core-v0.10.0`],
      [`digest: ${OLD}\t# core-v0.9.0  `, `digest: ${DIGEST}\t# core-v0.10.0  `],
    ];
    for (const [before, after] of cases) {
      const text = `# values\ncore:\n  image:\n    repository: ghcr.io/acme/core-api   # where\n    ${before}\n    pullPolicy: IfNotPresent\n\nother: { a: 1 }\n`;
      expect(await edited(text, helm)).toBe(text.replace(before, after));
    }
  });

  it("reads the marker as the running version, and a line without a comment as unknown", () => {
    expect(readPin(`core:\n  image:\n    digest: ${OLD} # core-v0.9.0\n`, helm, options)).toEqual({ value: OLD, marker: "core-v0.9.0", version: "0.9.0", line: 3 });
    expect(readPin(`core:\n  image:\n    digest: ${OLD}\n`, helm, options)).toEqual({ value: OLD, line: 3 });
  });

  it("keeps CRLF, a BOM, document markers and a final line without newline", async () => {
    const text = `\uFEFF---\r\ncore:\r\n  image:\r\n    digest: ""\r\n...`;
    expect(await edited(text, helm)).toBe(`\uFEFF---\r\ncore:\r\n  image:\r\n    digest: "${DIGEST}" # core-v0.10.0\r\n...`);
    const last = `core:\n  image:\n    digest: ''`;
    expect(await edited(last, helm)).toBe(`core:\n  image:\n    digest: '${DIGEST}' # core-v0.10.0`);
  });

  it("writes the whole reference with write: reference", async () => {
    const spec: TargetSpec = { kind: "helm", path: ["core", "image"], write: "reference" };
    expect(await edited("core:\n  image: ghcr.io/acme/core-api:1.0\n", spec, REF)).toBe(`core:\n  image: ${REF} # core-v0.10.0\n`);
  });

  it("refuses what it cannot edit alone, each with its reason", () => {
    const wrap = (line: string, extra = "") => `core:\n  image:\n    ${line}\n${extra}`;
    const cases: Array<[string, string, RegExp]> = [
      ["core:\n  image:\n    tag: v1\n", "target_missing", /has no core\.image\.digest \(core\.image has no key digest\); add it/],
      ["core: {}\n", "target_missing", /core has no key image/],
      ["other: 1\n", "target_missing", /there is no top-level key core/],
      ["", "target_missing", /has no core\.image\.digest/],
      ["core:\n  image: nginx\n", "target_missing", /core\.image is a single value, not a mapping/],
      [wrap("digest:\n      a: b"), "target_not_scalar", /line 3\) is a mapping/],
      [wrap("digest: [a]"), "target_not_scalar", /is a list/],
      [wrap("digest:"), "target_not_scalar", /is empty \(null\)/],
      [wrap("digest: 12"), "target_not_scalar", /is a number \(12\)/],
      [wrap("digest: |\n      sha256:x"), "target_not_scalar", /block scalar/],
      [wrap('digest: "sha256:\n      x"'), "target_not_scalar", /spans several lines/],
      [wrap("digest: !custom x"), "target_not_scalar", /carries the tag !custom/],
      ["d0: &d x\ncore:\n  image:\n    digest: *d\n", "target_aliased", /is an alias \(\*d\)/],
      ["base: &img\n  digest: x\ncore:\n  image: *img\n", "target_aliased", /core\.image in .* is an alias \(\*img\)/],
      ["core:\n  image: &img\n    digest: x\nmirror: *img\n", "target_aliased", /inside &img, which \*img repeats elsewhere/],
      ["base: &b\n  digest: x\ncore:\n  image:\n    <<: *b\n", "target_aliased", /merge key/],
      ["core:\n  image: { digest: x }\n", "target_shares_line", /is not alone with its key on its line/],
      // The rest of a flow mapping on the next line: the value still shares its line with `{`.
      ["core:\n  image: { repository: r, digest: x\n  }\n", "target_shares_line", /is not alone with its key on its line/],
      // A marker on the key's line, the value on the next: neither "no marker" nor safe to keep.
      ["core:\n  image:\n    digest: # core-v2.0.0\n      x\n", "target_shares_line", /value on the line after its key/],
      ["core:\n  image:\n    ? digest\n    : x\n", "target_shares_line", /explicit key/],
      // An alias as a key can stand for this key too (the parser's unique-key check does not resolve it).
      ["a: &k digest\ncore:\n  image:\n    digest: x\n    *k : y\n", "target_aliased", /an alias or a collection as a key/],
      [wrap("digest: !!binary aGVsbG8="), "target_not_scalar", /binary or tagged data/],
      [wrap("digest: x # owned by team core"), "trailing_comment", /has a comment on its line \(# owned by team core\); move the comment/],
      [wrap("digest: x # web-v1.0.0"), "trailing_comment", /release marker of another service/],
      [wrap("digest: x # core-v1.0"), "trailing_comment", /resembles a release marker/],
      ["core:\n  image:\n    digest: x\n---\ncore:\n  image:\n    digest: y\n", "target_ambiguous", /holds 2 YAML documents; Helm 3 reads only the first/],
      // Helm 3 would read the first document only, where there is no core.image.digest at all.
      ["core: null\n---\ncore:\n  image:\n    digest: y\n", "target_ambiguous", /holds 2 YAML documents/],
      ["core:\n  image:\n    digest: x\n  image:\n    digest: y\n", "edit_not_isolated", /is not valid YAML \(line 4: Map keys must be unique/],
      ["core: [\n", "edit_not_isolated", /is not valid YAML/],
    ];
    for (const [text, code, message] of cases) {
      const got = refusal(text, helm);
      expect({ text, code: got.code }).toEqual({ text, code });
      expect(got.message).toMatch(message);
    }
  });

  it("an anchor nobody aliases is fine; a merge key elsewhere is fine", async () => {
    const text = "defaults: &d\n  pullPolicy: Always\ncore:\n  <<: *d\n  image: &i\n    digest: x\n";
    expect(await edited(text, helm)).toBe(text.replace("digest: x", `digest: ${DIGEST} # core-v0.10.0`));
  });

  it("noop when value and marker are already there", () => {
    const text = `core:\n  image:\n    digest: ${DIGEST} # core-v0.10.0\n`;
    expect(editPin(text, helm, { value: DIGEST, marker: "core-v0.10.0" }, options)).toMatchObject({ changed: false, text });
  });
});

describe("kustomization", () => {
  const entries = (entry: string) =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/web\n    digest: ${OLD}\n${entry}`;

  it("edits the digest of the entry named after the image, in kustomize edit's order too", async () => {
    const text = entries(`  - name: ghcr.io/acme/core-api\n    digest: ${OLD} # core-v0.9.0\n`);
    expect(await edited(text, kustomization)).toBe(text.replace(`digest: ${OLD} # core-v0.9.0`, `digest: ${DIGEST} # core-v0.10.0`));
    const sorted = `images:\n- digest: "${OLD}"\n  name: ghcr.io/acme/core-api\n  newName: ghcr.io/acme/core-api\n`;
    expect(await edited(sorted, kustomization)).toBe(sorted.replace(`"${OLD}"`, `"${DIGEST}" # core-v0.10.0`));
  });

  it("refuses newTag (with or without digest), a missing entry or digest, and two entries", () => {
    const cases: Array<[string, string, RegExp]> = [
      [entries(`  - name: ghcr.io/acme/core-api\n    newTag: v1\n    digest: ${OLD}\n`), "kustomize_new_tag", /sets both newTag \(v1\) and digest.*Remove the newTag line/],
      [entries(`  - name: ghcr.io/acme/core-api\n    newTag: v1\n`), "kustomize_new_tag", /pinned by newTag \(v1\), not by digest.*Replace the line newTag: v1 by digest: ""/],
      [entries(`  - name: ghcr.io/acme/core-api\n    newName: x\n`), "target_missing", /\(line 8\) has no digest; add digest: ""/],
      [entries(""), "target_missing", /has no images entry whose name or newName is ghcr\.io\/acme\/core-api; add one/],
      [entries(`  - name: core-api\n    newName: ghcr.io/acme/core-api\n    digest: x\n  - name: ghcr.io/acme/core-api\n    digest: y\n`), "target_ambiguous", /2 images entries that render ghcr\.io\/acme\/core-api \(lines 8 and 11\)/],
      [entries(`  - name: ghcr.io/acme/core-api\n    digest: x\n  - name: ghcr.io/acme/core-api\n    digest: y\n`), "target_ambiguous", /2 images entries that render ghcr\.io\/acme\/core-api \(lines 8 and 10\)/],
      ["images: ghcr.io/acme/core-api\n", "target_not_scalar", /images in .* is not a list/],
      ["e: &e\n  name: ghcr.io/acme/core-api\n  digest: x\nimages:\n  - *e\n", "target_aliased", /is an alias \(\*e\)/],
      // A merge key could bring newTag (the trap) from elsewhere.
      ["x: &c { newTag: v1 }\nimages:\n  - <<: *c\n    name: ghcr.io/acme/core-api\n    digest: x\n", "target_aliased", /takes keys from a merge key/],
      ["x: &c { name: ghcr.io/acme/core-api }\nimages:\n  - <<: *c\n    digest: x\n", "target_aliased", /takes keys from a merge key/],
      // kustomize matches field names case-insensitively.
      [entries(`  - name: ghcr.io/acme/core-api\n    NewTag: v1\n    digest: x\n`), "target_ambiguous", /has the key NewTag, which kustomize reads as newTag/],
      [entries(`  - name: ghcr.io/acme/core-api\n    digest: x\n    Digest: y\n`), "target_ambiguous", /has the key Digest/],
    ];
    for (const [text, code, message] of cases) {
      const got = refusal(text, kustomization);
      expect({ text, code: got.code }).toEqual({ text, code });
      expect(got.message).toMatch(message);
    }
  });

  it("by default the entry renaming a placeholder to the image is the one; with targets.kustomization.name only that name", async () => {
    const text = `images:\n  - name: core-api\n    newName: ghcr.io/acme/core-api\n    digest: ${OLD}\n`;
    expect(await edited(text, kustomization)).toBe(text.replace(OLD, `${DIGEST} # core-v0.10.0`));
    expect(refusal(text, { kind: "kustomization", name: "ghcr.io/acme/core-api", orNewName: false }).code).toBe("target_missing");
    expect(await edited(text, { kind: "kustomization", name: "core-api", orNewName: false })).toBe(text.replace(OLD, `${DIGEST} # core-v0.10.0`));
  });

  it("a look-alike name is not the entry", () => {
    const text = `images:\n  - name: ghcr.io/acme/core-api-exporter\n    digest: x\n`;
    expect(refusal(text, kustomization).code).toBe("target_missing");
  });
});

describe("manifest", () => {
  const deployment = (containers: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: core\nspec:\n  template:\n    spec:\n${containers}`;

  it("edits the named container's image, also when image comes before name, in any document", async () => {
    const text = `---\nkind: Service\nmetadata: { name: core }\n---\n${deployment(`      initContainers:\n        - name: migrate\n          image: ghcr.io/acme/core-api:1.0\n      containers:\n        - image: ghcr.io/acme/core-api:1.0  # core-v0.9.0\n          name: core-api\n`)}`;
    expect(await edited(text, manifest, REF)).toBe(text.replace("- image: ghcr.io/acme/core-api:1.0  # core-v0.9.0", `- image: ${REF}  # core-v0.10.0`));
  });

  it("two containers of that name are ambiguous unless workload names the object", async () => {
    const one = deployment(`      containers:\n        - name: core-api\n          image: a\n`);
    const text = `${one}---\n${one.replace("name: core\n", "name: core-canary\n")}`;
    expect(refusal(text, manifest)).toMatchObject({ code: "target_ambiguous", message: expect.stringMatching(/2 containers named core-api \(lines 9 and 20\).*targets\.manifest\.workload/) });
    const spec: TargetSpec = { kind: "manifest", container: "core-api", workload: "core-canary" };
    const out = await edited(text, spec, REF);
    expect(out.split("\n").filter((line, index) => line !== text.split("\n")[index])).toEqual([`          image: ${REF} # core-v0.10.0`]);
    expect(out.indexOf(REF)).toBeGreaterThan(text.indexOf("core-canary"));
  });

  it("workload is the nearest object's name, also for the items of a kind: List", async () => {
    const item = (name: string) => `  - kind: Deployment\n    metadata:\n      name: ${name}\n    spec:\n      template:\n        spec:\n          containers:\n            - name: core-api\n              image: a\n`;
    const text = `apiVersion: v1\nkind: List\nmetadata:\n  name: all\nitems:\n${item("core")}${item("core-canary")}`;
    expect(refusal(text, manifest).code).toBe("target_ambiguous");
    const out = await edited(text, { kind: "manifest", container: "core-api", workload: "core-canary" }, REF);
    expect(out.split("\n").findIndex((line, index) => line !== text.split("\n")[index]) + 1).toBe(23);
  });

  it("a container whose name comes from a merge key is refused, not overlooked", () => {
    const text = `base: &c { name: core-api }\nspec:\n  initContainers:\n    - name: core-api\n      image: a\n  containers:\n    - <<: *c\n      image: b\n`;
    expect(refusal(text, manifest)).toMatchObject({ code: "target_aliased", message: expect.stringMatching(/\(line 7\) takes keys from a merge key/) });
  });

  it("refuses a missing container or image", () => {
    expect(refusal(deployment(`      containers:\n        - name: web\n          image: a\n`), manifest)).toMatchObject({ code: "target_missing", message: expect.stringMatching(/no container named core-api/) });
    expect(refusal(deployment(`      containers:\n        - name: core-api\n`), manifest)).toMatchObject({ code: "target_missing", message: expect.stringMatching(/\(line 9\) has no image/) });
  });
});

describe("verifyPin", () => {
  it("refuses an edit that changed anything else", async () => {
    const text = `core:\n  image:\n    digest: ""\n    tag: v1\n`;
    const change = { value: DIGEST, marker: "core-v0.10.0" };
    const good = editPin(text, helm, change, options).text;
    const tampered: Array<[string, RegExp]> = [
      [good.replace("tag: v1", "tag: v2"), /changed more than core\.image\.digest/],
      [good.replace("tag: v1", "tag: v1 # note"), /changed lines 3, 4, not only line 3/],
      [good.replace(`"${DIGEST}"`, `"${OLD}"`), /changed more than|reads back/],
      [good.replace("# core-v0.10.0", "# core-v0.9.0"), /reads back as .* marked core-v0\.9\.0/],
      [good + "---\n", /number of documents/],
      [good.replace("core:", "core: ["), /does not parse as YAML/],
    ];
    for (const [after, message] of tampered) {
      await expect(verifyPin(text, after, helm, change, options)).rejects.toThrow(message);
    }
  });
});
