/**
 * Compiles the app the way `npm run build` does, into a folder of its own under .tmp/, so the
 * demo and the bench always run the current sources and never rewrite dist/ under a test or a
 * running `npm start`. Node resolves the app's dependencies from the project's node_modules.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** Builds into .tmp/<name>/ and returns the app's entry point, what `npm start` runs (main.js, absolute path). */
export function buildApp(name: string): string {
  const outDir = join(projectRoot, ".tmp", name);
  execFileSync(process.execPath, [join(projectRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", outDir], {
    cwd: projectRoot,
    stdio: "inherit",
  });
  return join(outDir, "main.js");
}
