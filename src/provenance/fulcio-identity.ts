import { ASN1Obj, type X509Certificate } from "@sigstore/core";

/**
 * The signer identity a Fulcio certificate carries for a GitHub Actions job, and the rule that
 * decides whether it is the build a release may be promoted from. Pure: no I/O, no clock.
 *
 * Where the values come from (Fulcio's docs/oid-info.md):
 * - SAN URI: the workflow that *holds the signing identity* (`job_workflow_ref`): for a plain
 *   workflow the workflow itself, for a reusable workflow the reusable (called) one, e.g.
 *   `https://github.com/acme/shared/.github/workflows/build.yml@<ref the caller pinned>`.
 * - 1.3.6.1.4.1.57264.1.8 Issuer (V2), 1.3.6.1.4.1.57264.1.11 Runner Environment,
 *   …1.12 Source Repository URI, …1.13 Source Repository Digest, …1.14 Source Repository Ref,
 *   …1.21 Run Invocation URI: values from the *caller's* run (`repository`, `sha`, `ref`,
 *   `runner_environment`), so they bind the build to a commit and branch of the source
 *   repository whichever workflow signed. From 1.8 on every value is a DER-encoded UTF8String
 *   inside the extension's OCTET STRING (comparing the raw bytes would never match); the legacy
 *   1.3.6.1.4.1.57264.1.1 Issuer is the raw string and is read only when 1.8 is absent.
 *
 * Decisions:
 * - Signer workflow in the source repository (`acme/core-api/.github/workflows/build.yml` with
 *   sourceRepository `acme/core-api`): the SAN must be exactly
 *   `https://github.com/<signerWorkflow>@refs/heads/<defaultBranch>`: the workflow file as it is
 *   on the default branch.
 * - Signer workflow in another repository (a shared reusable workflow,
 *   `acme/shared/.github/workflows/build.yml`): the SAN must name that workflow, at any ref. The
 *   ref is chosen by the caller's `uses: …@ref` line, which lives in the source repository at the
 *   commit the Source Repository Digest/Ref checks already pin to the tagged commit on the default
 *   branch: whoever could change that ref could equally change the build, so constraining it adds
 *   nothing; the ref is returned (`signerRef`) so it can be shown. What makes the shared case safe
 *   is that the source repository, ref and digest are checked from the caller's extensions, never
 *   inferred from the SAN.
 * - Issuer: exactly `https://token.actions.githubusercontent.com` unless the policy names another
 *   (GitHub Enterprise Cloud's custom issuer `…/<enterprise-slug>`): never a prefix match, which
 *   would let any enterprise's issuer through.
 * - Runner environment: must be present and `github-hosted`, unless self-hosted runners are
 *   allowed (then any value, still required to be present).
 * - Repository names (owner/name) compare case-insensitively, as GitHub treats them; paths,
 *   refs, the commit and the issuer exactly. A certificate that repeats one of these extensions,
 *   or encodes one as anything but a lone UTF8String, is refused.
 */

export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

export const OID = {
  issuerV1: "1.3.6.1.4.1.57264.1.1",
  issuer: "1.3.6.1.4.1.57264.1.8",
  runnerEnvironment: "1.3.6.1.4.1.57264.1.11",
  sourceRepositoryUri: "1.3.6.1.4.1.57264.1.12",
  sourceRepositoryDigest: "1.3.6.1.4.1.57264.1.13",
  sourceRepositoryRef: "1.3.6.1.4.1.57264.1.14",
  runInvocationUri: "1.3.6.1.4.1.57264.1.21",
} as const;

export interface ProvenancePolicy {
  /** `owner/repo/.github/workflows/file.yml`: the workflow whose identity signs (SAN). */
  signerWorkflow: string;
  /** `owner/repo` the build ran for. */
  sourceRepository: string;
  defaultBranch: string;
  /** 40-hex commit the release tag points at. */
  sourceCommit: string;
  allowSelfHostedRunners: boolean;
  /** OIDC issuer to require; GITHUB_ACTIONS_ISSUER when omitted. */
  oidcIssuer?: string;
}

export interface SignerIdentity {
  /** The SAN URI. */
  signer: string;
  /** The ref after `@` in the SAN. */
  signerRef: string;
  workflowRun: string | undefined;
}

/** Thrown for a certificate that is not the expected signer; the message names the mismatch. */
export class IdentityMismatch extends Error {}

const GITHUB = "https://github.com/";

