import { bundleFromJSON, type Bundle } from "@sigstore/bundle";
import { X509Certificate } from "@sigstore/core";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier, type SignedEntity, type TrustMaterial } from "@sigstore/verify";
import { PromoterError } from "../errors.js";
import { checkSignerIdentity, IdentityMismatch, type ProvenancePolicy } from "./fulcio-identity.js";
import { describeSigstoreFailure } from "./sigstore-failure.js";

export { GITHUB_ACTIONS_ISSUER, type ProvenancePolicy } from "./fulcio-identity.js";

/**
 * Decides whether an image digest has verified build provenance: at least one of the attestation
 * bundles GitHub returns for it (GET /repos/{owner}/{repo}/attestations/{subject_digest}, each
 * item's `bundle`) must pass, in this order:
 *
 * 1. Cryptography, by @sigstore/verify only (nothing hand-rolled): the DSSE signature with the
 *    leaf certificate's key, the chain to a trusted root's CA, and that root's time evidence,
 *    the certificate having been valid at the evidenced time. Thresholds follow from what the
 *    root lists (`thresholdsFor`): a root with transparency logs (public-good Sigstore) requires
 *    a log entry whose inclusion promise/proof verifies and whose body is this envelope
 *    (tlogThreshold 1); a root with CT logs requires a verified SCT in the certificate
 *    (ctlogThreshold 1); every root requires one verified timestamp (timestampThreshold 1):
 *    the log's integrated time, or an RFC 3161 timestamp from a listed TSA. GitHub's private
 *    instance (no logs, a TSA) therefore needs a signed timestamp, and a root listing neither
 *    logs nor TSAs accepts nothing. The time is never `now`: a short-lived Fulcio certificate
 *    is checked at the evidenced time, so an old attestation still verifies. The threshold is
 *    never 0: with no timestamp @sigstore/verify would not check the chain at all.
 *    Verifier counts TSA and log timestamps together (its own `tsaThreshold` is forced to 0), so
 *    "signed timestamp" is enforced by the root listing no logs, not by a separate number.
 *    Every log entry present must verify, whatever the threshold.
 * 2. The signed payload: DSSE payloadType application/vnd.in-toto+json, an in-toto Statement v1
 *    with predicateType https://slsa.dev/provenance/v1 and the digest among its subjects.
 * 3. The signer identity (fulcio-identity.ts): issuer, signer workflow, source repository, ref,
 *    commit, runner.
 *
 * `now` only rejects time evidence from the future (a log or TSA clock gone wrong, or a key
 * misused): evidence later than `now` plus five minutes is refused.
 *
 * Refusals: no bundle → provenance_missing; every bundle failing → provenance_invalid with the
 * reason of the bundle that got furthest (identity beats subject beats payload beats
 * cryptography beats unreadable; the first such bundle on a tie), so the message names the one
 * thing to fix.
 */

export interface VerifyProvenanceInput {
  /** The `bundle` objects of the attestations API response, as parsed JSON. */
  bundles: readonly unknown[];
  /** `sha256:<64 hex>`. */
  subjectDigest: string;
  policy: ProvenancePolicy;
  /** trusted_root.json documents, as parsed JSON (public-good Sigstore, GitHub's instance). */
  trustedRoots: readonly unknown[];
  now?: Date;
}

export interface AcceptedProvenance {
  accepted: {
    bundleIndex: number;
    /** The Run Invocation URI (1.3.6.1.4.1.57264.1.21), when the certificate has one. */
    workflowRun?: string;
    /** The certificate's SAN: the workflow that signed, with its ref. */
    signer: string;
    /** The ref after `@` in the SAN (the pinned ref of a shared reusable workflow). */
    signerRef: string;
  };
}

export interface VerifierThresholds {
  tlogThreshold: number;
  ctlogThreshold: number;
  timestampThreshold: number;
}

const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
const STATEMENT_V1 = "https://in-toto.io/Statement/v1";
const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** How far a bundle got; a higher stage is "closer" to acceptance. */
const Stage = { Unreadable: 0, Cryptography: 1, Payload: 2, Subject: 3, Identity: 4 } as const;
type Stage = (typeof Stage)[keyof typeof Stage];

interface Failure {
  stage: Stage;
  /** Within the cryptography stage: an untrusted CA ranks below any other failure. */
  rank: number;
  reason: string;
}

class BundleRefused extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
  }
}

