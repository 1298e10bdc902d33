/**
 * The state the GitHub stand-in serves: one GitHub App, its installations, their repositories
 * (each with a GitStore), pull requests, check runs and labels. Both APIs (REST and GraphQL)
 * read and change this one state, so a commit the app makes is what the next read returns.
 */
import { GitStore } from "./git-store.js";
import { mergeTrees } from "./merge-files.js";

export interface Repository {
  databaseId: number;
  nodeId: string;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  archived: boolean;
  installationId: number;
  git: GitStore;
  /** Labels that exist in the repository (name → color). */
  labels: Map<string, string>;
  /** The repository setting "Allow auto-merge" (GitHub's default is off; the stand-in's on unless a test turns it off). */
  allowAutoMerge: boolean;
}

export interface PullRequest {
  databaseId: number;
  nodeId: string;
  repository: Repository;
  number: number;
  title: string;
  body: string;
  /** Branch names in the same repository. */
  head: string;
  base: string;
  state: "open" | "closed" | "merged";
  labels: string[];
  createdAt: string;
  updatedAt: string;
  /** When it was merged (merged PRs only). */
  mergedAt?: string;
  /** A PR from a fork (its owner/name): its head branch lives there, not in this repository. */
  fromFork?: string;
  /** The commit its merge left on the base branch (merged PRs only), as GitHub's mergeCommit. */
  mergeCommit?: string;
  /** Auto-merge enabled on it (enablePullRequestAutoMerge): when, and with which method. */
  autoMerge?: { enabledAt: string; mergeMethod: string };
  /** Who merged it (a login), when merged through the world. */
  mergedBy?: string;
  /** Who opened it, as GraphQL names them: the app's slug, or a person's login. */
  author: string;
  /** Comment bodies, oldest first. */
  comments: string[];
}

export interface CheckRun {
  id: number;
  nodeId: string;
  repository: Repository;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  startedAt: string;
  completedAt: string | null;
}

export interface RefNode {
  repository: Repository;
  qualifiedName: string;
}

type NodeTarget =
  | { kind: "Repository"; repository: Repository }
  | { kind: "Ref"; ref: RefNode }
  | { kind: "PullRequest"; pullRequest: PullRequest };

export class World {
  readonly repositories = new Map<string, Repository>();
  readonly pullRequests: PullRequest[] = [];
  readonly checkRuns: CheckRun[] = [];
  /** Issues (not PRs) by repository (lowercase full name); they share the PRs' numbers, as on GitHub. */
  readonly issues = new Map<string, Array<{ number: number; title: string; comments: Array<{ author: string; body: string }> }>>();
  /** Repository permissions of people (lowercase full name → login → admin | write | read | none); anyone else has none. */
  readonly permissions = new Map<string, Map<string, string>>();
  /** Artifact attestations by repository (lowercase full name) and subject digest, as GitHub stores what actions/attest-build-provenance uploads. */
  readonly attestations = new Map<string, Map<string, Array<{ bundle: unknown; predicateType: string }>>>();
  private readonly nodes = new Map<string, NodeTarget>();
  private nextId = 1000;

  constructor(
    /** The public URL of the stand-in, for html_url / url fields. */
    public htmlBase = "http://127.0.0.1",
  ) {}

  private id(): number {
    return this.nextId++;
  }

  /** GitHub's global ids are opaque strings; these say what they are, to help debugging. */
  private nodeId(kind: NodeTarget["kind"], key: string, target: NodeTarget): string {
    const id = `${kind}_${Buffer.from(key).toString("base64url")}`;
    this.nodes.set(id, target);
    return id;
  }

  addRepository(options: { fullName: string; installationId: number; defaultBranch?: string; archived?: boolean; files?: Record<string, string> }): Repository {
    const [owner, name] = options.fullName.split("/") as [string, string];
    const databaseId = this.id();
    const repository: Repository = {
      databaseId,
      nodeId: "",
      owner,
      name,
      fullName: options.fullName,
      defaultBranch: options.defaultBranch ?? "main",
      archived: options.archived ?? false,
      installationId: options.installationId,
      git: new GitStore(),
      labels: new Map(),
      allowAutoMerge: true,
    };
    repository.nodeId = this.nodeId("Repository", String(databaseId), { kind: "Repository", repository });
    this.repositories.set(options.fullName.toLowerCase(), repository);
    const root = repository.git.commit(undefined, "Initial commit", options.files ?? { "README.md": `# ${name}\n` });
    repository.git.refs.set(`refs/heads/${repository.defaultBranch}`, root.oid);
    return repository;
  }

