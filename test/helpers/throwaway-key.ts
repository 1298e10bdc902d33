import { generateKeyPairSync } from "node:crypto";

/** A throwaway RSA key (PKCS#1 PEM, like GitHub's) made in memory; never written to disk. */
export function throwawayPrivateKey(): string {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  }).privateKey;
}
