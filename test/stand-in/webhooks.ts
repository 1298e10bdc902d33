/**
 * What GitHub sends when a tag is pushed: a `push` delivery built from a recorded payload
 * (test/fixtures/payloads), matched to the stand-in's state, signed with the webhook secret.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import type { PullRequest, World } from "./world.js";

export type PushPayload = EmitterWebhookEvent<"push">["payload"];

/** The recorded push of tag core-v0.10.0 (test/fixtures/payloads), a fresh copy per call. */
export const recordedTagPush = (): PushPayload =>
  JSON.parse(readFileSync(new URL("../fixtures/payloads/push-tag-core-v0.10.0.json", import.meta.url), "utf8")) as PushPayload;

/** The `push` payload GitHub sends for `ref` (a tag or a branch) now pointing at `after`. */
export function pushPayload(world: World, options: { repository: string; ref: string; after: string; installationId: number; pusher?: string }): PushPayload {
  const repository = world.mustRepository(options.repository);
  const payload = recordedTagPush();
  const commit = repository.git.peel(options.after);
  payload.ref = options.ref;
  payload.after = options.after;
  payload.before = "0".repeat(40);
  payload.created = true;
  payload.deleted = false;
  payload.compare = world.htmlUrl(repository, `/compare/${options.ref.replace(/^refs\/(heads|tags)\//, "")}`);
  payload.repository.id = repository.databaseId;
  payload.repository.node_id = repository.nodeId;
  payload.repository.name = repository.name;
  payload.repository.full_name = repository.fullName;
  if (payload.repository.owner !== null) payload.repository.owner.login = repository.owner;
  payload.repository.default_branch = repository.defaultBranch;
  payload.repository.master_branch = repository.defaultBranch;
  payload.repository.html_url = world.htmlUrl(repository);
  payload.repository.archived = repository.archived;
  payload.installation = { id: options.installationId, node_id: `Installation_${options.installationId}` };
  if (options.pusher !== undefined) {
    payload.pusher.name = options.pusher;
    if (payload.sender !== undefined) payload.sender.login = options.pusher;
  }
  if (payload.head_commit !== null && commit !== undefined) {
    payload.head_commit.id = commit.oid;
    payload.head_commit.tree_id = commit.oid;
    payload.head_commit.message = commit.message;
    payload.head_commit.url = world.htmlUrl(repository, `/commit/${commit.oid}`);
  }
  payload.commits = [];
  return payload;
}

/** The `x-hub-signature-256` value GitHub sends: HMAC-SHA256 of the body with the webhook secret. */
export function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The headers GitHub sends with a delivery (those Probot reads). */
export function webhookHeaders(event: string, deliveryId: string, signature: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": signature,
  };
}

/** POSTs a signed delivery to the app's webhook path; returns the HTTP status and the delivery id. */
export async function deliver(
  appUrl: string,
  secret: string,
  event: string,
  payload: unknown,
  options: { path?: string; signature?: string } = {},
): Promise<{ status: number; id: string; text: string }> {
  const body = JSON.stringify(payload);
  const id = randomUUID();
  const response = await fetch(`${appUrl}${options.path ?? "/api/github/webhooks"}`, {
    method: "POST",
    headers: { ...webhookHeaders(event, id, options.signature ?? sign(body, secret)), "user-agent": "GitHub-Hookshot/stand-in" },
    body,
  });
  return { status: response.status, id, text: await response.text() };
}

/**
 * The `pull_request` `closed` payload GitHub sends for a PR of the world (merged or not): the
 * fields the app and Probot read, with GitHub's shapes (a full payload has many more).
 */
export function pullRequestClosedPayload(world: World, pr: PullRequest, options: { installationId: number; sender: string }): Record<string, unknown> {
  const repository = pr.repository;
  const merged = pr.state === "merged";
  if (pr.state === "open") throw new Error(`PR #${pr.number} is open; close or merge it first`);
  return {
    action: "closed",
    number: pr.number,
    pull_request: {
      id: pr.databaseId,
      node_id: pr.nodeId,
      number: pr.number,
      state: "closed",
      title: pr.title,
      body: pr.body,
      html_url: world.htmlUrl(repository, `/pull/${pr.number}`),
      merged,
      merged_at: merged ? pr.updatedAt : null,
      closed_at: pr.updatedAt,
      merged_by: merged ? { login: pr.mergedBy ?? options.sender, type: "User" } : null,
      head: { ref: pr.head, label: `${repository.owner}:${pr.head}` },
      base: { ref: pr.base, label: `${repository.owner}:${pr.base}` },
      user: { login: "release-promoter[bot]", type: "Bot" },
    },
    repository: repositoryPayload(world, repository),
    organization: { login: repository.owner, id: 1 },
    sender: { login: options.sender, type: "User" },
    installation: { id: options.installationId, node_id: `Installation_${options.installationId}` },
  };
}

/** The `issue_comment` `created` payload for a comment on an issue or PR of the world, with GitHub's shapes for the fields the app reads. */
export function issueCommentPayload(world: World, options: { repository: string; issue: number; body: string; author: string; authorType?: "User" | "Bot"; installationId: number; commentId?: number }): Record<string, unknown> {
  const repository = world.mustRepository(options.repository);
  const pr = world.pullRequests.find((p) => p.repository === repository && p.number === options.issue);
  const commentId = options.commentId ?? Math.floor(Math.random() * 1e9) + 1;
  return {
    action: "created",
    issue: {
      id: options.issue,
      node_id: `Issue_${options.issue}`,
      number: options.issue,
      title: pr?.title ?? world.issues.get(repository.fullName.toLowerCase())?.find((i) => i.number === options.issue)?.title ?? "",
      state: "open",
      html_url: world.htmlUrl(repository, `/${pr === undefined ? "issues" : "pull"}/${options.issue}`),
      ...(pr === undefined ? {} : { pull_request: { url: `${world.htmlUrl(repository)}/pulls/${options.issue}` } }),
      user: { login: "someone", type: "User" },
    },
    comment: {
      id: commentId,
      node_id: `IC_${commentId}`,
      body: options.body,
      html_url: world.htmlUrl(repository, `/issues/${options.issue}#issuecomment-${commentId}`),
      user: { login: options.author, id: 2, type: options.authorType ?? "User" },
    },
    repository: repositoryPayload(world, repository),
    organization: { login: repository.owner, id: 1 },
    sender: { login: options.author, type: options.authorType ?? "User" },
    installation: { id: options.installationId, node_id: `Installation_${options.installationId}` },
  };
}

/** A repository as webhook payloads carry it. */
function repositoryPayload(world: World, repository: ReturnType<World["mustRepository"]>): Record<string, unknown> {
  return {
    id: repository.databaseId,
    node_id: repository.nodeId,
    name: repository.name,
    full_name: repository.fullName,
    owner: { login: repository.owner, id: 1, type: "Organization" },
    private: true,
    default_branch: repository.defaultBranch,
    html_url: world.htmlUrl(repository),
  };
}