/** Checks the leaf certificate against the policy; returns what identifies the build or throws IdentityMismatch. */
export function checkSignerIdentity(cert: X509Certificate, policy: ProvenancePolicy): SignerIdentity {
  const issuer = readIssuer(cert);
  const expectedIssuer = policy.oidcIssuer ?? GITHUB_ACTIONS_ISSUER;
  if (issuer !== expectedIssuer) {
    throw new IdentityMismatch(`OIDC issuer is ${show(issuer)}, not ${expectedIssuer}`);
  }

  const { signer, signerRef } = checkSan(cert, policy);

  const repository = readUtf8Extension(cert, OID.sourceRepositoryUri);
  const expectedRepository = `${GITHUB}${policy.sourceRepository}`;
  if (repository === undefined || !sameRepositoryUri(repository, expectedRepository)) {
    throw new IdentityMismatch(`source repository is ${show(repository)}, not ${expectedRepository}`);
  }

  const ref = readUtf8Extension(cert, OID.sourceRepositoryRef);
  const expectedRef = `refs/heads/${policy.defaultBranch}`;
  if (ref !== expectedRef) {
    throw new IdentityMismatch(`source ref is ${show(ref)}, not the default branch ${expectedRef}`);
  }

  const digest = readUtf8Extension(cert, OID.sourceRepositoryDigest);
  if (digest !== policy.sourceCommit) {
    throw new IdentityMismatch(`source digest is ${show(digest)}, not the tagged commit ${policy.sourceCommit}`);
  }

  const runner = readUtf8Extension(cert, OID.runnerEnvironment);
  if (runner === undefined) throw new IdentityMismatch("certificate does not name its runner environment");
  if (runner !== "github-hosted" && !policy.allowSelfHostedRunners) {
    throw new IdentityMismatch(`runner environment ${runner} (only github-hosted runners are allowed)`);
  }

  return { signer, signerRef, workflowRun: readUtf8Extension(cert, OID.runInvocationUri) };
}

function checkSan(cert: X509Certificate, policy: ProvenancePolicy): { signer: string; signerRef: string } {
  const san = cert.extSubjectAltName?.uri;
  const [owner, repo, ...path] = policy.signerWorkflow.split("/");
  const workflowRepository = `${owner}/${repo}`;
  const sameRepository = equalsIgnoreCase(workflowRepository, policy.sourceRepository);
  const expected = sameRepository
    ? `${GITHUB}${policy.signerWorkflow}@refs/heads/${policy.defaultBranch}`
    : `${GITHUB}${policy.signerWorkflow}@<any ref>`;
  const mismatch = () => new IdentityMismatch(`signer workflow is ${show(san)}, not ${expected}`);
  if (san === undefined || !san.startsWith(GITHUB)) throw mismatch();

  const rest = san.slice(GITHUB.length);
  const [sanOwner, sanRepo] = rest.split("/", 2);
  const sanRepository = `${sanOwner}/${sanRepo}`;
  if (!equalsIgnoreCase(sanRepository, workflowRepository)) throw mismatch();
  const afterRepository = rest.slice(sanRepository.length + 1);
  const pathPrefix = `${path.join("/")}@`;
  if (!afterRepository.startsWith(pathPrefix)) throw mismatch();
  const signerRef = afterRepository.slice(pathPrefix.length);
  if (signerRef === "") throw mismatch();
  if (sameRepository && signerRef !== `refs/heads/${policy.defaultBranch}`) throw mismatch();
  return { signer: san, signerRef };
}

function readIssuer(cert: X509Certificate): string | undefined {
  if (findExtensions(cert, OID.issuer).length > 0) return readUtf8Extension(cert, OID.issuer);
  const legacy = findExtensions(cert, OID.issuerV1);
  if (legacy.length > 1) throw new IdentityMismatch(`certificate repeats extension ${OID.issuerV1}`);
  return legacy[0]?.toString("utf8");
}

/** The UTF8String inside extension `oid`, undefined when absent; throws IdentityMismatch when repeated or not a lone UTF8String. */
export function readUtf8Extension(cert: X509Certificate, oid: string): string | undefined {
  const values = findExtensions(cert, oid);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new IdentityMismatch(`certificate repeats extension ${oid}`);
  const raw = values[0]!;
  let inner: ASN1Obj;
  try {
    inner = ASN1Obj.parseBuffer(Buffer.from(raw));
  } catch {
    throw new IdentityMismatch(`certificate extension ${oid} is not a DER UTF8String`);
  }
  const UTF8_STRING = 0x0c;
  const isUtf8String = inner.tag.isUniversal() && !inner.tag.constructed && inner.tag.number === UTF8_STRING;
  // parseBuffer ignores bytes after the first element; a lone element re-encodes to all of them.
  if (!isUtf8String || inner.toDER().length !== raw.length) {
    throw new IdentityMismatch(`certificate extension ${oid} is not a DER UTF8String`);
  }
  return inner.value.toString("utf8");
}

/** The extnValue contents of every extension with this OID. */
function findExtensions(cert: X509Certificate, oid: string): Buffer[] {
  return cert.extensions
    .filter((ext) => ext.subs[0]?.toOID() === oid)
    .map((ext) => ext.subs[ext.subs.length - 1]!.value);
}

function sameRepositoryUri(actual: string, expected: string): boolean {
  return actual.startsWith(GITHUB) && equalsIgnoreCase(actual, expected);
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function show(value: string | undefined): string {
  return value === undefined ? "missing" : value;
}
