import { parseArgs } from "node:util";
import { BUMP_USAGE, parseBumpArgs, runBump } from "./bump-command.js";
import { type CommandResult, UsageError } from "./command-result.js";
import { PLAN_USAGE, runPlan } from "./plan-command.js";
import { VALIDATE_USAGE, parseValidateArgs, runValidate } from "./validate-command.js";

const USAGE = `Usage: release-promoter <command> [options]

Commands:
  plan      plan a promotion offline: the diff a tag would produce in its environment file
  validate  check a config (and, with --infra, its environment files) the way the app does
  bump      apply a package release to an npm checkout: package.json ranges and package-lock.json

${PLAN_USAGE}

${VALIDATE_USAGE}

${BUMP_USAGE}`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs the CLI and returns its exit status (the bin script exits with it). */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      io.stdout(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === "bump") {
      const options = parseBumpArgs(rest);
      if (options === "help") {
        io.stdout(`${BUMP_USAGE}\n`);
        return 0;
      }
      return print(await runBump(options), options.json, io);
    }
    if (command === "validate") {
      const options = parseValidateArgs(rest);
      if (options === "help") {
        io.stdout(`${VALIDATE_USAGE}\n`);
        return 0;
      }
      return print(await runValidate(options), options.json, io);
    }
    if (command !== "plan") throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const { values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        infra: { type: "string" },
        repository: { type: "string" },
        tag: { type: "string" },
        digest: { type: "string" },
        env: { type: "string" },
        commit: { type: "string" },
        source: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      io.stdout(`${PLAN_USAGE}\n`);
      return 0;
    }
    // Without --tag, the plan of an on: main environment (--env and --commit; runPlan says what is missing).
    const missing = (["config", "infra", "repository", "digest"] as const).filter((key) => values[key] === undefined);
    if (missing.length > 0) throw new UsageError(`missing ${missing.map((key) => `--${key}`).join(", ")}`);
    const result = await runPlan({
      config: values.config!,
      infra: values.infra!,
      repository: values.repository!,
      tag: values.tag,
      digest: values.digest!,
      env: values.env,
      commit: values.commit,
      source: values.source,
    });
    if (values.json) io.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
    else {
      if (result.stdout) io.stdout(result.stdout);
      if (result.stderr) io.stderr(result.stderr);
    }
    return result.exitCode;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      // One line, and where the usage is: not the help of every command.
      const help = command === "plan" || command === "bump" || command === "validate" ? `release-promoter ${command} --help` : "release-promoter --help";
      io.stderr(`release-promoter: ${(error as Error).message}\nRun "${help}" for usage.\n`);
      return 2;
    }
    throw error;
  }
}

function print(result: CommandResult<unknown>, json: boolean, io: Io): number {
  if (json) io.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
  else {
    if (result.stdout) io.stdout(result.stdout);
    if (result.stderr) io.stderr(result.stderr);
  }
  return result.exitCode;
}
