import type { ApplicationFunction, Probot } from "probot";
import { BackgroundTasks } from "./background-tasks.js";
import type { PromoterDependencies } from "./dependencies.js";
import { onTagPush } from "./handlers/on-tag-push.js";
import { healthHandler } from "./health.js";

/**
 * The Probot app: registers handlers, nothing else. `createApp` lets tests and the demo pass
 * their own dependencies (a task queue they can await, a zero sleep); `probot run` uses the
 * default export with the real ones.
 */
export function createApp(overrides: Partial<PromoterDependencies> = {}): ApplicationFunction {
  return (app: Probot, options) => {
    const deps: PromoterDependencies = {
      env: process.env,
      tasks: new BackgroundTasks((error, key) => app.log.error({ err: error, key }, "background task failed")),
      ...overrides,
    };
    app.on("push", onTagPush(deps));
    options.addHandler?.(healthHandler(deps));
  };
}

export default createApp();
