/**
 * The stand-in's GraphQL endpoint: documents are validated and executed by graphql-js against
 * GitHub's own published schema (`@octokit/graphql-schema`), so a document GitHub would refuse
 * is refused here. Field values come from plain model objects over the World; a field the
 * stand-in does not model fails loudly instead of answering null.
 */
import { Buffer } from "node:buffer";
import { type DocumentNode, GraphQLError, type GraphQLFieldResolver, Kind, type OperationDefinitionNode, execute, parse, validate } from "graphql";
import { graphqlSchema } from "../helpers/github-description.js";
import { GitError } from "./git-store.js";
import { blobSha } from "./git-store.js";
import { APP_BOT } from "./git-store.js";
import type { CheckRun, PullRequest, Repository, World } from "./world.js";

export interface GraphqlContext {
  world: World;
  installationId: number;
}

export interface GraphqlOutcome {
  status: number;
  body: { data?: unknown; errors?: Array<Record<string, unknown>> };
  operation: "query" | "mutation" | undefined;
  operationName: string | undefined;
  /** Names of the mutation fields the document ran (createRef, createCommitOnBranch, …). */
  mutationFields: string[];
  /** Non-empty when the request is one GitHub's schema does not allow, or the stand-in cannot answer. */
  problems: string[];
}

type Model = Record<string, unknown>;

/** A GitHub-style error: `type` is what GitHub puts beside the message (NOT_FOUND, UNPROCESSABLE, …). */
function githubError(type: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type } });
}

const UNMODELLED = "stand-in does not model";

/** Plain property reads, functions called with the field's arguments; anything else is a gap in the stand-in. */
const fieldResolver: GraphQLFieldResolver<Model, GraphqlContext> = (source, args, context, info) => {
  if (source === null || typeof source !== "object" || !(info.fieldName in source)) {
    throw new Error(`${UNMODELLED} ${info.parentType.name}.${info.fieldName}`);
  }
  const value = source[info.fieldName];
  return typeof value === "function" ? (value as (a: unknown, c: GraphqlContext) => unknown)(args, context) : value;
};

function visible(context: GraphqlContext, repository: Repository | undefined): repository is Repository {
  return repository !== undefined && repository.installationId === context.installationId;
}

function findRepository(context: GraphqlContext, owner: string, name: string): Repository {
  const repository = context.world.repository(`${owner}/${name}`);
  if (!visible(context, repository)) throw githubError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
  return repository;
}

function page<T>(items: T[], args: { first?: number | null; last?: number | null }): { nodes: T[]; totalCount: number } {
  let nodes = items;
  if (typeof args.first === "number") nodes = nodes.slice(0, args.first);
  if (typeof args.last === "number") nodes = nodes.slice(Math.max(0, nodes.length - args.last));
  return { nodes, totalCount: items.length };
}

function checkRunModel(run: CheckRun): Model {
  return {
    id: run.nodeId,
    databaseId: run.id,
    name: run.name,
    status: run.status.toUpperCase(),
    conclusion: run.conclusion?.toUpperCase() ?? null,
    title: run.title,
    summary: run.summary,
    text: run.text,
    detailsUrl: run.detailsUrl,
    externalId: run.externalId,
  };
}

function gitObjectModel(context: GraphqlContext, repository: Repository, oid: string): Model | null {
  const tag = repository.git.tags.get(oid);
  if (tag !== undefined) {
    return { __typename: "Tag", id: `Tag_${oid}`, oid, name: tag.name, message: tag.message, target: () => gitObjectModel(context, repository, tag.target) };
  }
  const commit = repository.git.commits.get(oid);
  if (commit === undefined) return null;
  return {
    __typename: "Commit",
    id: `Commit_${oid}`,
    oid,
    abbreviatedOid: oid.slice(0, 7),
    message: commit.message,
    messageHeadline: commit.message.split("\n")[0],
    committedDate: commit.committedAt,
    url: context.world.htmlUrl(repository, `/commit/${oid}`),
    // The tree entry at `path` in this commit (null when there is none), as GitHub's Commit.file.
    file: ({ path }: { path: string }) => {
      const text = commit.files.get(path);
      if (text === undefined) return null;
      return { __typename: "TreeEntry", name: path.split("/").pop(), path, type: "blob", oid: blobSha(text), object: blobModel(text) };
    },
    checkSuites: (args: { first?: number; last?: number; filterBy?: { checkName?: string | null } | null }) => {
      const checkName = args.filterBy?.checkName ?? undefined;
      const runs = context.world.checkRuns.filter((run) => run.repository === repository && run.headSha === oid);
      const matching = runs.filter((run) => checkName === undefined || run.name === checkName);
      // One app writes here, so there is one suite per commit: the app's.
      const suites = matching.length === 0 ? [] : [runs];
      return page(
        suites.map((suiteRuns) => ({
          checkRuns: (inner: { first?: number; last?: number; filterBy?: { checkName?: string | null } | null }) => {
            const name = inner.filterBy?.checkName ?? undefined;
            return page(
              suiteRuns.filter((run) => name === undefined || run.name === name).map(checkRunModel),
              inner,
            );
          },
        })),
        args,
      );
    },
  };
}