  repository(fullName: string): Repository | undefined {
    return this.repositories.get(fullName.toLowerCase());
  }

  /** The repository, or an error naming it (for test setup code). */
  mustRepository(fullName: string): Repository {
    const repository = this.repository(fullName);
    if (repository === undefined) throw new Error(`stand-in has no repository ${fullName}`);
    return repository;
  }

  /** Commits `changes` on top of `branch` (default: the default branch) and moves the branch. */
  commitOn(fullName: string, changes: Record<string, string | null>, options: { branch?: string; message?: string } = {}): string {
    const repository = this.mustRepository(fullName);
    const ref = `refs/heads/${options.branch ?? repository.defaultBranch}`;
    const commit = repository.git.commit(repository.git.refs.get(ref), options.message ?? "Update files", changes);
    repository.git.refs.set(ref, commit.oid);
    return commit.oid;
  }

  /** Tags a commit: a lightweight tag, or an annotated one (the ref then points at the tag object). */
  tag(fullName: string, name: string, commit: string, options: { annotated?: boolean } = {}): string {
    const repository = this.mustRepository(fullName);
    const target = options.annotated ? repository.git.annotatedTag(name, commit).oid : commit;
    repository.git.refs.set(`refs/tags/${name}`, target);
    return target;
  }

  headOf(fullName: string, branch?: string): string | undefined {
    const repository = this.mustRepository(fullName);
    return repository.git.refs.get(`refs/heads/${branch ?? repository.defaultBranch}`);
  }

  /** File text on a branch (default branch by default), or undefined. */
  fileAt(fullName: string, path: string, revision?: string): string | undefined {
    const repository = this.mustRepository(fullName);
    return repository.git.resolve(revision ?? repository.defaultBranch)?.files.get(path);
  }

  refNodeId(repository: Repository, qualifiedName: string): string {
    return this.nodeId("Ref", `${repository.databaseId}:${qualifiedName}`, { kind: "Ref", ref: { repository, qualifiedName } });
  }

  node(id: string): NodeTarget | undefined {
    return this.nodes.get(id);
  }

  openPullRequest(repository: Repository, fields: { title: string; body: string; head: string; base: string; fromFork?: string }, author = "release-promoter"): PullRequest {
    const databaseId = this.id();
    const now = new Date().toISOString();
    const pullRequest: PullRequest = {
      databaseId,
      nodeId: "",
      repository,
      number: this.pullRequests.filter((pr) => pr.repository === repository).length + (this.issues.get(repository.fullName.toLowerCase())?.length ?? 0) + 1,
      ...fields,
      state: "open",
      labels: [],
      author,
      comments: [],
      createdAt: now,
      updatedAt: now,
    };
    pullRequest.nodeId = this.nodeId("PullRequest", String(databaseId), { kind: "PullRequest", pullRequest });
    this.pullRequests.push(pullRequest);
    return pullRequest;
  }

  pullRequestsOf(fullName: string, state?: PullRequest["state"]): PullRequest[] {
    const repository = this.mustRepository(fullName);
    return this.pullRequests.filter((pr) => pr.repository === repository && (state === undefined || pr.state === state));
  }

  /** GitHub closes an open PR whose branch is deleted or left with no commits ahead of its base. */
  closeEmptyPullRequests(repository: Repository): void {
    for (const pr of this.pullRequests) {
      if (pr.repository !== repository || pr.state !== "open") continue;
      const head = repository.git.refs.get(`refs/heads/${pr.head}`);
      const base = repository.git.refs.get(`refs/heads/${pr.base}`);
      if (head === undefined || (base !== undefined && repository.git.compare(base, head).aheadBy === 0)) pr.state = "closed";
    }
  }

  /** Closes an open PR without merging, as a reviewer would. */
  close(pr: PullRequest): void {
    if (pr.state !== "open") throw new Error(`PR #${pr.number} is not open`);
    pr.state = "closed";
    pr.updatedAt = new Date().toISOString();
  }