export function verifyProvenance(input: VerifyProvenanceInput): AcceptedProvenance {
  const digestHex = parseSubjectDigest(input.subjectDigest);
  checkPolicy(input.policy);
  const trust = input.trustedRoots.map(parseTrustedRoot);
  if (trust.length === 0) {
    throw new PromoterError("internal_error", "verifyProvenance was given no trusted root; pass at least the public-good Sigstore trusted_root.json");
  }
  const now = input.now ?? new Date();

  if (input.bundles.length === 0) {
    throw new PromoterError(
      "provenance_missing",
      `${input.subjectDigest} has no attestation; build it with ${input.policy.signerWorkflow} and attest it (actions/attest-build-provenance) before promoting`,
    );
  }

  let closest: { index: number; failure: Failure } | undefined;
  for (const [index, json] of input.bundles.entries()) {
    try {
      const identity = verifyBundle(json, digestHex, input.policy, trust, now);
      return {
        accepted: {
          bundleIndex: index,
          signer: identity.signer,
          signerRef: identity.signerRef,
          ...(identity.workflowRun === undefined ? {} : { workflowRun: identity.workflowRun }),
        },
      };
    } catch (error) {
      if (!(error instanceof BundleRefused)) throw error;
      const failure = error.failure;
      if (closest === undefined || isCloser(failure, closest.failure)) closest = { index, failure };
    }
  }

  const { index, failure } = closest!;
  const which =
    input.bundles.length === 1
      ? "its attestation"
      : `none of its ${input.bundles.length} attestations is acceptable; the closest (#${index + 1})`;
  throw new PromoterError(
    "provenance_invalid",
    `build provenance of ${input.subjectDigest} refused: ${which}: ${failure.reason}. ${hintFor(failure.stage)}`,
  );
}

/** The Verifier thresholds a trusted root calls for (see the header). */
export function thresholdsFor(root: TrustedRoot): VerifierThresholds {
  return {
    tlogThreshold: root.tlogs.length > 0 ? 1 : 0,
    ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0,
    timestampThreshold: 1,
  };
}

interface Trust {
  material: TrustMaterial;
  thresholds: VerifierThresholds;
}

function verifyBundle(
  json: unknown,
  digestHex: string,
  policy: ProvenancePolicy,
  trust: readonly Trust[],
  now: Date,
): ReturnType<typeof checkSignerIdentity> {
  const { bundle, entity, certificate } = readBundle(json);
  verifyCryptography(entity, trust, now);
  checkStatement(bundle, digestHex);
  try {
    return checkSignerIdentity(certificate, policy);
  } catch (error) {
    if (error instanceof IdentityMismatch) throw refused(Stage.Identity, error.message);
    throw error;
  }
}

function readBundle(json: unknown): { bundle: Bundle; entity: SignedEntity; certificate: X509Certificate } {
  if (json === null || typeof json !== "object") {
    throw refused(Stage.Unreadable, "the attestation has no bundle object");
  }
  let bundle: Bundle;
  let entity: SignedEntity;
  try {
    bundle = bundleFromJSON(json);
    entity = toSignedEntity(bundle);
  } catch (error) {
    throw refused(Stage.Unreadable, `the bundle is not a valid Sigstore bundle (${messageOf(error)})`);
  }
  if (bundle.content.$case !== "dsseEnvelope") {
    throw refused(Stage.Unreadable, "the bundle signs a message, not a DSSE envelope with an in-toto statement");
  }
  if (entity.key.$case !== "certificate") {
    throw refused(Stage.Unreadable, "the bundle is signed with a bare public key, not a Fulcio certificate naming the workflow");
  }
  return { bundle, entity, certificate: entity.key.certificate };
}

function verifyCryptography(entity: SignedEntity, trust: readonly Trust[], now: Date): void {
  let best: Failure | undefined;
  for (const { material, thresholds } of trust) {
    try {
      new Verifier(material, thresholds).verify(entity);
    } catch (error) {
      const described = describeSigstoreFailure(error);
      const failure = { stage: Stage.Cryptography, rank: described.untrustedCa ? 0 : 1, reason: described.reason };
      if (best === undefined || isCloser(failure, best)) best = failure;
      continue;
    }
    // Verified: every timestamp in the entity has been checked; none may lie in the future.
    for (const time of evidencedTimes(entity)) {
      if (time.getTime() > now.getTime() + CLOCK_SKEW_MS) {
        throw refused(Stage.Cryptography, `no valid time evidence: it claims ${time.toISOString()}, after now (${now.toISOString()})`);
      }
    }
    return;
  }
  throw new BundleRefused(best!);
}

