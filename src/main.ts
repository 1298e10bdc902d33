#!/usr/bin/env node
/**
 * The app's entry point (`npm start`, the Dockerfile's command): what `probot run ./dist/index.js`
 * does — `.env`, the setup page without credentials, LOG_LEVEL/LOG_FORMAT, GHE_HOST/GHE_PROTOCOL,
 * WEBHOOK_PROXY_URL, PORT/HOST, Probot's CLI options after the command — through Probot's own
 * `run()`, with one difference: the app's Octokit class (src/github/app-octokit.ts), whose
 * throttling does not space reads, and which goes through HTTPS_PROXY/HTTP_PROXY when they are set
 * (src/http/proxy-fetch.ts). The drain on SIGTERM is the app's own (src/index.ts).
 */
import { fileURLToPath } from "node:url";
import { run } from "probot";
import { appOctokitFor } from "./github/app-octokit.js";

const app = fileURLToPath(new URL("./index.js", import.meta.url));
await run([app, ...process.argv.slice(2)], { env: process.env, Octokit: appOctokitFor(process.env) });