  /**
   * Merges an open PR as GitHub's merge button does: a fast-forward when the base has not moved,
   * else a merge commit of git's three-way merge; a conflict (edits that overlap or touch, such as
   * adjacent lines) refuses the merge and changes nothing, as GitHub does ("not mergeable").
   */
  merge(pr: PullRequest, by?: string): void {
    const conflicts = this.mergeConflicts(pr);
    if (conflicts.length > 0) throw new Error(`PR #${pr.number} is not mergeable: ${conflicts.join(", ")} conflict with ${pr.base}`);
    const git = pr.repository.git;
    const head = git.refs.get(`refs/heads/${pr.head}`)!;
    const base = git.refs.get(`refs/heads/${pr.base}`)!;
    if (git.isAncestor(base, head)) {
      git.refs.set(`refs/heads/${pr.base}`, head);
    } else {
      const { merged } = mergeTrees(git.getCommit(this.mergeBase(pr)!).files, git.getCommit(base).files, git.getCommit(head).files);
      const changes: Record<string, string | null> = Object.fromEntries(merged);
      for (const path of git.getCommit(base).files.keys()) if (!merged.has(path)) changes[path] = null;
      const commit = git.commit(base, `Merge pull request #${pr.number} from ${pr.head}`, changes);
      commit.parents.push(head);
      git.refs.set(`refs/heads/${pr.base}`, commit.oid);
    }
    pr.state = "merged";
    pr.mergeCommit = git.refs.get(`refs/heads/${pr.base}`)!;
    if (by !== undefined) pr.mergedBy = by;
    pr.updatedAt = new Date().toISOString();
    pr.mergedAt = pr.updatedAt;
  }

  /** The files a merge of this open PR would conflict on (empty: mergeable), as GitHub's `mergeable` reports it. */
  mergeConflicts(pr: PullRequest): string[] {
    const git = pr.repository.git;
    const head = git.refs.get(`refs/heads/${pr.head}`);
    const base = git.refs.get(`refs/heads/${pr.base}`);
    if (pr.state !== "open" || head === undefined || base === undefined) throw new Error(`PR #${pr.number} cannot be merged`);
    if (git.isAncestor(base, head)) return [];
    const mergeBase = this.mergeBase(pr);
    if (mergeBase === undefined) return ["(no common history)"];
    return mergeTrees(git.getCommit(mergeBase).files, git.getCommit(base).files, git.getCommit(head).files).conflicts;
  }

  private mergeBase(pr: PullRequest): string | undefined {
    const git = pr.repository.git;
    const baseAncestors = git.ancestors(git.refs.get(`refs/heads/${pr.base}`)!);
    const queue = [git.refs.get(`refs/heads/${pr.head}`)!];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      if (baseAncestors.has(next)) return next;
      queue.push(...git.getCommit(next).parents);
    }
    return undefined;
  }

  addCheckRun(repository: Repository, fields: Omit<CheckRun, "id" | "nodeId" | "repository">): CheckRun {
    const id = this.id();
    const run: CheckRun = { id, nodeId: `CheckRun_${id}`, repository, ...fields };
    this.checkRuns.push(run);
    return run;
  }

  /** Opens an issue in `fullName`; its number follows the repository's PRs and issues. */
  openIssue(fullName: string, title: string): number {
    const repository = this.mustRepository(fullName);
    const key = repository.fullName.toLowerCase();
    const issues = this.issues.get(key) ?? [];
    const number = this.pullRequests.filter((pr) => pr.repository === repository).length + issues.length + 1;
    issues.push({ number, title, comments: [] });
    this.issues.set(key, issues);
    return number;
  }

  /** Gives `login` a permission on `fullName` (what GitHub's collaborator permission API answers). */
  grant(fullName: string, login: string, permission: "admin" | "write" | "read" | "none"): void {
    const key = fullName.toLowerCase();
    const people = this.permissions.get(key) ?? new Map<string, string>();
    people.set(login.toLowerCase(), permission);
    this.permissions.set(key, people);
  }

  /** Stores an attestation bundle for `digest` in `fullName` (what the attest action's upload does). */
  attest(fullName: string, digest: string, bundle: unknown, predicateType = "https://slsa.dev/provenance/v1"): void {
    const key = fullName.toLowerCase();
    const byDigest = this.attestations.get(key) ?? new Map<string, Array<{ bundle: unknown; predicateType: string }>>();
    byDigest.set(digest, [...(byDigest.get(digest) ?? []), { bundle, predicateType }]);
    this.attestations.set(key, byDigest);
  }

  checkRunsOn(fullName: string, headSha: string): CheckRun[] {
    const repository = this.mustRepository(fullName);
    return this.checkRuns.filter((run) => run.repository === repository && run.headSha === headSha);
  }

  htmlUrl(repository: Repository, suffix = ""): string {
    return `${this.htmlBase}/${repository.fullName}${suffix}`;
  }
}
