import { z } from "zod";
import { tryParseReleaseTag } from "./parse-tag.js";
import { isStrictVersion } from "./version-policy.js";

/**
 * What a promotion PR promotes, written by the app into the PR body as an HTML comment (invisible
 * on GitHub) and read back by the reconciler: which tag of which repository, at which commit and
 * digest, for which environment and service. The PR is the state; the app keeps none of its own.
 *
 * Reading is strict: a body without the record is not the app's promotion; a body whose record
 * is present but does not parse (edited by hand, truncated) is `unreadable`, and the app then
 * refuses to act on that PR rather than guess (fail closed).
 */
const START = "<!-- release-promoter:promotion ";
const END = " -->";

const recordSchema = z.object({
  v: z.literal(1),
  environment: z.string().min(1),
  service: z.string().min(1),
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  /** The release tag promoted; absent for a promotion of a push to main (`trigger: "main"`). */
  tag: z.string().refine((tag) => tryParseReleaseTag(tag) !== undefined, "not a release tag").optional(),
  /** `main`: the promotion of the service's default branch at `commit` (an `on: main` environment). */
  trigger: z.literal("main").optional(),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** Who pushed the tag, as GitHub named them (shown again when the PR is rebuilt). */
  pusher: z.string().max(100).regex(/^[^<>]*$/).optional(),
  /** Who asked for it by comment (`/release-promoter promote …`), and where. */
  requestedBy: z.object({ login: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/), issue: z.number().int().positive() }).optional(),
  /**
   * A rollback: the version it replaced (undefined: the file had no marker) and, once a person
   * lifted the hold (`/release-promoter release …`), who did. A merged rollback holds the
   * environment: core/hold.ts.
   */
  rollback: z
    .object({
      from: z.string().refine((version) => isStrictVersion(version), "not a strict version").optional(),
      released: z.object({ by: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/) }).optional(),
    })
    .optional(),
}).refine((record) => (record.tag === undefined) === (record.trigger === "main"), { message: "a record names a tag, or trigger main without one", path: ["tag"] });

export type PromotionRecord = Omit<z.infer<typeof recordSchema>, "v">;

/** What a record promotes, for people: its tag, or `core@0123456789ab` for a push to main. */
export function promotedLabel(record: Pick<PromotionRecord, "tag" | "service" | "commit">): string {
  return record.tag ?? `${record.service}@${record.commit.slice(0, 12)}`;
}

export function promotionRecordComment(record: PromotionRecord): string {
  // JSON.stringify escapes nothing that could end an HTML comment here: every field is validated
  // (names, a tag, hex), so "-->" cannot occur inside.
  return `${START}${JSON.stringify({ v: 1, ...record })}${END}`;
}

/**
 * `body` with its record replaced by `record`, `note` (markdown) written just before it. The body
 * must hold one readable record (readPromotionRecord), else this throws: nothing is guessed.
 */
export function replacePromotionRecord(body: string, record: PromotionRecord, note: string): string {
  if (readPromotionRecord(body).kind !== "record") throw new Error("replacePromotionRecord needs a body with one readable record");
  const start = body.indexOf(START);
  const end = body.indexOf(END, start + START.length) + END.length;
  return `${body.slice(0, start)}${note}\n\n${promotionRecordComment(record)}${body.slice(end)}`;
}

export type ReadRecord = { kind: "record"; record: PromotionRecord } | { kind: "none" } | { kind: "unreadable"; reason: string };

export function readPromotionRecord(body: string | null | undefined): ReadRecord {
  if (body === null || body === undefined) return { kind: "none" };
  const start = body.indexOf(START);
  if (start === -1) return { kind: "none" };
  if (body.indexOf(START, start + START.length) !== -1) return { kind: "unreadable", reason: "the body holds two promotion records" };
  const end = body.indexOf(END, start + START.length);
  if (end === -1) return { kind: "unreadable", reason: "the promotion record is not closed" };
  let data: unknown;
  try {
    data = JSON.parse(body.slice(start + START.length, end));
  } catch {
    return { kind: "unreadable", reason: "the promotion record is not JSON" };
  }
  const parsed = recordSchema.safeParse(data);
  if (!parsed.success) return { kind: "unreadable", reason: `the promotion record is invalid (${parsed.error.issues.map((i) => i.path.join(".") || i.message).join(", ")})` };
  const { v: _v, ...record } = parsed.data;
  return { kind: "record", record };
}