/** `rev:path` → blob, `rev` → commit; rev is HEAD, a ref, a branch or tag name, or an oid. */
function objectAt(context: GraphqlContext, repository: Repository, expression: string): Model | null {
  const colon = expression.indexOf(":");
  const revision = colon === -1 ? expression : expression.slice(0, colon);
  const commit = repository.git.resolve(revision === "HEAD" ? repository.defaultBranch : revision);
  if (commit === undefined) return null;
  if (colon === -1) return gitObjectModel(context, repository, commit.oid);
  const path = expression.slice(colon + 1);
  const text = commit.files.get(path);
  if (text === undefined) return null;
  return blobModel(text);
}

function blobModel(text: string): Model {
  return { __typename: "Blob", id: `Blob_${blobSha(text)}`, oid: blobSha(text), text, isBinary: false, isTruncated: false, byteSize: Buffer.byteLength(text) };
}

function qualify(repository: Repository, name: string): string | undefined {
  if (name.startsWith("refs/")) return repository.git.refs.has(name) ? name : undefined;
  return [`refs/heads/${name}`, `refs/tags/${name}`].find((candidate) => repository.git.refs.has(candidate));
}

function refModel(context: GraphqlContext, repository: Repository, qualifiedName: string): Model | null {
  const oid = repository.git.refs.get(qualifiedName);
  if (oid === undefined) return null;
  const prefix = qualifiedName.startsWith("refs/heads/") ? "refs/heads/" : qualifiedName.startsWith("refs/tags/") ? "refs/tags/" : "refs/";
  return {
    id: context.world.refNodeId(repository, qualifiedName),
    name: qualifiedName.slice(prefix.length),
    prefix,
    target: () => gitObjectModel(context, repository, oid),
    compare: ({ headRef }: { headRef: string }) => {
      const head = qualify(repository, headRef);
      const headCommit = head === undefined ? undefined : repository.git.peel(repository.git.refs.get(head)!);
      const baseCommit = repository.git.peel(oid);
      if (headCommit === undefined || baseCommit === undefined) return null;
      const comparison = repository.git.compare(baseCommit.oid, headCommit.oid);
      return { status: comparison.status.toUpperCase(), aheadBy: comparison.aheadBy, behindBy: comparison.behindBy };
    },
  };
}

