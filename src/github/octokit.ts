import type { ProbotOctokit } from "probot";

/** The installation-authenticated client Probot hands to a handler. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepositoryName {
  owner: string;
  name: string;
}

export function splitRepository(fullName: string): RepositoryName {
  const [owner, name, ...rest] = fullName.split("/");
  if (owner === undefined || name === undefined || rest.length > 0 || owner === "" || name === "") {
    throw new Error(`not an owner/name repository: ${fullName}`);
  }
  return { owner, name };
}
