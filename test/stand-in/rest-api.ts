/**
 * The stand-in's REST routes: the ones the app, the baseline workflow script and the demo use.
 * Requests reach these handlers only after they were checked against GitHub's OpenAPI
 * description (see server.ts); handlers are keyed by the description's own route template.
 */
import { structuredPatch } from "diff";
import { APP_BOT, blobSha } from "./git-store.js";
import { openPullRequestIn } from "./graphql-api.js";
import type { CheckRun, PullRequest, Repository, World } from "./world.js";

export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RestCall {
  world: World;
  installationId: number;
  /** URL of the REST API root, e.g. http://127.0.0.1:1234/api/v3 */
  apiUrl: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface RestReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Handler = (call: RestCall) => RestReply;

function repositoryOf(call: RestCall): Repository {
  const repository = call.world.repository(`${call.params.owner}/${call.params.repo}`);
  if (repository === undefined || repository.installationId !== call.installationId) throw new RestError(404, "Not Found");
  return repository;
}

function repositoryJson(call: RestCall, repository: Repository) {
  return {
    id: repository.databaseId,
    node_id: repository.nodeId,
    name: repository.name,
    full_name: repository.fullName,
    owner: { login: repository.owner, id: 1, type: "Organization" },
    private: true,
    archived: repository.archived,
    disabled: false,
    default_branch: repository.defaultBranch,
    html_url: call.world.htmlUrl(repository),
    url: `${call.apiUrl}/repos/${repository.fullName}`,
  };
}

function pullRequestJson(call: RestCall, pr: PullRequest) {
  const git = pr.repository.git;
  return {
    id: pr.databaseId,
    node_id: pr.nodeId,
    number: pr.number,
    state: pr.state === "open" ? "open" : "closed",
    merged: pr.state === "merged",
    mergeable: pr.state === "open" ? call.world.mergeConflicts(pr).length === 0 : null,
    merged_at: pr.state === "merged" ? (pr.mergedAt ?? pr.updatedAt) : null,
    merged_by: pr.state === "merged" && pr.mergedBy !== undefined ? { login: pr.mergedBy, type: "User" } : null,
    closed_at: pr.state === "open" ? null : pr.updatedAt,
    title: pr.title,
    body: pr.body,
    html_url: call.world.htmlUrl(pr.repository, `/pull/${pr.number}`),
    url: `${call.apiUrl}/repos/${pr.repository.fullName}/pulls/${pr.number}`,
    head: { ref: pr.head, sha: git.refs.get(`refs/heads/${pr.head}`) ?? null, label: `${pr.repository.owner}:${pr.head}` },
    base: { ref: pr.base, sha: git.refs.get(`refs/heads/${pr.base}`) ?? null, label: `${pr.repository.owner}:${pr.base}` },
    labels: pr.labels.map((name) => ({ name, color: pr.repository.labels.get(name) ?? "ededed" })),
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
  };
}

function checkRunJson(call: RestCall, run: CheckRun) {
  return {
    id: run.id,
    node_id: run.nodeId,
    name: run.name,
    head_sha: run.headSha,
    external_id: run.externalId,
    status: run.status,
    conclusion: run.conclusion,
    details_url: run.detailsUrl,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    html_url: call.world.htmlUrl(run.repository, `/runs/${run.id}`),
    url: `${call.apiUrl}/repos/${run.repository.fullName}/check-runs/${run.id}`,
    output: { title: run.title, summary: run.summary, text: run.text, annotations_count: 0 },
    pull_requests: [],
  };
}

/** The commit a ref-ish path parameter names, or 404/422 as GitHub answers. */
function commitFor(repository: Repository, revision: string) {
  const commit = repository.git.resolve(revision);
  if (commit === undefined) throw new RestError(422, `No commit found for SHA: ${revision}`);
  return commit;
}

function applyCheckRunFields(run: CheckRun, body: Record<string, unknown>): void {
  if (typeof body.name === "string") run.name = body.name;
  if (typeof body.status === "string") run.status = body.status as CheckRun["status"];
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed") run.completedAt = typeof body.completed_at === "string" ? body.completed_at : (run.completedAt ?? new Date().toISOString());
  if (typeof body.details_url === "string") run.detailsUrl = body.details_url;
  if (typeof body.external_id === "string") run.externalId = body.external_id;
  const output = body.output as { title?: string; summary?: string; text?: string } | undefined;
  if (output !== undefined) {
    run.title = output.title ?? run.title;
    run.summary = output.summary ?? run.summary;
    run.text = output.text ?? run.text;
  }
}

/** GitHub's `patch` of one file: the unified-diff hunks without file headers. */
function patchOf(before: string, after: string): string {
  return structuredPatch("a", "b", before, after, "", "", { context: 3 })
    .hunks.map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines].join("\n"))
    .join("\n");
}