function pullRequestModel(context: GraphqlContext, pr: PullRequest): Model {
  return {
    id: pr.nodeId,
    databaseId: pr.databaseId,
    number: pr.number,
    title: pr.title,
    body: pr.body,
    url: context.world.htmlUrl(pr.repository, `/pull/${pr.number}`),
    state: pr.state.toUpperCase(),
    merged: pr.state === "merged",
    mergeable: () => (pr.state !== "open" ? "UNKNOWN" : context.world.mergeConflicts(pr).length === 0 ? "MERGEABLE" : "CONFLICTING"),
    // Without branch protection GitHub reports CLEAN (mergeable) or DIRTY (conflicts); BEHIND and BLOCKED need protection rules the stand-in does not model.
    mergeStateStatus: () => (pr.state !== "open" ? "UNKNOWN" : context.world.mergeConflicts(pr).length === 0 ? "CLEAN" : "DIRTY"),
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    mergedAt: pr.state === "merged" ? (pr.mergedAt ?? pr.updatedAt) : null,
    mergeCommit: () => (pr.state === "merged" && pr.mergeCommit !== undefined ? gitObjectModel(context, pr.repository, pr.mergeCommit) : null),
    isCrossRepository: pr.fromFork !== undefined,
    headRefName: pr.head,
    headRefOid: pr.fromFork !== undefined ? null : (pr.repository.git.refs.get(`refs/heads/${pr.head}`) ?? null),
    baseRefName: pr.base,
    autoMergeRequest: pr.autoMerge === undefined ? null : { enabledAt: pr.autoMerge.enabledAt, mergeMethod: pr.autoMerge.mergeMethod },
    isDraft: false,
    // GraphQL names a bot by its slug (no "[bot]"); the stand-in's PRs are opened by the app or a person.
    author: { __typename: pr.author === "release-promoter" ? "Bot" : "User", login: pr.author },
    headRef: () => (pr.fromFork !== undefined ? null : refModel(context, pr.repository, `refs/heads/${pr.head}`)),
    commits: (args: { first?: number; last?: number }) => {
      const git = pr.repository.git;
      const head = git.refs.get(`refs/heads/${pr.head}`);
      const base = git.refs.get(`refs/heads/${pr.base}`);
      const commits = head === undefined || base === undefined ? [] : git.commitsBetween(base, head);
      return page(
        commits.map((commit) => ({ commit: { oid: commit.oid, author: { name: commit.author.name, email: commit.author.email, user: commit.author.login === undefined ? null : { login: commit.author.login } } } })),
        args,
      );
    },
    comments: (args: { first?: number; last?: number }) => page(pr.comments.map((body) => ({ body })), args),
  };
}

function orderPullRequests(prs: PullRequest[], orderBy: { field: string; direction: string } | null | undefined): PullRequest[] {
  if (orderBy === undefined || orderBy === null) return prs;
  const key = orderBy.field === "CREATED_AT" ? (pr: PullRequest) => pr.createdAt : orderBy.field === "UPDATED_AT" ? (pr: PullRequest) => pr.updatedAt : undefined;
  if (key === undefined) throw new Error(`${UNMODELLED} pullRequests orderBy ${orderBy.field}`);
  // Stable on number, so PRs written in the same millisecond keep their creation order.
  const sorted = [...prs].sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number);
  return orderBy.direction === "DESC" ? sorted.reverse() : sorted;
}

function repositoryModel(context: GraphqlContext, repository: Repository): Model {
  return {
    id: repository.nodeId,
    databaseId: repository.databaseId,
    name: repository.name,
    nameWithOwner: repository.fullName,
    url: context.world.htmlUrl(repository),
    isArchived: repository.archived,
    defaultBranchRef: () => refModel(context, repository, `refs/heads/${repository.defaultBranch}`),
    object: (args: { expression?: string | null; oid?: string | null }) => objectAt(context, repository, args.expression ?? args.oid ?? ""),
    ref: ({ qualifiedName }: { qualifiedName: string }) => {
      const name = qualify(repository, qualifiedName);
      return name === undefined ? null : refModel(context, repository, name);
    },
    pullRequest: ({ number }: { number: number }) => {
      const pr = context.world.pullRequests.find((p) => p.repository === repository && p.number === number);
      if (pr === undefined) throw githubError("NOT_FOUND", `Could not resolve to a PullRequest with the number of ${number}.`);
      return pullRequestModel(context, pr);
    },
    pullRequests: (args: { states?: string[] | null; headRefName?: string | null; baseRefName?: string | null; first?: number; last?: number; orderBy?: { field: string; direction: string } | null }) =>
      page(
        orderPullRequests(
          context.world.pullRequests
            .filter((pr) => pr.repository === repository)
            .filter((pr) => !args.states || args.states.includes(pr.state.toUpperCase()))
            .filter((pr) => !args.headRefName || pr.head === args.headRefName)
            .filter((pr) => !args.baseRefName || pr.base === args.baseRefName),
          args.orderBy,
        ).map((pr) => pullRequestModel(context, pr)),
        args,
      ),
    refs: (args: { refPrefix: string; query?: string | null; first?: number; last?: number; orderBy?: { field: string; direction: string } | null }) => {
      // GitHub's refs connection: names under refPrefix (returned without it) containing `query`.
      if (!args.refPrefix.endsWith("/")) throw githubError("UNPROCESSABLE", "refPrefix must end with a slash");
      const names = [...repository.git.refs.keys()].filter((name) => name.startsWith(args.refPrefix) && name.slice(args.refPrefix.length).includes(args.query ?? ""));
      let ordered = names.sort();
      if (args.orderBy?.field === "TAG_COMMIT_DATE") {
        // The stand-in's commits carry no dates; creation order is commit order in its git store.
        const order = (name: string) => repository.git.commitIndex(repository.git.peel(repository.git.refs.get(name)!)?.oid ?? "");
        ordered = names.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
      } else if (args.orderBy !== undefined && args.orderBy !== null && args.orderBy.field !== "ALPHABETICAL") {
        throw new Error(`${UNMODELLED} refs orderBy ${args.orderBy.field}`);
      }
      if (args.orderBy?.direction === "DESC") ordered.reverse();
      return page(ordered.map((name) => refModel(context, repository, name)), args);
    },
  };
}

