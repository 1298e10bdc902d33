/**
 * Commands by comment, in the infra repository (on an issue or a promotion PR):
 *
 *     /release-promoter promote <service> <version> to <environment>
 *     /release-promoter release <service> in <environment>
 *
 * `promote` opens the promotion PR of that version exactly as its tag would, an explicit
 * downgrade included (then a rollback, which holds the environment once merged: core/hold.ts);
 * `release` lifts such a hold. Pure: syntax here, the config's names in `checkCommand`.
 *
 * Syntax: the command is the comment's first non-empty line (a quoted `> /release-promoter …`
 * or a mention later in a comment is not a command); words are separated by any whitespace;
 * `/release-promoter` and the keywords are case-insensitive, names are lowercased (service and
 * environment names are lowercase in the config); the version is `v1.2.3` or `1.2.3`, strict
 * SemVer, a prerelease allowed; a tag (`core-v1.2.3`) is refused with the version to write
 * instead. Anything else after the command is refused, not ignored: the app never guesses what
 * a production command meant.
 */
import type { Config } from "../config/config.schema.js";
import { tagPrefixOf } from "./select-promotion.js";
import { TAG_PREFIX, tryParseReleaseTag } from "./parse-tag.js";
import { isStrictVersion } from "./version-policy.js";

export type CommentCommand =
  | { kind: "promote"; service: string; version: string; environment: string }
  | { kind: "release"; service: string; environment: string };

export type ParsedComment = { kind: "none" } | { kind: "command"; command: CommentCommand } | { kind: "malformed"; reason: string };

export const COMMAND = "/release-promoter";
export const USAGE = [
  "`/release-promoter promote <service> <version> to <environment>`, e.g. `/release-promoter promote core v0.9.3 to prod`",
  "`/release-promoter release <service> in <environment>` (lifts the hold a merged rollback put on the environment)",
].join("\n");

/** A word of the comment, as the answer quotes it: no backticks (they would end the code span), at most 40 characters. */
function shown(word: string): string {
  const plain = word.replace(/`/g, "'");
  return plain.length > 40 ? `${plain.slice(0, 39)}…` : plain;
}

export function parseCommentCommand(body: string): ParsedComment {
  const first = body.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? "";
  const words = first.split(/\s+/);
  if (words[0]?.toLowerCase() !== COMMAND) return { kind: "none" };
  const [, verb, ...rawRest] = words;
  const rest = rawRest.map(shown);
  const malformed = (reason: string): ParsedComment => ({ kind: "malformed", reason });
  switch (verb?.toLowerCase()) {
    case "promote": {
      const [service, version, to, environment, ...extra] = rest;
      const shape = "write `/release-promoter promote <service> <version> to <environment>`";
      if (service === undefined || version === undefined) return malformed(`the service or the version is missing; ${shape}`);
      const tag = tryParseReleaseTag(version);
      if (tag !== undefined) return malformed(`\`${version}\` is a tag; write the version: \`/release-promoter promote ${service.toLowerCase()} v${tag.version} to …\``);
      const plain = version.replace(/^[vV]/, "");
      if (!isStrictVersion(plain)) return malformed(`\`${version}\` is not a version (v1.2.3, strict SemVer); ${shape}`);
      if (to?.toLowerCase() !== "to") return malformed(`\`to <environment>\` is missing after the version; ${shape}`);
      if (environment === undefined) return malformed(`the environment is missing after \`to\`; ${shape}`);
      if (extra.length > 0) return malformed(`unexpected words after the environment: \`${extra.join(" ")}\`; ${shape}`);
      return named({ kind: "promote", service: service.toLowerCase(), version: plain, environment: environment.toLowerCase() });
    }
    case "release": {
      const [service, inWord, environment, ...extra] = rest;
      const shape = "write `/release-promoter release <service> in <environment>`";
      if (service === undefined) return malformed(`the service is missing; ${shape}`);
      if (inWord?.toLowerCase() !== "in") return malformed(`\`in <environment>\` is missing after the service; ${shape}`);
      if (environment === undefined) return malformed(`the environment is missing after \`in\`; ${shape}`);
      if (extra.length > 0) return malformed(`unexpected words after the environment: \`${extra.join(" ")}\`; ${shape}`);
      return named({ kind: "release", service: service.toLowerCase(), environment: environment.toLowerCase() });
    }
    case undefined:
      return malformed(`no command after \`${COMMAND}\`; the commands are:\n${USAGE}`);
    default:
      return malformed(`\`${shown(verb ?? "")}\` is not a command; the commands are:\n${USAGE}`);
  }
}

function named(command: CommentCommand): ParsedComment {
  for (const [what, name] of [["service", command.service], ["environment", command.environment]] as const) {
    if (!TAG_PREFIX.test(name)) return { kind: "malformed", reason: `\`${name}\` is not ${what === "service" ? "a service" : "an environment"} name (lowercase letters, digits and single dashes)` };
  }
  return { kind: "command", command };
}

/** The command against the config: the service and environment exist and the environment takes the service. Returns the problem, or undefined. */
export function checkCommand(command: CommentCommand, config: Config): { problem: string } | { tag?: string } {
  const service = Object.hasOwn(config.services, command.service) ? config.services[command.service] : undefined;
  if (service === undefined) {
    return { problem: `there is no service \`${command.service}\` in the config (its services: ${Object.keys(config.services).map((s) => `\`${s}\``).join(", ") || "none"})` };
  }
  const environment = Object.hasOwn(config.environments, command.environment) ? config.environments[command.environment] : undefined;
  if (environment === undefined) {
    return { problem: `there is no environment \`${command.environment}\` in the config (its environments: ${Object.keys(config.environments).map((e) => `\`${e}\``).join(", ") || "none"})` };
  }
  if (environment.services !== undefined && !environment.services.includes(command.service)) {
    return { problem: `environment \`${command.environment}\` does not take \`${command.service}\` (its services: ${environment.services.map((s) => `\`${s}\``).join(", ")})` };
  }
  return command.kind === "promote" ? { tag: `${tagPrefixOf(command.service, service)}-v${command.version}` } : {};
}
