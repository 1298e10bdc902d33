import { type ReadRecord, readPromotionRecord } from "../core/promotion-record.js";
import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";

export interface TargetRequest {
  file: string;
  branch: string;
}

export interface TargetState {
  /** The file on the infra default branch at `baseOid`, or undefined when missing. */
  baseText: string | undefined;
  /** The promotion branch, when it exists. */
  branchRef: { id: string; oid: string } | undefined;
  /** The file on the promotion branch, when the branch exists. */
  branchText: string | undefined;
  /** The open PR from the promotion branch into the default branch, if any, with the record in its body. */
  pullRequest: { id: string; number: number; url: string; record: ReadRecord } | undefined;
  /** The latest closed PRs of the branch (newest first): what was merged, and what a person closed. */
  closedPullRequests: Array<{ number: number; url: string; merged: boolean; mergedAt?: string | undefined; record: ReadRecord }>;
}

/**
 * The promotion branch's side of one target, under alias `i`: the branch, the file on it, its
 * open PR and its latest closed ones. Shared by this read and by the promotion's first read,
 * which asks for the same fields when the cached config already names the targets.
 */
export function branchFields(i: number): string {
  return `
    head${i}: object(expression: $head${i}) {
      ... on Blob {
        text
      }
    }
    ref${i}: ref(qualifiedName: $ref${i}) {
      id
      target {
        oid
      }
    }
    pulls${i}: pullRequests(headRefName: $branch${i}, baseRefName: $defaultBranch, states: [OPEN], first: 5) {
      nodes {
        id
        number
        url
        body
        isCrossRepository
      }
    }
    closed${i}: pullRequests(headRefName: $branch${i}, baseRefName: $defaultBranch, states: [CLOSED, MERGED], first: 5, orderBy: { field: UPDATED_AT, direction: DESC }) {
      nodes {
        number
        url
        body
        merged
        mergedAt
        isCrossRepository
      }
    }`;
}

export function branchVariableDefinitions(i: number): string[] {
  return [`$head${i}: String!`, `$ref${i}: String!`, `$branch${i}: String!`];
}

export function branchVariables(target: TargetRequest, i: number): Record<string, string> {
  return { [`head${i}`]: `refs/heads/${target.branch}:${target.file}`, [`ref${i}`]: `refs/heads/${target.branch}`, [`branch${i}`]: target.branch };
}

/**
 * The read of the targets, for every environment at once: one GraphQL request whatever their
 * number (aliases t0, t1, …). Files are read at the head oid seen in the first read, so the
 * plan and the branch base agree.
 */
export function readPromotionTargetsDocument(count: number): string {
  const variables: string[] = ["$owner: String!", "$name: String!", "$defaultBranch: String!"];
  const fields: string[] = [];
  for (let i = 0; i < count; i++) {
    variables.push(`$base${i}: String!`, ...branchVariableDefinitions(i));
    fields.push(`
    base${i}: object(expression: $base${i}) {
      ... on Blob {
        text
      }
    }${branchFields(i)}`);
  }
  return `query ReadPromotionTargets(${variables.join(", ")}) {
  repository(owner: $owner, name: $name) {${fields.join("")}
  }
}`;
}

type Blob = { text: string | null } | null;
type Ref = { id: string; target: { oid: string } } | null;
type Pulls = { nodes: Array<{ id: string; number: number; url: string; body: string; isCrossRepository?: boolean } | null> | null };
type ClosedPulls = { nodes: Array<{ number: number; url: string; body: string; merged: boolean; mergedAt?: string | null; isCrossRepository?: boolean } | null> | null };

/** Target `i` from an answer holding `branchFields(i)`, with the base file read beside it. */
export function targetStateFrom(repository: Record<string, unknown>, i: number, baseText: string | undefined): TargetState {
  const ref = repository[`ref${i}`] as Ref;
  // A PR from a fork with the promotion branch's name is someone else's, never the app's promotion.
  const pull = (repository[`pulls${i}`] as Pulls).nodes?.find((node) => node !== null && node.isCrossRepository !== true) ?? undefined;
  return {
    baseText,
    branchRef: ref === null ? undefined : { id: ref.id, oid: ref.target.oid },
    branchText: ref === null ? undefined : ((repository[`head${i}`] as Blob)?.text ?? undefined),
    pullRequest: pull === null || pull === undefined ? undefined : { id: pull.id, number: pull.number, url: pull.url, record: readPromotionRecord(pull.body) },
    closedPullRequests: ((repository[`closed${i}`] as ClosedPulls | undefined)?.nodes ?? []).flatMap((node) =>
      node === null || node.isCrossRepository === true ? [] : [{ number: node.number, url: node.url, merged: node.merged, mergedAt: node.mergedAt ?? undefined, record: readPromotionRecord(node.body) }],
    ),
  };
}

export async function readPromotionTargets(
  octokit: Octokit,
  args: { infra: RepositoryName; defaultBranch: string; baseOid: string; targets: TargetRequest[] },
): Promise<TargetState[]> {
  const variables: Record<string, string> = {
    owner: args.infra.owner,
    name: args.infra.name,
    defaultBranch: args.defaultBranch,
  };
  args.targets.forEach((target, i) => {
    variables[`base${i}`] = `${args.baseOid}:${target.file}`;
    Object.assign(variables, branchVariables(target, i));
  });
  let data: { repository: Record<string, unknown> };
  try {
    data = await octokit.graphql(readPromotionTargetsDocument(args.targets.length), variables);
  } catch (error) {
    throw mapGitHubError(error, `reading ${args.infra.owner}/${args.infra.name}`);
  }
  const repository = data.repository;
  return args.targets.map((_, i) => targetStateFrom(repository, i, (repository[`base${i}`] as Blob)?.text ?? undefined));
}
