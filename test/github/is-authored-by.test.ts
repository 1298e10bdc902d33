/**
 * Whether a promotion branch holds only the app's commits decides whether the app may rebuild it
 * (src/github/read-open-promotions.ts). GraphQL shows the app's PR author as its slug, and its
 * commits with GitHub's bot noreply address and no user; a person's commits carry their user.
 */
import { describe, expect, it } from "vitest";
import { isAuthoredBy } from "../../src/github/read-open-promotions.js";

describe("isAuthoredBy", () => {
  it.each([
    ["the app's commit (bot noreply, no user)", { email: "41898282+release-promoter[bot]@users.noreply.github.com", user: null }, "release-promoter", true],
    ["the app's commit on GitHub Enterprise Server", { email: "7+release-promoter[bot]@users.noreply.ghe.example.com", user: null }, "release-promoter", true],
    ["the app's commit, PR author given with [bot]", { email: "7+release-promoter[bot]@users.noreply.github.com", user: null }, "release-promoter[bot]", true],
    ["another app's commit", { email: "7+renovate[bot]@users.noreply.github.com", user: null }, "release-promoter", false],
    ["a look-alike address", { email: "7+release-promoter[bot]@example.com", user: null }, "release-promoter", false],
    ["a slug used as a pattern", { email: "7+release-promoterX[bot]@users.noreply.github.com", user: null }, "release-promote.", false],
    ["a person's commit", { email: "mona@example.com", user: { login: "octocat" } }, "release-promoter", false],
    ["a person's commit on their own PR", { email: "mona@example.com", user: { login: "OctoCat" } }, "octocat", true],
    ["no author at all", null, "release-promoter", false],
    ["an email GitHub did not map to anyone", { email: null, user: null }, "release-promoter", false],
  ])("%s → %s", (_name, author, prAuthor, expected) => {
    expect(isAuthoredBy(author, prAuthor)).toBe(expected);
  });
});
