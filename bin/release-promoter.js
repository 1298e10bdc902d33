#!/usr/bin/env node
// The command-line entry point: `npx release-promoter plan ...`. Runs the compiled CLI in
// dist/ (built by `npm ci` through the prepare script, or `npm run build`).
import { main } from "../dist/cli/main.js";

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