const handlers: Record<string, Handler> = {
  "GET /installation/repositories": (call) => {
    const all = [...call.world.repositories.values()].filter((r) => r.installationId === call.installationId);
    const perPage = Number(call.query.get("per_page") ?? 30);
    const pageNumber = Number(call.query.get("page") ?? 1);
    const slice = all.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const headers: Record<string, string> =
      pageNumber < last ? { link: `<${call.apiUrl}/installation/repositories?per_page=${perPage}&page=${pageNumber + 1}>; rel="next"` } : {};
    return { status: 200, body: { total_count: all.length, repositories: slice.map((r) => repositoryJson(call, r)) }, headers };
  },

  "GET /repos/{owner}/{repo}": (call) => ({ status: 200, body: repositoryJson(call, repositoryOf(call)) }),

  "GET /repos/{owner}/{repo}/git/ref/{ref}": (call) => {
    const repository = repositoryOf(call);
    const name = `refs/${call.params.ref}`;
    const oid = repository.git.refs.get(name);
    if (oid === undefined) throw new RestError(404, "Not Found");
    const type = repository.git.tags.has(oid) ? "tag" : "commit";
    return { status: 200, body: { ref: name, node_id: call.world.refNodeId(repository, name), url: `${call.apiUrl}/repos/${repository.fullName}/git/${name}`, object: { sha: oid, type, url: "" } } };
  },

  "POST /repos/{owner}/{repo}/git/refs": (call) => {
    const repository = repositoryOf(call);
    const { ref, sha } = call.body as { ref: string; sha: string };
    if (!/^refs\/[^/]+\/.+/.test(ref)) throw new RestError(422, "Reference name must start with 'refs/' and have at least two slashes.");
    if (repository.git.refs.has(ref)) throw new RestError(422, "Reference already exists");
    if (repository.git.peel(sha) === undefined) throw new RestError(422, "Object does not exist");
    repository.git.refs.set(ref, sha);
    return { status: 201, body: { ref, node_id: call.world.refNodeId(repository, ref), url: "", object: { sha, type: "commit", url: "" } } };
  },

  "GET /repos/{owner}/{repo}/contents/{path}": (call) => {
    const repository = repositoryOf(call);
    const commit = commitFor(repository, call.query.get("ref") ?? repository.defaultBranch);
    const text = commit.files.get(call.params.path!);
    if (text === undefined) throw new RestError(404, "Not Found");
    const name = call.params.path!.split("/").pop()!;
    return {
      status: 200,
      body: { type: "file", encoding: "base64", size: Buffer.byteLength(text), name, path: call.params.path, content: Buffer.from(text).toString("base64"), sha: blobSha(text) },
    };
  },

  "PUT /repos/{owner}/{repo}/contents/{path}": (call) => {
    const repository = repositoryOf(call);
    const { message, content, sha, branch } = call.body as { message: string; content: string; sha?: string; branch?: string };
    const ref = `refs/heads/${branch ?? repository.defaultBranch}`;
    const head = repository.git.refs.get(ref);
    if (head === undefined) throw new RestError(404, `Branch ${branch} not found`);
    const path = call.params.path!;
    const current = repository.git.getCommit(head).files.get(path);
    if (current !== undefined && sha === undefined) throw new RestError(422, `Invalid request.\n\n"sha" wasn't supplied.`);
    if (current !== undefined && sha !== blobSha(current)) throw new RestError(409, `${path} does not match ${sha}`);
    const text = Buffer.from(content, "base64").toString("utf8");
    const commit = repository.git.commit(head, message, { [path]: text }, APP_BOT);
    repository.git.refs.set(ref, commit.oid);
    return {
      status: current === undefined ? 201 : 200,
      body: { content: { name: path.split("/").pop(), path, sha: blobSha(text), size: Buffer.byteLength(text) }, commit: { sha: commit.oid, message } },
    };
  },

  "POST /repos/{owner}/{repo}/pulls": (call) => {
    const repository = repositoryOf(call);
    const { title, head, base, body } = call.body as { title: string; head: string; base: string; body?: string };
    const pr = openPullRequestIn(call.world, repository, { title, body: body ?? "", head: head.replace(/^[^:]+:/, ""), base }, (_type, message) => new RestError(422, `Validation Failed: ${message}`));
    return { status: 201, body: pullRequestJson(call, pr) };
  },

  "GET /repos/{owner}/{repo}/pulls": (call) => {
    const repository = repositoryOf(call);
    const state = call.query.get("state") ?? "open";
    // head=owner:branch, as GitHub filters: the owner names whose branch (the repository's own, or a fork's).
    const [headOwner, head] = (call.query.get("head") ?? "").includes(":") ? (call.query.get("head")!.split(":", 2) as [string, string]) : [undefined, call.query.get("head") ?? undefined];
    const ownerOf = (pr: PullRequest) => (pr.fromFork ?? repository.fullName).split("/")[0]!.toLowerCase();
    const pulls = call.world.pullRequests
      .filter((pr) => pr.repository === repository)
      .filter((pr) => state === "all" || (state === "open" ? pr.state === "open" : pr.state !== "open"))
      .filter((pr) => head === undefined || (pr.head === head && (headOwner === undefined || ownerOf(pr) === headOwner.toLowerCase())));
    return { status: 200, body: pulls.map((pr) => pullRequestJson(call, pr)) };
  },

  "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge": (call) => {
    const repository = repositoryOf(call);
    const pr = call.world.pullRequests.find((p) => p.repository === repository && p.number === Number(call.params.pull_number));
    if (pr === undefined) throw new RestError(404, "Not Found");
    if (pr.state !== "open" || call.world.mergeConflicts(pr).length > 0) throw new RestError(405, "Pull Request is not mergeable");
    call.world.merge(pr);
    return { status: 200, body: { sha: repository.git.refs.get(`refs/heads/${pr.base}`), merged: true, message: "Pull Request successfully merged" } };
  },

  "GET /repos/{owner}/{repo}/pulls/{pull_number}": (call) => {
    const repository = repositoryOf(call);
    const pr = call.world.pullRequests.find((p) => p.repository === repository && p.number === Number(call.params.pull_number));
    if (pr === undefined) throw new RestError(404, "Not Found");
    return { status: 200, body: pullRequestJson(call, pr) };
  },

  "PATCH /repos/{owner}/{repo}/pulls/{pull_number}": (call) => {
    const repository = repositoryOf(call);
    const pr = call.world.pullRequests.find((p) => p.repository === repository && p.number === Number(call.params.pull_number));
    if (pr === undefined) throw new RestError(404, "Not Found");
    const { title, body } = call.body as { title?: string; body?: string };
    if (title !== undefined) pr.title = title;
    if (body !== undefined) pr.body = body;
    pr.updatedAt = new Date().toISOString();
    return { status: 200, body: pullRequestJson(call, pr) };
  },

  // A comment on a PR or an issue (they share numbers); the app comments as its bot.
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": (call) => {
    const repository = repositoryOf(call);
    const number = Number(call.params.issue_number);
    const body = String((call.body as { body?: unknown }).body ?? "");
    const pr = call.world.pullRequests.find((p) => p.repository === repository && p.number === number);
    const issue = call.world.issues.get(repository.fullName.toLowerCase())?.find((i) => i.number === number);
    if (pr === undefined && issue === undefined) throw new RestError(404, "Not Found");
    if (pr !== undefined) pr.comments.push(body);
    else issue!.comments.push({ author: "release-promoter[bot]", body });
    return { status: 201, body: { id: call.world.pullRequests.length * 1000 + number, body, user: { login: "release-promoter[bot]", type: "Bot" }, html_url: call.world.htmlUrl(repository, `/issues/${number}`) } };
  },

  "GET /repos/{owner}/{repo}/collaborators/{username}/permission": (call) => {
    const repository = repositoryOf(call);
    const permission = call.world.permissions.get(repository.fullName.toLowerCase())?.get(call.params.username!.toLowerCase()) ?? "none";
    return { status: 200, body: { permission, role_name: permission, user: { login: call.params.username, type: "User" } } };
  },

  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels": (call) => {
    const repository = repositoryOf(call);
    const pr = call.world.pullRequests.find((p) => p.repository === repository && p.number === Number(call.params.issue_number));
    if (pr === undefined) throw new RestError(404, "Not Found");
    const labels = (call.body as { labels?: string[] }).labels ?? [];
    for (const name of labels) {
      if (!repository.labels.has(name)) repository.labels.set(name, "ededed");
      if (!pr.labels.includes(name)) pr.labels.push(name);
    }
    return { status: 200, body: pr.labels.map((name) => ({ name, color: repository.labels.get(name) })) };
  },

  "POST /repos/{owner}/{repo}/check-runs": (call) => {
    const repository = repositoryOf(call);
    const body = call.body as { name: string; head_sha: string };
    if (repository.git.peel(body.head_sha) === undefined) throw new RestError(422, "Validation Failed: No commit found for SHA: " + body.head_sha);
    const run = call.world.addCheckRun(repository, {
      name: body.name,
      headSha: body.head_sha,
      status: "queued",
      conclusion: null,
      externalId: null,
      detailsUrl: null,
      title: null,
      summary: null,
      text: null,
      startedAt: new Date().toISOString(),
      completedAt: null,
    });
    applyCheckRunFields(run, call.body);
    return { status: 201, body: checkRunJson(call, run) };
  },

  "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}": (call) => {
    const repository = repositoryOf(call);
    const run = call.world.checkRuns.find((r) => r.repository === repository && r.id === Number(call.params.check_run_id));
    if (run === undefined) throw new RestError(404, "Not Found");
    applyCheckRunFields(run, call.body);
    return { status: 200, body: checkRunJson(call, run) };
  },

  "GET /repos/{owner}/{repo}/commits/{ref}/check-runs": (call) => {
    const repository = repositoryOf(call);
    const commit = commitFor(repository, call.params.ref!);
    const runs = call.world.checkRuns.filter((r) => r.repository === repository && r.headSha === commit.oid);
    const name = call.query.get("check_name");
    const listed = runs.filter((r) => name === null || r.name === name).reverse();
    return { status: 200, body: { total_count: listed.length, check_runs: listed.map((r) => checkRunJson(call, r)) } };
  },

  // As GitHub: 404 when the repository has no attestation of that digest (of that predicate type).
  "GET /repos/{owner}/{repo}/attestations/{subject_digest}": (call) => {
    const repository = repositoryOf(call);
    const wanted = call.query.get("predicate_type");
    const types: Record<string, string> = { provenance: "https://slsa.dev/provenance/v1", sbom: "https://spdx.dev/Document/v2.3" };
    const all = call.world.attestations.get(repository.fullName.toLowerCase())?.get(call.params.subject_digest!) ?? [];
    const matching = all.filter((item) => wanted === null || item.predicateType === (types[wanted] ?? wanted));
    if (matching.length === 0) throw new RestError(404, "Not Found");
    return { status: 200, body: { attestations: matching.map((item) => ({ bundle: item.bundle, repository_id: repository.databaseId })) } };
  },
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}": (call) => {
    const repository = repositoryOf(call);
    const commit = repository.git.resolve(call.params.tree_sha!);
    if (commit === undefined) throw new RestError(404, "Not Found");
    const recursive = call.query.has("recursive");
    const paths = [...commit.files.keys()].filter((path) => recursive || !path.includes("/"));
    const directories = new Set(paths.flatMap((path) => path.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
    const tree = [
      ...[...directories].filter((dir) => recursive || !dir.includes("/")).map((path) => ({ path, mode: "040000", type: "tree", sha: blobSha(path) })),
      ...paths.map((path) => ({ path, mode: "100644", type: "blob", sha: blobSha(commit.files.get(path)!), size: Buffer.byteLength(commit.files.get(path)!) })),
    ].sort((a, b) => a.path.localeCompare(b.path));
    return { status: 200, body: { sha: commit.oid, url: "", tree, truncated: false } };
  },

  "GET /repos/{owner}/{repo}/compare/{basehead}": (call) => {
    const [base = "", head = ""] = call.params.basehead!.split("...");
    return handlers["GET /repos/{owner}/{repo}/compare/{base}...{head}"]!({ ...call, params: { ...call.params, base, head } });
  },

  "GET /repos/{owner}/{repo}/compare/{base}...{head}": (call) => {
    const repository = repositoryOf(call);
    const baseName = call.params.base!;
    const headName = call.params.head!;
    const base = commitFor(repository, baseName);
    const head = commitFor(repository, headName);
    // GitHub compares from the merge base; the stand-in's histories are simple enough to use base.
    const comparison = repository.git.compare(base.oid, head.oid);
    const paths = [...new Set([...base.files.keys(), ...head.files.keys()])].filter((path) => base.files.get(path) !== head.files.get(path)).sort();
    const files = paths.map((filename) => {
      const before = base.files.get(filename) ?? "";
      const after = head.files.get(filename) ?? "";
      const patch = patchOf(before, after);
      const additions = patch.split("\n").filter((line) => line.startsWith("+")).length;
      const deletions = patch.split("\n").filter((line) => line.startsWith("-")).length;
      const status = !base.files.has(filename) ? "added" : !head.files.has(filename) ? "removed" : "modified";
      return { filename, status, additions, deletions, changes: additions + deletions, patch, sha: blobSha(after) };
    });
    return {
      status: 200,
      body: {
        status: comparison.status,
        base_commit: { sha: base.oid, commit: { message: base.message } },
        ahead_by: comparison.aheadBy,
        behind_by: comparison.behindBy,
        total_commits: comparison.aheadBy,
        commits: comparison.commits.map((sha) => ({ sha, commit: { message: repository.git.getCommit(sha).message } })),
        files,
      },
    };
  },
};

/** Runs the handler for a conforming request; a route the stand-in does not model is a 501. */
export function runRest(method: string, template: string, call: RestCall): RestReply {
  const handler = handlers[`${method} ${template}`];
  if (handler === undefined) throw new RestError(501, `stand-in does not model ${method} ${template}`);
  return handler(call);
}
