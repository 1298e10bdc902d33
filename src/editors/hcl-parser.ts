/**
 * HashiCorp's HCL parser (Go compiled to WebAssembly, `@cdktf/hcl2json`) in a worker thread that
 * is started on the first parse and ended after a minute without one.
 *
 * Why a worker: the parser's runtime — its Go heap, the module bytes the library keeps, its code —
 * stayed resident for the life of the process once loaded, tens of MiB in an app that parses a
 * file a few times per release and otherwise only answers webhooks. A worker has its own V8
 * isolate; ending it gives that memory back. A burst of promotions (a release, a sweep) keeps the
 * worker: the next parse within `idleMs` reuses it (under 1 ms per tfvars file); the first parse
 * after it ended starts a new one (about 130 ms, about what loading the parser in the main thread
 * took).
 *
 * V8 compiles WebAssembly twice by default (Liftoff at once, then TurboFan for hot functions); for
 * this module TurboFan's code alone kept 25–35 MiB more resident and parsed no faster (20 parses
 * of a tfvars file: 1.8–2.5 ms each with Liftoff only, 2.7–3.9 ms with both, measured on Node 20).
 * So the worker compiles it with Liftoff only. The flag is V8's, process-wide, and read when a
 * module is compiled; nothing else the app runs is WebAssembly that needs TurboFan.
 *
 * Fail closed: a parse the parser refuses rejects with its message (`HclParseError`); a worker
 * that fails or exits rejects every parse it had (`HclParserFailure`), and the next parse starts
 * a new one.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** Without a parse for this long, the worker ends. */
export const HCL_PARSER_IDLE_MS = 60_000;

/** The parser refused the text: its message, as hcl2json gives it (`parse config: [...]`). */
export class HclParseError extends Error {
  override name = "HclParseError";
}

/** The worker failed or exited before answering: nothing was learnt about the text. */
export class HclParserFailure extends Error {
  override name = "HclParserFailure";
}

// CommonJS, run by the worker (`eval`): the library's path comes from the main thread, so it
// resolves from the app's node_modules whatever the working directory.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
require("node:v8").setFlagsFromString("--liftoff-only");
const { parse } = require(workerData.library);
parentPort.on("message", ({ id, name, text }) => {
  parse(name, text).then(
    (value) => parentPort.postMessage({ id, value }),
    (error) => parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
`;

const library = createRequire(import.meta.url).resolve("@cdktf/hcl2json");

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

export class HclParser {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  /** Workers started so far (tests, and how often a process paid the start). */
  started = 0;

  constructor(options: { idleMs?: number } = {}) {
    this.idleMs = options.idleMs ?? HCL_PARSER_IDLE_MS;
  }

  /** Whether a worker is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** `file`'s name only appears in the parser's messages; a `.json` name switches it to JSON syntax. */
  parse(file: string, text: string): Promise<Record<string, unknown>> {
    const worker = this.worker ?? this.start();
    clearTimeout(this.idleTimer);
    // While a parse is pending the worker keeps the process alive (the CLI's `plan` has nothing else).
    worker.ref();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, name: file, text });
    });
  }

  /** Ends the worker now (tests; a process about to exit need not call it). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.fail(worker, new HclParserFailure("the HCL parser was closed"));
    await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { library } });
    this.worker = worker;
    this.started++;
    worker.on("message", (message: { id: number; value?: Record<string, unknown>; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) pending.reject(new HclParseError(message.error));
      else if (message.value === undefined) pending.reject(new HclParserFailure("the HCL parser answered without a result"));
      else pending.resolve(message.value);
      if (this.pending.size === 0 && this.worker === worker) this.idle(worker);
    });
    worker.on("error", (error) => this.fail(worker, new HclParserFailure(`the HCL parser failed: ${error.message}`, { cause: error })));
    worker.on("exit", (code) => this.fail(worker, new HclParserFailure(`the HCL parser's worker exited (code ${code})`)));
    return worker;
  }

  /** Nothing pending: the worker no longer holds the process open, and ends after `idleMs`. */
  private idle(worker: Worker): void {
    worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** Rejects what `worker` had pending; the next parse starts a new worker. */
  private fail(worker: Worker, error: HclParserFailure): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    clearTimeout(this.idleTimer);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of pending) reject(error);
  }
}
