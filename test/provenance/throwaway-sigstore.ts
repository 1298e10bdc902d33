import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dsse, json } from "@sigstore/core";
import * as der from "./der.js";

/**
 * A throwaway Sigstore for tests, made with node:crypto: a self-signed CA ("Fulcio"), leaf
 * certificates carrying the Fulcio extensions, DSSE envelopes signed by the leaf key, and a
 * transparency log ("Rekor") whose entries carry a signed entry timestamp (inclusion promise) and
 * an inclusion proof in a one-leaf tree with a signed checkpoint, plus the trusted_root.json
 * listing that CA and log. Everything @sigstore/verify checks is real cryptography; only the
 * keys are made up. No CT log: the root lists none unless asked (then no SCT exists, on purpose).
 *
 * A timestamp authority (makeTsa) signs RFC 3161 timestamps with the `openssl ts` CLI (CMS by
 * hand is not worth it): its time is the real clock, so bundles using it get a certificate valid
 * around now.
 */

export const ISSUER = "https://token.actions.githubusercontent.com";
const LOG_URL = "https://rekor.throwaway.test";
const LOG_ORIGIN = "rekor.throwaway.test";

export interface LeafIdentity {
  san: string;
  /** 1.3.6.1.4.1.57264.1.8 (UTF8String). */
  issuer?: string;
  /** 1.3.6.1.4.1.57264.1.1 (raw). */
  legacyIssuer?: string;
  runnerEnvironment?: string;
  sourceRepositoryUri?: string;
  sourceRepositoryDigest?: string;
  sourceRepositoryRef?: string;
  runInvocationUri?: string;
  /** Extensions whose value is written raw, not as a DER UTF8String (the pitfall). */
  rawExtensions?: Record<string, string>;
}

export interface BundleOptions {
  identity?: Partial<LeafIdentity>;
  /** Hex sha256 digests the statement names as subjects. */
  subjects?: string[];
  predicateType?: string;
  payloadType?: string;
  notBefore?: Date;
  /** Certificate lifetime; Fulcio's is 10 minutes. */
  lifetimeMs?: number;
  /** Seconds since the epoch the log says it integrated the entry. Default: a minute after notBefore. */
  integratedTime?: number;
  /** Sign the leaf with another CA (not in the trusted root). */
  issuingCa?: ThrowawayCa;
  /** Sign the log entry with another log key (not in the trusted root). */
  log?: ThrowawayLog;
  /** Leave the log entry out. */
  noLogEntry?: boolean;
  /** Add an RFC 3161 timestamp over the signature from this TSA (time: now). */
  tsa?: ThrowawayTsa;
  /**
   * Alter the envelope after signing: `signature`/`payload` after logging too (the log entry no
   * longer matches), `relogged-signature`/`relogged-payload` before logging (the log matches the
   * altered envelope; only the signature check can notice).
   */
  tamper?: "signature" | "payload" | "relogged-signature" | "relogged-payload";
}

export const DEFAULT_NOT_BEFORE = new Date("2025-03-01T12:00:00Z");

export const DEFAULT_IDENTITY: LeafIdentity = {
  san: "https://github.com/acme/core-api/.github/workflows/build.yml@refs/heads/main",
  issuer: ISSUER,
  runnerEnvironment: "github-hosted",
  sourceRepositoryUri: "https://github.com/acme/core-api",
  sourceRepositoryDigest: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
  sourceRepositoryRef: "refs/heads/main",
  runInvocationUri: "https://github.com/acme/core-api/actions/runs/4242/attempts/1",
};

export const DEFAULT_SUBJECT = "5e1f".repeat(16);

export interface ThrowawayCa {
  key: KeyObject;
  publicKey: KeyObject;
  name: Buffer;
  keyId: Buffer;
  certDer: Buffer;
}

export interface ThrowawayLog {
  key: KeyObject;
  spki: Buffer;
  logId: Buffer;
}

export function makeCa(commonName = "throwaway-fulcio"): ThrowawayCa {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const name = der.sequence(
    der.set(der.sequence(der.oid("2.5.4.10"), der.utf8String("throwaway.test"))),
    der.set(der.sequence(der.oid("2.5.4.3"), der.utf8String(commonName))),
  );
  const keyId = createHash("sha1").update(spki).digest();
  const extensions = [
    extension("2.5.29.15", der.bitString(Buffer.from([0x06]), 1), true), // keyCertSign, cRLSign
    extension("2.5.29.19", der.sequence(der.boolean(true)), true),
    extension("2.5.29.14", der.octetString(keyId)),
  ];
  const certDer = certificate({
    serial: 1n,
    issuer: name,
    subject: name,
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2040-01-01T00:00:00Z"),
    spki,
    extensions,
    signingKey: privateKey,
  });
  return { key: privateKey, publicKey, name, keyId, certDer };
}

