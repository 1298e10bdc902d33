/**
 * The app's logger: Probot's own (pino, `name: "probot"`, LOG_LEVEL / LOG_FORMAT /
 * LOG_LEVEL_IN_STRING / LOG_MESSAGE_KEY / SENTRY_DSN and their `--log-…` flags, through
 * `@probot/pino`'s transform as Probot's `getLog` builds it), with one change: the HTTP log line
 * of a successful health probe (`GET /healthz`, Probot's `GET /ping`) is written at `debug`, not
 * `info`. An orchestrator probes every few seconds; at info those lines buried the promotions'.
 * A failing probe (a 503 from /healthz when Redis is down) stays at info, where it is seen.
 *
 * Probot's `run()` gives no option for its HTTP logger, but takes a `log`: src/main.ts builds
 * this one and passes it. Options are read as `run()` reads them in argv mode: a `--log-…` flag
 * wins over the variable, and `.env` in the working directory over the process environment
 * (Probot's `applyEnv`), since `run()` loads `.env` only after the logger would be built.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, parseEnv } from "node:util";
import { getTransformStream } from "@probot/pino";
import pino, { type DestinationStream, type Logger } from "pino";

export interface AppLogOptions {
  level: string;
  logFormat: "json" | "pretty";
  logLevelInString: boolean;
  logMessageKey: string;
  sentryDsn?: string | undefined;
}

const PROBE = /^(?:GET|HEAD) \/(?:healthz|ping)(?:[?#]\S*)? [23]\d\d /;

/** The log options `run(argv)` would use, from `argv` (after the command), `env` and `.env` in `cwd`. */
export function appLogOptions(argv: string[], env: Record<string, string | undefined>, cwd = process.cwd()): AppLogOptions {
  const merged = { ...env, ...dotEnv(cwd) };
  const { values } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    options: {
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      "log-level-in-string": { type: "boolean" },
      "log-message-key": { type: "string" },
      "sentry-dsn": { type: "string" },
    },
  });
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const format = text(values["log-format"]) ?? text(merged.LOG_FORMAT) ?? "pretty";
  return {
    level: text(values["log-level"]) ?? text(merged.LOG_LEVEL) ?? "info",
    logFormat: format === "json" ? "json" : "pretty",
    logLevelInString: values["log-level-in-string"] === true || merged.LOG_LEVEL_IN_STRING === "true",
    logMessageKey: text(values["log-message-key"]) ?? text(merged.LOG_MESSAGE_KEY) ?? "msg",
    sentryDsn: text(values["sentry-dsn"]) ?? text(merged.SENTRY_DSN),
  };
}

/** Probot's logger with successful health probes at debug. `destination` defaults to stdout. */
export async function createAppLog(options: AppLogOptions, destination: DestinationStream = pino.destination(1)): Promise<Logger> {
  const transform = await getTransformStream({ logFormat: options.logFormat, logLevelInString: options.logLevelInString, sentryDsn: options.sentryDsn });
  transform.pipe(destination as NodeJS.WritableStream);
  return pino(
    {
      level: options.level,
      name: "probot",
      messageKey: options.logMessageKey,
      hooks: {
        // pino-http logs each request's URL and headers as it arrives: the status page's token
        // (`Authorization`, `?token=`) must never reach a log line. Redacted in the line as it
        // is written (redactLogLine), not with pino's `redact`: that ran on the request's
        // bindings of every request — a clone of the serialised request per webhook delivery,
        // at any level, though at LOG_LEVEL=warn no line of a delivery is ever written.
        streamWrite: redactLogLine,
        logMethod(args, method, level) {
          // pino-http logs a finished request as (fields, "GET /healthz 200 - 1ms") at info.
          if (level === 30 && typeof args[1] === "string" && PROBE.test(args[1])) {
            (this.debug as (...rest: unknown[]) => void)(...args);
            return;
          }
          method.apply(this, args);
        },
      },
    },
    transform,
  );
}

/** `"authorization":<value>` (any letter case): the value, a JSON string or a bare JSON value. */
const AUTHORIZATION = /("authorization":)(?:"(?:[^"\\]|\\.)*"|[^,}\]]*)/gi;
/**
 * `?token=` or `&token=` and its value, up to the next `&`, `#`, white space or the end of the
 * JSON string; not the status page's own `%5Bredacted%5D` (its request line, once read).
 */
const TOKEN_QUERY = /([?&]token=)(?!%5Bredacted%5D(?:[&#\s"\\]|$))(?:[^&#\s"\\]|\\.)*/gi;

/**
 * One log line (pino's JSON text) with every `authorization` value and `token` query value
 * replaced by `[redacted]`, wherever in the line they are: the request's headers and URL, a
 * message naming the URL, any field.
 */
export function redactLogLine(line: string): string {
  return line.replace(AUTHORIZATION, '$1"[redacted]"').replace(TOKEN_QUERY, "$1[redacted]");
}

function dotEnv(cwd: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(join(cwd, ".env"), "utf8")) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}
