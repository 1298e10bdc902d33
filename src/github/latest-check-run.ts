/**
 * The app's latest check run of one name on a commit, read inside the query that reads the state
 * it reports on (one fragment, spread wherever a commit is read), so a report that is already
 * there is not written again. The operation declares `$checkName`.
 */
export const LATEST_CHECK_RUN_FRAGMENT = /* GraphQL */ `
  fragment LatestCheckRun on Commit {
    checkSuites(first: 10, filterBy: { checkName: $checkName }) {
      nodes {
        checkRuns(last: 1, filterBy: { checkName: $checkName }) {
          nodes {
            databaseId
            status
            conclusion
            title
            summary
          }
        }
      }
    }
  }
`;

type CheckRunNode = { databaseId: number | null; status: string; conclusion: string | null; title: string | null; summary: string | null };

/** What `...LatestCheckRun` adds to a commit in the response. */
export interface CommitCheckRuns {
  checkSuites?: { nodes: Array<{ checkRuns: { nodes: Array<CheckRunNode | null> | null } | null } | null> | null } | null;
}

export interface ExistingCheckRun {
  id: number;
  status: string;
  /** Lower case, as the REST API writes it; undefined while in progress. */
  conclusion: string | undefined;
  title: string | undefined;
  summary: string | undefined;
}

/** The newest of the check runs the fragment read (highest id), if any. */
export function latestCheckRun(commit: CommitCheckRuns | null | undefined): ExistingCheckRun | undefined {
  const run = (commit?.checkSuites?.nodes ?? [])
    .flatMap((suite) => suite?.checkRuns?.nodes ?? [])
    .filter((node): node is CheckRunNode & { databaseId: number } => node !== null && node.databaseId !== null)
    .sort((a, b) => b.databaseId - a.databaseId)[0];
  return run === undefined
    ? undefined
    : { id: run.databaseId, status: run.status, conclusion: run.conclusion?.toLowerCase() ?? undefined, title: run.title ?? undefined, summary: run.summary ?? undefined };
}
