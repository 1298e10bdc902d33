#!/usr/bin/env node
/**
 * The app's entry point (`npm start`, the Dockerfile's command): what `probot run ./dist/index.js`
 * does — `.env`, the setup page without credentials, LOG_LEVEL/LOG_FORMAT, GHE_HOST/GHE_PROTOCOL,
 * WEBHOOK_PROXY_URL, PORT/HOST, Probot's CLI options after the command — through Probot's own
 * `run()`, with one difference: the app's Octokit class (src/github/app-octokit.ts), Probot's
 * plugins without throttling and retry (reads are never spaced; one request hook retries them),
 * which goes through HTTPS_PROXY/HTTP_PROXY when they are set
 * (src/http/proxy-fetch.ts), and one logger change: health probes are logged at debug
 * (src/app-log.ts). The drain on SIGTERM is the app's own (src/index.ts).
 */
import { fileURLToPath } from "node:url";
import { run } from "probot";
import { appLogOptions, createAppLog } from "./app-log.js";
import { appOctokitFor } from "./github/app-octokit.js";

const app = fileURLToPath(new URL("./index.js", import.meta.url));
const argv = process.argv.slice(2);
// Probot's logger, with successful health probes at debug (src/app-log.ts).
const log = await createAppLog(appLogOptions(argv, process.env));
await run([app, ...argv], { env: process.env, log, Octokit: appOctokitFor(process.env) });
