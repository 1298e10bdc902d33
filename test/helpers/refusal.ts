import { PromoterError } from "../../src/errors.js";

/** The PromoterError `run` throws (anything else is rethrown); fails when it throws nothing. */
export function refusalOf(run: () => unknown): PromoterError {
  try {
    run();
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error("expected a refusal (PromoterError), got none");
}

/** The PromoterError `promise` rejects with (anything else is rethrown); fails when it resolves. */
export async function asyncRefusalOf(promise: Promise<unknown>): Promise<PromoterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error("expected a refusal (PromoterError), got none");
}