function pullRequestById(context: GraphqlContext, id: string): PullRequest {
  const node = context.world.node(id);
  if (node?.kind !== "PullRequest" || !visible(context, node.pullRequest.repository)) {
    throw githubError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
  }
  return node.pullRequest;
}

function repositoryById(context: GraphqlContext, id: string): Repository {
  const node = context.world.node(id);
  if (node?.kind !== "Repository" || !visible(context, node.repository)) {
    throw githubError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
  }
  return node.repository;
}

function refById(context: GraphqlContext, id: string): { repository: Repository; qualifiedName: string } {
  const node = context.world.node(id);
  if (node?.kind !== "Ref" || !visible(context, node.ref.repository) || !node.ref.repository.git.refs.has(node.ref.qualifiedName)) {
    throw githubError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
  }
  return node.ref;
}

function mustCommit(repository: Repository, oid: string): void {
  if (repository.git.peel(oid) === undefined) throw githubError("UNPROCESSABLE", `Could not resolve to a commit with oid '${oid}'.`);
}

const queryRoot: Model = {
  repository: ({ owner, name }: { owner: string; name: string }, context: GraphqlContext) => repositoryModel(context, findRepository(context, owner, name)),
};

interface FileChanges {
  additions?: Array<{ path: string; contents: string }> | null;
  deletions?: Array<{ path: string }> | null;
}

