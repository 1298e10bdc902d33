import { EventEmitter } from "node:events";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { BackgroundTasks } from "../src/background-tasks.js";
import { drainOnSigterm } from "../src/drain-on-sigterm.js";

describe("drainOnSigterm", () => {
  it("exits once the promotions in flight have finished", async () => {
    const tasks = new BackgroundTasks(() => undefined);
    const signals = new EventEmitter();
    const order: string[] = [];
    let release!: () => void;
    void tasks.run("a", () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push("task done")));
    const exited = new Promise<number>((resolve) => drainOnSigterm(tasks, pino({ level: "silent" }), { signals, exit: (code) => resolve(code) }));
    signals.emit("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push("still running");
    release();
    expect(await exited).toBe(0);
    expect(order).toEqual(["still running", "task done"]);
  });

  it("does not wait past the grace period", async () => {
    const tasks = new BackgroundTasks(() => undefined);
    const signals = new EventEmitter();
    void tasks.run("a", () => new Promise<void>(() => undefined));
    const exited = new Promise<number>((resolve) => drainOnSigterm(tasks, pino({ level: "silent" }), { signals, graceMs: 30, exit: (code) => resolve(code) }));
    signals.emit("SIGTERM");
    expect(await exited).toBe(0);
    expect(tasks.size).toBe(1);
  });
});
