/**
 * The git side of one stand-in repository: commits (whole file maps, enough for what the app
 * reads), annotated tags and refs. Object ids are real git ids where the app can see the
 * difference (blob ids, used by the contents API) and 40-hex sha1s of the content elsewhere.
 */
import { createHash } from "node:crypto";

export interface Commit {
  oid: string;
  parents: string[];
  message: string;
  /** path → file text at this commit. */
  files: ReadonlyMap<string, string>;
  committedAt: string;
  /** Who wrote it, as GitHub's GitActor shows it: a person (with their user) or the app (no user: bots are not Users). */
  author: CommitAuthor;
}

export interface CommitAuthor {
  name: string;
  email: string;
  login: string | undefined;
}

/** A person's commit (the default for commits the world makes). */
export const PERSON: CommitAuthor = { name: "Mona Lisa", email: "mona@example.com", login: "octocat" };
/** The app's commits (createCommitOnBranch, the contents API with its token): GitHub's noreply address for the bot. */
export const APP_BOT: CommitAuthor = { name: "release-promoter[bot]", email: "1+release-promoter[bot]@users.noreply.github.com", login: undefined };

export interface AnnotatedTag {
  oid: string;
  name: string;
  target: string;
  message: string;
}

export class GitError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");

/** Git's blob id: what `git hash-object` prints, and what the contents API calls `sha`. */
export function blobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export class GitStore {
  readonly commits = new Map<string, Commit>();
  readonly tags = new Map<string, AnnotatedTag>();
  /** Qualified ref name (refs/heads/main, refs/tags/v1) → object id. */
  readonly refs = new Map<string, string>();
  private counter = 0;

  /** Makes a commit on top of `parent` (or a root commit) with files changed; deletions as `null`. */
  commit(parent: string | undefined, message: string, changes: Record<string, string | null>, author: CommitAuthor = PERSON): Commit {
    const files = new Map(parent === undefined ? [] : this.getCommit(parent).files);
    for (const [path, text] of Object.entries(changes)) {
      if (text === null) files.delete(path);
      else files.set(path, text);
    }
    const committedAt = new Date().toISOString();
    const tree = [...files].sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => `${path}\0${blobSha(text)}`);
    const oid = sha1(JSON.stringify({ tree, parent, message, committedAt, n: this.counter++ }));
    const created: Commit = { oid, parents: parent === undefined ? [] : [parent], message, files, committedAt, author };
    this.commits.set(oid, created);
    return created;
  }

  /** An annotated tag object pointing at `target` (a commit or another tag). */
  annotatedTag(name: string, target: string, message = name): AnnotatedTag {
    const tag: AnnotatedTag = { oid: sha1(`tag ${name} ${target} ${this.counter++}`), name, target, message };
    this.tags.set(tag.oid, tag);
    return tag;
  }

  getCommit(oid: string): Commit {
    const commit = this.commits.get(oid);
    if (commit === undefined) throw new GitError(404, `No commit found for SHA: ${oid}`);
    return commit;
  }

  /** The commit an object id or tag peels to, or undefined. */
  /** Commits reachable from `head` (first parents) that `base` does not contain, oldest first: a PR's commits. */
  commitsBetween(base: string, head: string): Commit[] {
    const out: Commit[] = [];
    let current: string | undefined = head;
    while (current !== undefined && !this.isAncestor(current, base)) {
      const commit = this.getCommit(current);
      out.unshift(commit);
      current = commit.parents[0];
    }
    return out;
  }

  /** The order a commit was made in this store (its "date": the stand-in's commits carry none); -1 when unknown. */
  commitIndex(oid: string): number {
    return [...this.commits.keys()].indexOf(oid);
  }

  peel(oid: string): Commit | undefined {
    let current = oid;
    for (let depth = 0; depth < 10; depth++) {
      const tag = this.tags.get(current);
      if (tag === undefined) return this.commits.get(current);
      current = tag.target;
    }
    return undefined;
  }

  /**
   * What `git rev-parse` would make of a revision: a full or abbreviated (≥7) commit id, a
   * qualified ref, or a short branch or tag name. Returns the commit, or undefined.
   */
  resolve(revision: string): Commit | undefined {
    if (/^[0-9a-f]{40}$/.test(revision)) return this.peel(revision);
    for (const name of [revision, `refs/heads/${revision}`, `refs/tags/${revision}`]) {
      const oid = this.refs.get(name);
      if (oid !== undefined) return this.peel(oid);
    }
    if (/^[0-9a-f]{7,39}$/.test(revision)) {
      const matches = [...this.commits.keys()].filter((oid) => oid.startsWith(revision));
      if (matches.length === 1) return this.commits.get(matches[0]!);
    }
    return undefined;
  }

  /** Whether `ancestor` is reachable from `descendant` (both commit ids). */
  isAncestor(ancestor: string, descendant: string): boolean {
    return this.ancestors(descendant).has(ancestor);
  }

  /** Every commit reachable from `oid`, itself included. */
  ancestors(oid: string): Set<string> {
    const seen = new Set<string>();
    const stack = [oid];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  /** GitHub's comparison of `head` against `base`: status and the commits on each side. */
  compare(base: string, head: string): { status: "ahead" | "behind" | "diverged" | "identical"; aheadBy: number; behindBy: number; commits: string[] } {
    const fromBase = this.ancestors(base);
    const fromHead = this.ancestors(head);
    const ahead = [...fromHead].filter((oid) => !fromBase.has(oid));
    const behind = [...fromBase].filter((oid) => !fromHead.has(oid));
    const status = base === head ? "identical" : ahead.length === 0 ? "behind" : behind.length === 0 ? "ahead" : "diverged";
    // Oldest first, as GitHub lists them (the map keeps creation order).
    const aheadSet = new Set(ahead);
    const commits = [...this.commits.keys()].filter((oid) => aheadSet.has(oid));
    return { status, aheadBy: ahead.length, behindBy: behind.length, commits };
  }
}