const mutationRoot: Model = {
  createRef: ({ input }: { input: { repositoryId: string; name: string; oid: string } }, context: GraphqlContext) => {
    const repository = repositoryById(context, input.repositoryId);
    if (!/^refs\/[^/]+\/.+/.test(input.name)) throw githubError("UNPROCESSABLE", `Reference name '${input.name}' must start with 'refs/' and have at least two slashes.`);
    if (repository.git.refs.has(input.name)) throw githubError("UNPROCESSABLE", `A ref named "${input.name}" already exists in the repository.`);
    mustCommit(repository, input.oid);
    repository.git.refs.set(input.name, input.oid);
    return { clientMutationId: null, ref: refModel(context, repository, input.name) };
  },
  updateRef: ({ input }: { input: { refId: string; oid: string; force?: boolean | null } }, context: GraphqlContext) => {
    const { repository, qualifiedName } = refById(context, input.refId);
    mustCommit(repository, input.oid);
    const current = repository.git.refs.get(qualifiedName)!;
    if (!input.force && !repository.git.isAncestor(current, input.oid)) throw githubError("UNPROCESSABLE", "Update is not a fast forward");
    repository.git.refs.set(qualifiedName, input.oid);
    context.world.closeEmptyPullRequests(repository);
    return { clientMutationId: null, ref: refModel(context, repository, qualifiedName) };
  },
  deleteRef: ({ input }: { input: { refId: string } }, context: GraphqlContext) => {
    const { repository, qualifiedName } = refById(context, input.refId);
    repository.git.refs.delete(qualifiedName);
    context.world.closeEmptyPullRequests(repository);
    return { clientMutationId: null };
  },
  createCommitOnBranch: (
    {
      input,
    }: {
      input: {
        branch: { repositoryNameWithOwner?: string | null; branchName?: string | null; id?: string | null };
        expectedHeadOid: string;
        message: { headline: string; body?: string | null };
        fileChanges?: FileChanges | null;
      };
    },
    context: GraphqlContext,
  ) => {
    let repository: Repository;
    let qualifiedName: string;
    if (input.branch.id) ({ repository, qualifiedName } = refById(context, input.branch.id));
    else {
      const [owner = "", name = ""] = (input.branch.repositoryNameWithOwner ?? "").split("/");
      repository = findRepository(context, owner, name);
      qualifiedName = `refs/heads/${input.branch.branchName ?? ""}`;
    }
    const head = repository.git.refs.get(qualifiedName);
    if (head === undefined) throw githubError("NOT_FOUND", `A ref named "${qualifiedName}" does not exist in the repository.`);
    if (head !== input.expectedHeadOid) {
      throw githubError("STALE_DATA", `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`);
    }
    const changes: Record<string, string | null> = {};
    for (const deletion of input.fileChanges?.deletions ?? []) {
      if (!repository.git.getCommit(head).files.has(deletion.path)) throw githubError("UNPROCESSABLE", `A path was requested for deletion which does not exist as of commit oid \`${head}\``);
      changes[deletion.path] = null;
    }
    for (const addition of input.fileChanges?.additions ?? []) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(addition.contents)) throw githubError("UNPROCESSABLE", `contents of ${addition.path} is not valid base64`);
      changes[addition.path] = Buffer.from(addition.contents, "base64").toString("utf8");
    }
    const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}` : input.message.headline;
    const commit = repository.git.commit(head, message, changes, APP_BOT);
    repository.git.refs.set(qualifiedName, commit.oid);
    return { clientMutationId: null, commit: gitObjectModel(context, repository, commit.oid), ref: refModel(context, repository, qualifiedName) };
  },
  createPullRequest: (
    { input }: { input: { repositoryId: string; baseRefName: string; headRefName: string; title: string; body?: string | null; draft?: boolean | null } },
    context: GraphqlContext,
  ) => {
    const repository = repositoryById(context, input.repositoryId);
    const pr = openPullRequestIn(context.world, repository, { title: input.title, body: input.body ?? "", head: input.headRefName, base: input.baseRefName }, githubError);
    return { clientMutationId: null, pullRequest: pullRequestModel(context, pr) };
  },
  addComment: ({ input }: { input: { subjectId: string; body: string } }, context: GraphqlContext) => {
    const pr = pullRequestById(context, input.subjectId);
    pr.comments.push(input.body);
    return { clientMutationId: null };
  },
  closePullRequest: ({ input }: { input: { pullRequestId: string } }, context: GraphqlContext) => {
    const pr = pullRequestById(context, input.pullRequestId);
    if (pr.state === "open") context.world.close(pr);
    return { clientMutationId: null, pullRequest: pullRequestModel(context, pr) };
  },
  mergePullRequest: ({ input }: { input: { pullRequestId: string; expectedHeadOid?: string | null } }, context: GraphqlContext) => {
    const pr = pullRequestById(context, input.pullRequestId);
    if (pr.state !== "open") throw githubError("UNPROCESSABLE", "Pull request is not open");
    const head = pr.repository.git.refs.get(`refs/heads/${pr.head}`);
    if (input.expectedHeadOid && head !== input.expectedHeadOid) throw githubError("UNPROCESSABLE", "Head branch was modified. Review and try the merge again.");
    if (context.world.mergeConflicts(pr).length > 0) throw githubError("UNPROCESSABLE", "Pull Request is not mergeable");
    context.world.merge(pr);
    return { clientMutationId: null, pullRequest: pullRequestModel(context, pr) };
  },
  enablePullRequestAutoMerge: ({ input }: { input: { pullRequestId: string; mergeMethod?: string | null } }, context: GraphqlContext) => {
    const pr = pullRequestById(context, input.pullRequestId);
    // GitHub's answers when the repository has auto-merge off, or the PR is closed.
    if (!pr.repository.allowAutoMerge) throw githubError("UNPROCESSABLE", "Auto merge is not allowed for this repository");
    if (pr.state !== "open") throw githubError("UNPROCESSABLE", "Pull request is not open");
    pr.autoMerge = { enabledAt: new Date().toISOString(), mergeMethod: input.mergeMethod ?? "MERGE" };
    return { clientMutationId: null, pullRequest: pullRequestModel(context, pr) };
  },
  updatePullRequest: ({ input }: { input: { pullRequestId: string; title?: string | null; body?: string | null } }, context: GraphqlContext) => {
    const node = context.world.node(input.pullRequestId);
    if (node?.kind !== "PullRequest" || !visible(context, node.pullRequest.repository)) {
      throw githubError("NOT_FOUND", `Could not resolve to a node with the global id of '${input.pullRequestId}'`);
    }
    const pr = node.pullRequest;
    if (input.title !== undefined && input.title !== null) pr.title = input.title;
    if (input.body !== undefined && input.body !== null) pr.body = input.body;
    pr.updatedAt = new Date().toISOString();
    return { clientMutationId: null, pullRequest: pullRequestModel(context, pr) };
  },
};

/** GitHub's rules for a new PR, shared by GraphQL and REST (each with its own error shape). */
export function openPullRequestIn(
  world: World,
  repository: Repository,
  fields: { title: string; body: string; head: string; base: string },
  fail: (type: string, message: string) => Error,
): PullRequest {
  const head = repository.git.refs.get(`refs/heads/${fields.head}`);
  const base = repository.git.refs.get(`refs/heads/${fields.base}`);
  if (head === undefined) throw fail("UNPROCESSABLE", `Head sha can't be blank, Head ref must be a branch (${fields.head})`);
  if (base === undefined) throw fail("UNPROCESSABLE", `Base ref must be a branch (${fields.base})`);
  // One open PR per head branch of this repository (a fork's branch of the same name is another head, as on GitHub).
  if (world.pullRequests.some((pr) => pr.repository === repository && pr.fromFork === undefined && pr.state === "open" && pr.head === fields.head && pr.base === fields.base)) {
    throw fail("UNPROCESSABLE", `A pull request already exists for ${repository.owner}:${fields.head}.`);
  }
  if (repository.git.compare(base, head).aheadBy === 0) throw fail("UNPROCESSABLE", `No commits between ${fields.base} and ${fields.head}`);
  return world.openPullRequest(repository, fields);
}

