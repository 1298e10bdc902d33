import type { ApplicationFunction, Probot } from "probot";
import { BackgroundTasks } from "./background-tasks.js";
import type { PromoterDependencies } from "./dependencies.js";
import { onTagPush } from "./handlers/on-tag-push.js";
import { drainOnSigterm } from "./drain-on-sigterm.js";
import { Pacers } from "./github/pace-content-creation.js";
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
      pacers: new Pacers(),
      ...overrides,
    };
    app.on("push", onTagPush(deps));
    options.addHandler?.(healthHandler(deps));
  };
}

/** What `probot run ./dist/index.js` loads: the real dependencies, and a drain on SIGTERM. */
const app: ApplicationFunction = (probot, options) => {
  const tasks = new BackgroundTasks((error, key) => probot.log.error({ err: error, key }, "background task failed"));
  drainOnSigterm(tasks, probot.log);
  return createApp({ tasks })(probot, options);
};
export default app;
