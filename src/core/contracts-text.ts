import semver from "semver";
import { code } from "./markdown.js";

/** One branch per consumer for every contracts release: newer releases update its PR. */
export function contractsBranchName(packageName: string): string {
  return `release-promoter/contracts/${packageName}`;
}

/** A major bump, or a minor bump while in 0.x, may break consumers. */
export function isBreakingBump(from: string | undefined, to: string): boolean {
  const previous = from === undefined ? null : semver.coerce(from, { includePrerelease: false });
  if (previous === null) return false;
  const next = semver.parse(to);
  if (next === null) return false;
  if (next.major !== previous.major) return true;
  return next.major === 0 && next.minor !== previous.minor;
}

export function contractsTitle(packageName: string, version: string): string {
  return `Bump ${packageName} to ${version}`;
}

/** The version a PR title of ours names ("Bump @acme/contracts to 0.3.2" → "0.3.2"). */
export function versionInTitle(title: string, packageName: string): string | undefined {
  const prefix = `Bump ${packageName} to `;
  return title.startsWith(prefix) ? title.slice(prefix.length).trim() : undefined;
}

export interface ContractsTextInput {
  packageName: string;
  version: string;
  tag: string;
  tagPrefix: string;
  contractsUrl: string;
  from: string | undefined;
  superseded: string | undefined;
  method: string;
  files: string[];
  pusher?: string | undefined;
}

export function contractsPullRequestText(input: ContractsTextInput): { title: string; body: string; commitMessage: string; breaking: boolean } {
  const url = input.contractsUrl.replace(/\/+$/, "");
  const breaking = isBreakingBump(input.from, input.version);
  const title = contractsTitle(input.packageName, input.version);
  const compare =
    input.from === undefined
      ? "unknown previous version"
      : `[${input.tagPrefix}-v${input.from}...${input.tag}](${url}/compare/${encodeURIComponent(`${input.tagPrefix}-v${input.from}`)}...${encodeURIComponent(input.tag)})`;
  const lines = [
    `Bumps ${code(input.packageName)} from ${input.from === undefined ? "an unknown version" : code(input.from)} to ${code(input.version)}.`,
    "",
  ];
  if (breaking) {
    lines.push(
      `> [!WARNING]`,
      `> **Breaking:** ${input.from === undefined ? "" : `${input.from} → ${input.version} `}is a ${semver.major(input.version) === 0 ? "minor bump in 0.x" : "major bump"}; check the release notes before merging.`,
      "",
    );
  }
  lines.push(
    "| | |",
    "|---|---|",
    `| Release | [${input.tag}](${url}/releases/tag/${encodeURIComponent(input.tag)}) |`,
    `| Changes | ${compare} |`,
    `| Files | ${input.files.map((file) => code(file)).join(", ")} |`,
    `| Lockfile | ${input.method} |`,
  );
  if (input.superseded !== undefined) lines.push("", `This PR was updated: ${input.version} supersedes ${input.superseded}, which it proposed before.`);
  return {
    title,
    body: lines.join("\n"),
    commitMessage: `${title}\n\nRelease: ${input.tag}`,
    breaking,
  };
}