/** Validates and runs one GraphQL request for an installation. */
export function runGraphql(context: GraphqlContext, body: unknown): GraphqlOutcome {
  const outcome: GraphqlOutcome = { status: 200, body: {}, operation: undefined, operationName: undefined, mutationFields: [], problems: [] };
  const request = body as { query?: unknown; variables?: unknown; operationName?: unknown } | null;
  if (request === null || typeof request !== "object" || typeof request.query !== "string") {
    outcome.status = 400;
    outcome.body = { errors: [{ message: "A query attribute must be specified and must be a string." }] };
    outcome.problems.push("GraphQL request without a query string");
    return outcome;
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return refuse(outcome, [(error as GraphQLError).message]);
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  outcome.operation = operations[0]?.operation === "mutation" ? "mutation" : "query";
  outcome.operationName = operations[0]?.name?.value;
  const invalid = validate(graphqlSchema(), document);
  if (invalid.length > 0) return refuse(outcome, invalid.map((e) => e.message));
  if (outcome.operation === "mutation") {
    outcome.mutationFields = operations[0]!.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  }

  const result = execute({
    schema: graphqlSchema(),
    document,
    rootValue: outcome.operation === "mutation" ? mutationRoot : queryRoot,
    contextValue: context,
    variableValues: (request.variables ?? {}) as Record<string, unknown>,
    operationName: typeof request.operationName === "string" ? request.operationName : undefined,
    fieldResolver,
  });
  if (result instanceof Promise) throw new Error("stand-in resolvers are synchronous");
  const errors = (result.errors ?? []).map((error) => {
    const type = error.extensions?.type;
    const original = error.originalError;
    // Variables that do not coerce, and gaps in the stand-in, are problems; GitHub-style errors (typed) are answers.
    if (type === undefined && !(original instanceof GitError)) outcome.problems.push(error.message);
    return {
      ...(type === undefined ? {} : { type }),
      path: error.path,
      locations: error.locations,
      message: error.message,
    };
  });
  outcome.body = { ...(result.data === undefined ? {} : { data: result.data }), ...(errors.length > 0 ? { errors } : {}) };
  return outcome;
}

function refuse(outcome: GraphqlOutcome, messages: string[]): GraphqlOutcome {
  // GitHub answers an invalid document with 200 and `errors`; the problem list makes it loud here.
  outcome.body = { errors: messages.map((message) => ({ message })) };
  outcome.problems.push(...messages.map((message) => `GraphQL document refused by GitHub's schema: ${message}`));
  return outcome;
}