export function makeLog(): ThrowawayLog {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  return { key: privateKey, spki, logId: createHash("sha256").update(spki).digest() };
}

export interface ThrowawaySigstore {
  ca: ThrowawayCa;
  log: ThrowawayLog;
  /** trusted_root.json listing the CA and the log; with `ctlog`, the log key also as a CT log. */
  trustedRoot(options?: { ctlog?: boolean; tsa?: ThrowawayTsa }): unknown;
  bundle(options?: BundleOptions): unknown;
}

export function makeThrowawaySigstore(): ThrowawaySigstore {
  const ca = makeCa();
  const log = makeLog();
  return {
    ca,
    log,
    trustedRoot: (options = {}) => trustedRootFor(ca, log, options.ctlog ?? false, options.tsa),
    bundle: (options = {}) => makeBundle(ca, log, options),
  };
}

export interface ThrowawayTsa {
  /** The trusted root's timestampAuthorities entry (TSA leaf, then its CA). */
  authority: unknown;
  /** A DER TimeStampResp over `data` (sha256 message imprint). */
  timestamp(data: Buffer): Buffer;
}

export function makeTsa(): ThrowawayTsa {
  const root = makeCa("throwaway-tsa-root");
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const leafDer = certificate({
    serial: 2n,
    issuer: root.name,
    subject: der.sequence(der.set(der.sequence(der.oid("2.5.4.3"), der.utf8String("throwaway-tsa")))),
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2040-01-01T00:00:00Z"),
    spki,
    extensions: [
      extension("2.5.29.15", der.bitString(Buffer.from([0x80]), 7), true),
      extension("2.5.29.37", der.sequence(der.oid("1.3.6.1.5.5.7.3.8")), true), // timeStamping
      extension("2.5.29.35", der.sequence(der.implicitPrimitive(0, root.keyId))),
    ],
    signingKey: root.key,
  });
  const dir = mkdtempSync(join(tmpdir(), "throwaway-tsa-"));
  // The openssl config and keys live for the test process only.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const pem = (label: string, body: Buffer) => `-----BEGIN ${label}-----\n${body.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END ${label}-----\n`;
  writeFileSync(join(dir, "tsa.pem"), pem("CERTIFICATE", leafDer));
  writeFileSync(join(dir, "tsa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(join(dir, "serial"), "01\n");
  writeFileSync(
    join(dir, "ts.cnf"),
    [
      "[ tsa ]",
      "default_tsa = tsa_config",
      "[ tsa_config ]",
      `serial = ${join(dir, "serial")}`,
      `signer_cert = ${join(dir, "tsa.pem")}`,
      `signer_key = ${join(dir, "tsa.key")}`,
      "signer_digest = sha256",
      "default_policy = 1.2.3.4.1",
      "digests = sha256",
      "accuracy = secs:1",
      "ordering = no",
      "tsa_name = no",
      "ess_cert_id_chain = no",
      "ess_cert_id_alg = sha256",
      "",
    ].join("\n"),
  );
  let count = 0;
  return {
    authority: {
      subject: { organization: "throwaway.test", commonName: "throwaway-tsa" },
      uri: "https://tsa.throwaway.test",
      certChain: { certificates: [{ rawBytes: leafDer.toString("base64") }, { rawBytes: root.certDer.toString("base64") }] },
      validFor: { start: "2020-01-01T00:00:00Z" },
    },
    timestamp(data) {
      count += 1;
      const dataFile = join(dir, `data-${count}`);
      writeFileSync(dataFile, data);
      const query = execFileSync("openssl", ["ts", "-query", "-data", dataFile, "-sha256", "-cert"], { stdio: ["ignore", "pipe", "ignore"] });
      writeFileSync(`${dataFile}.tsq`, query);
      return execFileSync("openssl", ["ts", "-reply", "-config", join(dir, "ts.cnf"), "-queryfile", `${dataFile}.tsq`], {
        stdio: ["ignore", "pipe", "ignore"],
      });
    },
  };
}

/**
 * A root shaped like GitHub's private Sigstore instance: the CA and a timestamp authority, no
 * transparency or CT logs.
 */
export function tsaOnlyRootFor(ca: ThrowawayCa, tsa: ThrowawayTsa): unknown {
  return {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [],
    certificateAuthorities: [
      {
        subject: { organization: "throwaway.test", commonName: "throwaway-fulcio" },
        uri: "https://fulcio.throwaway.test",
        certChain: { certificates: [{ rawBytes: ca.certDer.toString("base64") }] },
        validFor: { start: "2020-01-01T00:00:00Z" },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [tsa.authority],
  };
}

export function trustedRootFor(ca: ThrowawayCa, log: ThrowawayLog, ctlog = false, tsa?: ThrowawayTsa): unknown {
  const logInstance = {
    baseUrl: LOG_URL,
    hashAlgorithm: "SHA2_256",
    publicKey: {
      rawBytes: log.spki.toString("base64"),
      keyDetails: "PKIX_ECDSA_P256_SHA_256",
      validFor: { start: "2020-01-01T00:00:00Z" },
    },
    logId: { keyId: log.logId.toString("base64") },
  };
  return {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [logInstance],
    certificateAuthorities: [
      {
        subject: { organization: "throwaway.test", commonName: "throwaway-fulcio" },
        uri: "https://fulcio.throwaway.test",
        certChain: { certificates: [{ rawBytes: ca.certDer.toString("base64") }] },
        validFor: { start: "2020-01-01T00:00:00Z" },
      },
    ],
    ctlogs: ctlog ? [logInstance] : [],
    timestampAuthorities: tsa === undefined ? [] : [tsa.authority],
  };
}

function makeBundle(trustedCa: ThrowawayCa, trustedLog: ThrowawayLog, options: BundleOptions): unknown {
  const ca = options.issuingCa ?? trustedCa;
  const log = options.log ?? trustedLog;
  const identity: LeafIdentity = { ...DEFAULT_IDENTITY, ...options.identity };
  const notBefore = options.notBefore ?? DEFAULT_NOT_BEFORE;
  const notAfter = new Date(notBefore.getTime() + (options.lifetimeMs ?? 10 * 60 * 1000));
  const leaf = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const leafDer = leafCertificate(ca, leaf.publicKey, identity, notBefore, notAfter);

  const payloadType = options.payloadType ?? "application/vnd.in-toto+json";
  const statement = {
    _type: "https://in-toto.io/Statement/v1",
    subject: (options.subjects ?? [DEFAULT_SUBJECT]).map((sha256) => ({ name: "ghcr.io/acme/core-api", digest: { sha256 } })),
    predicateType: options.predicateType ?? "https://slsa.dev/provenance/v1",
    predicate: { buildDefinition: { buildType: "https://actions.github.io/buildtypes/workflow/v1" } },
  };
  let payload = Buffer.from(JSON.stringify(statement), "utf8");
  let signature = sign("sha256", dsse.preAuthEncoding(payloadType, payload), leaf.privateKey);

  const tamperPayload = () => Buffer.from(payload.toString("utf8").replace('"predicate":', '"predicate":{"tampered":true},"was":'), "utf8");
  const tamperSignature = () => {
    const copy = Buffer.from(signature);
    copy[copy.length - 1]! ^= 0x01;
    return copy;
  };
  if (options.tamper === "relogged-signature") signature = tamperSignature();
  if (options.tamper === "relogged-payload") payload = tamperPayload();

  const integratedTime = options.integratedTime ?? Math.floor(notBefore.getTime() / 1000) + 60;
  const tlogEntries = options.noLogEntry ? [] : [logEntry(log, leafDer, payload, signature, integratedTime)];

  if (options.tamper === "signature") signature = tamperSignature();
  if (options.tamper === "payload") payload = tamperPayload();

  return {
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: {
      certificate: { rawBytes: leafDer.toString("base64") },
      tlogEntries,
      timestampVerificationData: {
        rfc3161Timestamps: options.tsa === undefined ? [] : [{ signedTimestamp: options.tsa.timestamp(signature).toString("base64") }],
      },
    },
    dsseEnvelope: {
      payload: payload.toString("base64"),
      payloadType,
      signatures: [{ sig: signature.toString("base64"), keyid: "" }],
    },
  };
}

/** A Rekor dsse/0.0.1 entry at index 0 of a one-leaf tree: inclusion promise and inclusion proof. */
function logEntry(log: ThrowawayLog, leafDer: Buffer, payload: Buffer, signature: Buffer, integratedTime: number): unknown {
  const pem = `-----BEGIN CERTIFICATE-----\n${leafDer.toString("base64")}\n-----END CERTIFICATE-----\n`;
  const body = {
    apiVersion: "0.0.1",
    kind: "dsse",
    spec: {
      envelopeHash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") },
      payloadHash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") },
      signatures: [{ signature: signature.toString("base64"), verifier: Buffer.from(pem).toString("base64") }],
    },
  };
  const canonicalizedBody = Buffer.from(json.canonicalize(body), "utf8");
  const logIndex = 0;
  const promise = json.canonicalize({
    body: canonicalizedBody.toString("base64"),
    integratedTime,
    logIndex,
    logID: log.logId.toString("hex"),
  });
  const signedEntryTimestamp = sign("sha256", Buffer.from(promise, "utf8"), log.key);

  const rootHash = createHash("sha256").update(Buffer.concat([Buffer.from([0]), canonicalizedBody])).digest();
  const note = `${LOG_ORIGIN}\n1\n${rootHash.toString("base64")}\n`;
  const noteSignature = sign("sha256", Buffer.from(note, "utf8"), log.key);
  const checkpoint = `${note}\n\u2014 ${LOG_ORIGIN} ${Buffer.concat([log.logId.subarray(0, 4), noteSignature]).toString("base64")}\n`;

  return {
    logIndex: String(logIndex),
    logId: { keyId: log.logId.toString("base64") },
    kindVersion: { kind: "dsse", version: "0.0.1" },
    integratedTime: String(integratedTime),
    inclusionPromise: { signedEntryTimestamp: signedEntryTimestamp.toString("base64") },
    inclusionProof: {
      logIndex: String(logIndex),
      rootHash: rootHash.toString("base64"),
      treeSize: "1",
      hashes: [],
      checkpoint: { envelope: checkpoint },
    },
    canonicalizedBody: canonicalizedBody.toString("base64"),
  };
}

const FULCIO_OID = {
  legacyIssuer: "1.3.6.1.4.1.57264.1.1",
  issuer: "1.3.6.1.4.1.57264.1.8",
  runnerEnvironment: "1.3.6.1.4.1.57264.1.11",
  sourceRepositoryUri: "1.3.6.1.4.1.57264.1.12",
  sourceRepositoryDigest: "1.3.6.1.4.1.57264.1.13",
  sourceRepositoryRef: "1.3.6.1.4.1.57264.1.14",
  runInvocationUri: "1.3.6.1.4.1.57264.1.21",
} as const;

function leafCertificate(ca: ThrowawayCa, publicKey: KeyObject, identity: LeafIdentity, notBefore: Date, notAfter: Date): Buffer {
  const spki = publicKey.export({ type: "spki", format: "der" });
  const utf8 = (oid: string, value: string | undefined) => (value === undefined ? [] : [extension(oid, der.utf8String(value))]);
  const extensions = [
    extension("2.5.29.15", der.bitString(Buffer.from([0x80]), 7), true), // digitalSignature
    extension("2.5.29.37", der.sequence(der.oid("1.3.6.1.5.5.7.3.3"))), // codeSigning
    extension("2.5.29.14", der.octetString(createHash("sha1").update(spki).digest())),
    extension("2.5.29.35", der.sequence(der.implicitPrimitive(0, ca.keyId))),
    extension("2.5.29.17", der.sequence(der.implicitPrimitive(6, Buffer.from(identity.san, "ascii"))), true),
    ...(identity.legacyIssuer === undefined ? [] : [extension(FULCIO_OID.legacyIssuer, Buffer.from(identity.legacyIssuer, "utf8"))]),
    ...utf8(FULCIO_OID.issuer, identity.issuer),
    ...utf8(FULCIO_OID.runnerEnvironment, identity.runnerEnvironment),
    ...utf8(FULCIO_OID.sourceRepositoryUri, identity.sourceRepositoryUri),
    ...utf8(FULCIO_OID.sourceRepositoryDigest, identity.sourceRepositoryDigest),
    ...utf8(FULCIO_OID.sourceRepositoryRef, identity.sourceRepositoryRef),
    ...utf8(FULCIO_OID.runInvocationUri, identity.runInvocationUri),
    ...Object.entries(identity.rawExtensions ?? {}).map(([oid, value]) => extension(oid, Buffer.from(value, "utf8"))),
  ];
  return certificate({
    serial: BigInt(`0x${createHash("sha256").update(spki).digest("hex").slice(0, 30)}`),
    issuer: ca.name,
    subject: der.sequence(),
    notBefore,
    notAfter,
    spki,
    extensions,
    signingKey: ca.key,
  });
}

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING } */
function extension(oid: string, value: Buffer, critical = false): Buffer {
  return der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

function certificate(fields: {
  serial: bigint;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: Buffer[];
  signingKey: KeyObject;
}): Buffer {
  const algorithm = der.sequence(der.oid("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
  const tbs = der.sequence(
    der.explicit(0, der.integer(2n)),
    der.integer(fields.serial),
    algorithm,
    fields.issuer,
    der.sequence(der.utcTime(fields.notBefore), der.utcTime(fields.notAfter)),
    fields.subject,
    fields.spki,
    der.explicit(3, der.sequence(...fields.extensions)),
  );
  const signature = sign("sha256", tbs, fields.signingKey);
  return der.sequence(tbs, algorithm, der.bitString(signature));
}
