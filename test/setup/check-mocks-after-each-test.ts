/**
 * vitest setup file (vitest.config.ts `setupFiles`): every test fails on an HTTP mock it left
 * unused and on a request nobody expected (see strict-mocks.ts), then starts the next test clean.
 */
import { afterEach, beforeEach } from "vitest";
import { checkStrictMocks, resetStrictMocks } from "./strict-mocks.js";

let checked = true;

beforeEach(() => {
  // An earlier afterEach hook that threw stops vitest from running the later ones, this check
  // included; that test has failed already, so only clean up after it.
  if (!checked) resetStrictMocks();
  checked = false;
});

afterEach(() => {
  checked = true;
  try {
    checkStrictMocks();
  } finally {
    resetStrictMocks();
  }
});