function evidencedTimes(entity: SignedEntity): Date[] {
  return entity.timestamps.map((timestamp) =>
    timestamp.$case === "transparency-log"
      ? new Date(Number(timestamp.tlogEntry.integratedTime) * 1000)
      : timestamp.timestamp.signingTime,
  );
}

function checkStatement(bundle: Bundle, digestHex: string): void {
  if (bundle.content.$case !== "dsseEnvelope") throw refused(Stage.Unreadable, "the bundle has no DSSE envelope");
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw refused(Stage.Payload, `the signed payload is ${JSON.stringify(envelope.payloadType)}, not an in-toto statement (${IN_TOTO_PAYLOAD_TYPE})`);
  }
  let statement: unknown;
  try {
    statement = JSON.parse(envelope.payload.toString("utf8"));
  } catch {
    throw refused(Stage.Payload, "the signed in-toto statement is not JSON");
  }
  if (!isRecord(statement) || statement._type !== STATEMENT_V1) {
    throw refused(Stage.Payload, `the signed payload is not an in-toto Statement v1 (_type ${JSON.stringify(isRecord(statement) ? statement._type : undefined)})`);
  }
  if (statement.predicateType !== SLSA_PROVENANCE_V1) {
    throw refused(Stage.Payload, `the statement's predicateType is ${JSON.stringify(statement.predicateType)}, not ${SLSA_PROVENANCE_V1}`);
  }
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const found = subjects.some((subject) => isRecord(subject) && isRecord(subject.digest) && subject.digest.sha256 === digestHex);
  if (!found) {
    throw refused(Stage.Subject, `the statement's subjects do not include sha256:${digestHex} (it attests another artifact)`);
  }
}

function parseSubjectDigest(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (match === null) throw new PromoterError("internal_error", `subject digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex>`);
  return match[1]!;
}

function checkPolicy(policy: ProvenancePolicy): void {
  const problems: string[] = [];
  if (!/^[^/\s]+\/[^/\s]+\/\.github\/workflows\/[^/\s@]+\.ya?ml$/.test(policy.signerWorkflow)) {
    problems.push(`signerWorkflow ${JSON.stringify(policy.signerWorkflow)} is not owner/repo/.github/workflows/<file>.yml`);
  }
  if (!/^[^/\s]+\/[^/\s]+$/.test(policy.sourceRepository)) problems.push(`sourceRepository ${JSON.stringify(policy.sourceRepository)} is not owner/repo`);
  if (policy.defaultBranch === "" || /\s/.test(policy.defaultBranch)) problems.push(`defaultBranch ${JSON.stringify(policy.defaultBranch)} is not a branch name`);
  if (!/^[0-9a-f]{40}$/.test(policy.sourceCommit)) problems.push(`sourceCommit ${JSON.stringify(policy.sourceCommit)} is not a 40-hex commit`);
  if (problems.length > 0) {
    throw new PromoterError("config_invalid", `provenance policy is invalid: ${problems.join("; ")}`);
  }
}

function parseTrustedRoot(json: unknown, index: number): Trust {
  try {
    const root = TrustedRoot.fromJSON(json);
    return { material: toTrustMaterial(root), thresholds: thresholdsFor(root) };
  } catch (error) {
    throw new PromoterError("internal_error", `trusted root #${index + 1} is not a Sigstore trusted_root.json (${messageOf(error)})`, { cause: error });
  }
}

function isCloser(a: Failure, b: Failure): boolean {
  return a.stage !== b.stage ? a.stage > b.stage : a.rank > b.rank;
}

function hintFor(stage: Stage): string {
  switch (stage) {
    case Stage.Identity:
      return "Check services.<name>.provenance (signer workflow, runners) against how the image was built: it must be built by that workflow from the tagged commit on the default branch.";
    case Stage.Subject:
    case Stage.Payload:
      return "Attest the image with actions/attest-build-provenance (subject-digest set to the pushed image digest).";
    default:
      return "The attestation cannot be trusted; rebuild and re-attest the image.";
  }
}

function refused(stage: Stage, reason: string): BundleRefused {
  return new BundleRefused({ stage, rank: 0, reason });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
