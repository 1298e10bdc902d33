import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../config/parse-config.js";
import { tagPrefixOf } from "../core/select-promotion.js";
import { readPin } from "../editors/editors.js";
import { targetOf } from "../editors/target-editor.js";
import { PromoterError, isPromoterError } from "../errors.js";
import { type CommandResult, UsageError } from "./command-result.js";
import { assertDirectory, readOptional } from "./read-paths.js";

export const VALIDATE_USAGE = `Usage: release-promoter validate --config FILE [--infra DIR] [--json]

Checks the config FILE the way the app does, listing every problem with its path. With --infra,
also reads each environment's file (any kind) under the infra checkout DIR and checks that every
service the environment promotes has exactly one assignment there the app can edit (the same
reader the app uses). Writes nothing. Exit status: 0 valid, 2 a problem or bad usage.`;

export interface ValidateOptions {
  config: string;
  infra: string | undefined;
  json: boolean;
}

export interface ValidateJson {
  valid: boolean;
  /** "path: message" (config) or "file: service: message (code)" (environment files). */
  problems: string[];
}

export function parseValidateArgs(args: string[]): ValidateOptions | "help" {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: "string" },
      infra: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  if (values.config === undefined) throw new UsageError("missing --config");
  return { config: values.config, infra: values.infra, json: values.json };
}

export async function runValidate(options: ValidateOptions): Promise<CommandResult<ValidateJson>> {
  const text = await readOptional(options.config, "--config");
  if (text === undefined) throw new UsageError(`--config: ${options.config} does not exist`);
  if (options.infra !== undefined) await assertDirectory(options.infra, "--infra");

  let config;
  try {
    config = parseConfig(text, options.config);
  } catch (error) {
    if (!isPromoterError(error)) throw error;
    // parseConfig lists every problem, one "- path: message" line each.
    const problems = error.message.split("\n").flatMap((line) => (line.startsWith("- ") ? [line.slice(2)] : []));
    return invalid(problems.length > 0 ? problems : [error.message]);
  }

  const problems: string[] = [];
  if (options.infra !== undefined) {
    for (const [envName, environment] of Object.entries(config.environments)) {
      const fileText = await readOptional(join(options.infra, environment.file), "--infra");
      if (fileText === undefined) {
        problems.push(`environments.${envName}.file: ${environment.file} does not exist in ${options.infra}`);
        continue;
      }
      const services = environment.services ?? Object.keys(config.services);
      for (const name of services) {
        const service = config.services[name]!;
        try {
          readPin(fileText, targetOf(name, service, environment.kind), { markerPrefix: tagPrefixOf(name, service), file: environment.file });
        } catch (error) {
          if (!(error instanceof PromoterError)) throw error;
          problems.push(`${environment.file}: ${name}: ${error.message} (${error.code})`);
        }
      }
    }
  }
  if (problems.length > 0) return invalid(problems);
  const services = Object.keys(config.services).length;
  const environments = Object.keys(config.environments).length;
  const checked = options.infra === undefined ? "" : `; every service's assignment found in ${environments} environment file${environments === 1 ? "" : "s"}`;
  return {
    exitCode: 0,
    stdout: `valid: ${services} service${services === 1 ? "" : "s"}, ${environments} environment${environments === 1 ? "" : "s"}${config.contracts ? `, contracts ${config.contracts.package}` : ""}${checked}\n`,
    json: { valid: true, problems: [] },
  };
}

function invalid(problems: string[]): CommandResult<ValidateJson> {
  return { exitCode: 2, stderr: `invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `- ${p}`).join("\n")}\n`, json: { valid: false, problems } };
}
