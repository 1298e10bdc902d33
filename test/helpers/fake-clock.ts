import { vi } from "vitest";

/** A clock that only moves when the code under test sleeps. */
export function fakeClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    sleep: vi.fn(async (ms: number) => {
      now += ms;
    }),
    elapsed: () => now - start,
  };
}
