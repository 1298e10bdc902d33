/** Shared pieces of the credential-provider tests (ecr, gar, acr). */
import { expect } from "vitest";
import { PromoterError } from "../../src/errors.js";

/** The PromoterError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function promoterRejection(promise: Promise<unknown>): Promise<PromoterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoterError);
  return error as PromoterError;
}

/** A registry that asks for Basic credentials, as ECR does. */
export function basicChallengeOf(realm: string): { status: number; headers: Record<string, string> } {
  return { status: 401, headers: { "www-authenticate": `Basic realm="${realm}",service="ecr.amazonaws.com"` } };
}
