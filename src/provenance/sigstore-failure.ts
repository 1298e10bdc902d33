import { VerificationError } from "@sigstore/verify";

/**
 * Turns what @sigstore/verify's Verifier throws into a sentence naming what failed. Its errors
 * carry a `code` (TIMESTAMP_ERROR, CERTIFICATE_ERROR, TLOG_*, SIGNATURE_ERROR…) and a terse
 * message; the certificate chain error wraps the real reason in `cause`.
 *
 * Worth knowing when reading a reason:
 * - The Verifier checks in this order: timestamps, certificate chain and SCTs, log entries,
 *   signature. A log entry records the envelope's signature and payload hash, so an envelope
 *   altered after logging is caught at the log step ("tlog entry signature mismatch",
 *   "DSSE payload hash mismatch") before the signature step: both are reported as the
 *   signature not verifying, which is what they are.
 * - "certificate is not valid or expired at the specified date" means the certificate was not
 *   valid at the time the log/TSA vouches for: there is no valid time evidence for it.
 * - A chain error without a cause means no CA of the root was valid at that time, or the root
 *   has none: the certificate was not issued by a trusted CA.
 *
 * `untrustedCa` lets the caller prefer, among several roots, the failure of the root that did
 * recognise the certificate.
 */
export function describeSigstoreFailure(error: unknown): { reason: string; untrustedCa: boolean } {
  if (!(error instanceof VerificationError)) {
    return { reason: `the bundle could not be verified (${error instanceof Error ? error.message : String(error)})`, untrustedCa: false };
  }
  const message = error.message;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  switch (error.code) {
    case "SIGNATURE_ERROR":
      return { reason: "signature does not verify with the certificate's key", untrustedCa: false };
    case "CERTIFICATE_ERROR":
      if (message === "Failed to verify certificate chain") {
        if (cause === "certificate is not valid or expired at the specified date") {
          return {
            reason: "no valid time evidence: the certificate was not valid (expired or not yet valid) at the time the transparency log or timestamp authority vouches for",
            untrustedCa: false,
          };
        }
        return {
          reason: `certificate not issued by a trusted CA (${cause ?? "no CA of the trusted root, valid at the signing time, issued it"})`,
          untrustedCa: true,
        };
      }
      if (message.startsWith("expected") && message.includes("SCT")) {
        return { reason: "no valid time evidence: the certificate has no SCT from a trusted certificate transparency log", untrustedCa: false };
      }
      return { reason: `certificate does not verify (${message})`, untrustedCa: false };
    case "TIMESTAMP_ERROR":
      if (message.startsWith("expected")) {
        return {
          reason: "no valid time evidence: no transparency-log entry with an inclusion promise and no RFC 3161 timestamp",
          untrustedCa: false,
        };
      }
      return { reason: `no valid time evidence: ${message} (not signed by a trusted timestamp authority)`, untrustedCa: false };
    case "TLOG_BODY_ERROR":
      if (message === "tlog entry signature mismatch") {
        return { reason: "signature does not verify: it is not the signature the transparency log recorded", untrustedCa: false };
      }
      if (message === "DSSE payload hash mismatch") {
        return { reason: "signature does not verify: the payload is not the one the transparency log recorded (altered after signing)", untrustedCa: false };
      }
      return { reason: `transparency-log entry does not match the envelope (${message})`, untrustedCa: false };
    case "TLOG_ERROR":
      return { reason: `no valid time evidence: no transparency-log entry, which the trusted root requires (${message})`, untrustedCa: false };
    default:
      // TLOG_INCLUSION_PROMISE_ERROR, TLOG_INCLUSION_PROOF_ERROR, TLOG_MISSING_INCLUSION_ERROR, …
      return { reason: `transparency-log entry does not verify against a trusted log (${error.code}: ${message})`, untrustedCa: false };
  }
}
