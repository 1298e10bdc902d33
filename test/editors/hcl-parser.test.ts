/**
 * HashiCorp's HCL parser in its worker thread: answers each parse to its own caller, tells a text
 * it refuses from a worker that failed, ends the worker when idle and starts a new one when
 * needed, and neither holds a process open when idle nor lets it exit while a parse is pending.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HclParseError, HclParser, HclParserFailure } from "../../src/editors/hcl-parser.js";

const parsers: HclParser[] = [];
const parser = (options?: { idleMs?: number }) => {
  const made = new HclParser(options);
  parsers.push(made);
  return made;
};
afterEach(async () => {
  await Promise.all(parsers.splice(0).map((made) => made.close()));
});

describe("HclParser", () => {
  it("parses with HashiCorp's parser, each answer to its own caller", async () => {
    const hcl = parser();
    const texts = Array.from({ length: 5 }, (_, i) => `core_image = "ghcr.io/acme/core-api:${i}"\nreplicas = ${i}\n`);
    const parsed = await Promise.all(texts.map((text) => hcl.parse("prod.tfvars", text)));
    expect(parsed).toEqual(texts.map((_, i) => ({ core_image: `ghcr.io/acme/core-api:${i}`, replicas: i })));
    expect(hcl.started).toBe(1);
  });

  it("rejects a text the parser refuses with the parser's own message (HclParseError)", async () => {
    const error = await parser().parse("prod.tfvars", 'core_image = "unterminated\n').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HclParseError);
    expect((error as Error).message).toMatch(/prod\.tfvars:1,/);
  });

  it("ends the worker after idleMs without a parse, and starts a new one for the next parse", async () => {
    const hcl = parser({ idleMs: 50 });
    await hcl.parse("a.tfvars", "a = 1\n");
    expect(hcl.running).toBe(true);
    // The thread itself ends (its isolate, and the parser's memory, go with it).
    const worker = (hcl as unknown as { worker: { once(event: "exit", listener: () => void): void } }).worker;
    let exited = false;
    worker.once("exit", () => (exited = true));
    await vi.waitFor(() => expect({ exited, running: hcl.running }).toEqual({ exited: true, running: false }), { timeout: 10_000, interval: 20 });
    expect(await hcl.parse("b.tfvars", "b = 2\n")).toEqual({ b: 2 });
    expect(hcl.started).toBe(2);
  });

  it("keeps the worker while parses come within idleMs", async () => {
    const hcl = parser({ idleMs: 2_000 });
    for (let i = 0; i < 3; i++) {
      await hcl.parse("a.tfvars", `a = ${i}\n`);
      await sleep(100);
    }
    expect(hcl.started).toBe(1);
  });

  it("a worker that exits while parsing rejects what it had (HclParserFailure, not a parse error); the next parse starts a new worker", async () => {
    const hcl = parser();
    await hcl.parse("a.tfvars", "a = 1\n");
    const pending = hcl.parse("b.tfvars", "b = 2\n");
    await (hcl as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HclParserFailure);
    expect(error).not.toBeInstanceOf(HclParseError);
    expect(await hcl.parse("c.tfvars", "c = 3\n")).toEqual({ c: 3 });
    expect(hcl.started).toBe(2);
  });

  it("in a process of its own: the pending parse keeps it alive, the idle worker does not", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcl-parser-"));
    try {
      const script = join(dir, "parse-once.mts");
      const module = fileURLToPath(new URL("../../src/editors/hcl-parser.ts", import.meta.url));
      // Parses once and returns, without closing the parser: the process must print and then exit by itself.
      writeFileSync(script, `import { HclParser } from ${JSON.stringify(module)};\nconst parsed = await new HclParser().parse("a.tfvars", "a = 42\\n");\nconsole.log(JSON.stringify(parsed));\n`);
      const child = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 30_000 });
      expect(child.error).toBeUndefined();
      expect({ status: child.status, stdout: child.stdout.trim() }).toEqual({ status: 0, stdout: '{"a":42}' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
