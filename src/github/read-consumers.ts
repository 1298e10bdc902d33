import { mapGitHubError } from "./map-github-error.js";
import type { Octokit, RepositoryName } from "./octokit.js";

export interface ConsumerRequest {
  repository: RepositoryName;
  branch: string;
  /** Path of a version-pin file, for pinned consumers. */
  pinFile?: string | undefined;
}

export interface ConsumerState {
  nameWithOwner: string;
  /** undefined when the installation cannot see the repository. */
  found: boolean;
  id: string;
  url: string;
  archived: boolean;
  defaultBranch: string | undefined;
  headOid: string | undefined;
  packageJson: string | undefined;
  packageLock: string | undefined;
  pinText: string | undefined;
  branchRef: { id: string; oid: string } | undefined;
  pullRequest: { id: string; number: number; url: string; title: string } | undefined;
}

type Blob = { text: string | null } | null;
interface RepositoryData {
  id: string;
  nameWithOwner: string;
  url: string;
  isArchived: boolean;
  defaultBranchRef: { name: string; target: { oid: string } } | null;
  packageJson: Blob;
  packageLock: Blob;
  pin?: Blob;
  ref: { id: string; target: { oid: string } } | null;
  pullRequests: { nodes: Array<{ id: string; number: number; url: string; title: string; isCrossRepository?: boolean } | null> | null };
}

/** One GraphQL request reading every consumer's files, branch and open PR (aliases c0, c1, …). */
export function readConsumersDocument(requests: ConsumerRequest[]): string {
  const variables: string[] = [];
  const fields = requests.map((request, i) => {
    variables.push(`$owner${i}: String!`, `$name${i}: String!`, `$ref${i}: String!`, `$branch${i}: String!`);
    if (request.pinFile !== undefined) variables.push(`$pin${i}: String!`);
    return `
  c${i}: repository(owner: $owner${i}, name: $name${i}) {
    id
    nameWithOwner
    url
    isArchived
    defaultBranchRef {
      name
      target {
        oid
      }
    }
    packageJson: object(expression: "HEAD:package.json") {
      ... on Blob {
        text
      }
    }
    packageLock: object(expression: "HEAD:package-lock.json") {
      ... on Blob {
        text
      }
    }${
      request.pinFile === undefined
        ? ""
        : `
    pin: object(expression: $pin${i}) {
      ... on Blob {
        text
      }
    }`
    }
    ref(qualifiedName: $ref${i}) {
      id
      target {
        oid
      }
    }
    pullRequests(headRefName: $branch${i}, states: [OPEN], first: 5) {
      nodes {
        id
        number
        url
        title
        isCrossRepository
      }
    }
  }`;
  });
  return `query ReadConsumers(${variables.join(", ")}) {${fields.join("")}
}`;
}

const BATCH = 10;

/** Reads consumers in batches of 10 (lockfiles can be large); one request per batch. */
export async function readConsumers(octokit: Octokit, requests: ConsumerRequest[]): Promise<ConsumerState[]> {
  const states: ConsumerState[] = [];
  for (let start = 0; start < requests.length; start += BATCH) {
    const batch = requests.slice(start, start + BATCH);
    const variables: Record<string, string> = {};
    batch.forEach((request, i) => {
      variables[`owner${i}`] = request.repository.owner;
      variables[`name${i}`] = request.repository.name;
      variables[`ref${i}`] = `refs/heads/${request.branch}`;
      variables[`branch${i}`] = request.branch;
      if (request.pinFile !== undefined) variables[`pin${i}`] = `HEAD:${request.pinFile}`;
    });
    let data: Record<string, RepositoryData | null>;
    try {
      data = await octokit.graphql<Record<string, RepositoryData | null>>(readConsumersDocument(batch), variables);
    } catch (error) {
      // A repository the installation cannot see: NOT_FOUND error with partial data.
      const partial = (error as { data?: Record<string, RepositoryData | null> }).data;
      if (partial === undefined || partial === null) throw mapGitHubError(error, "reading the consumers");
      data = partial;
    }
    batch.forEach((request, i) => {
      const repo = data[`c${i}`];
      const name = `${request.repository.owner}/${request.repository.name}`;
      if (repo === null || repo === undefined) {
        states.push({
          nameWithOwner: name,
          found: false,
          id: "",
          url: "",
          archived: false,
          defaultBranch: undefined,
          headOid: undefined,
          packageJson: undefined,
          packageLock: undefined,
          pinText: undefined,
          branchRef: undefined,
          pullRequest: undefined,
        });
        return;
      }
      // The bump PR is the app's, on the consumer's own branch; one from a fork with that name is not.
      const pull = repo.pullRequests.nodes?.find((node) => node !== null && node.isCrossRepository !== true) ?? undefined;
      states.push({
        nameWithOwner: repo.nameWithOwner,
        found: true,
        id: repo.id,
        url: repo.url,
        archived: repo.isArchived,
        defaultBranch: repo.defaultBranchRef?.name,
        headOid: repo.defaultBranchRef?.target.oid,
        packageJson: repo.packageJson?.text ?? undefined,
        packageLock: repo.packageLock?.text ?? undefined,
        pinText: repo.pin?.text ?? undefined,
        branchRef: repo.ref === null ? undefined : { id: repo.ref.id, oid: repo.ref.target.oid },
        pullRequest: pull === null ? undefined : pull,
      });
    });
  }
  return states;
}
