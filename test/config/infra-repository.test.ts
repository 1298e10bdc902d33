/**
 * The two ways the app names its infra repository agree: infraRepositoryNames (INFRA_REPOSITORY
 * read once, used by the push handler on every delivery) and isInfraRepository /
 * infraRepositoryFor (read per call, used by the pipelines), for every setting a user may write.
 */
import { describe, expect, it } from "vitest";
import { infraRepositoryFor, infraRepositoryNames, isInfraRepository } from "../../src/config/infra-repository.js";

const SETTINGS = [undefined, "", "  ", "infra", "Platform", " platform ", "acme/platform", "Other/Infra"];
const REPOSITORIES = ["acme/infra", "ACME/Infra", "acme/platform", "Acme/PLATFORM", "other/infra", "Other/Infra", "acme/core-api", "acme/infra-old"];

describe("infraRepositoryNames", () => {
  for (const setting of SETTINGS) {
    it(`INFRA_REPOSITORY=${JSON.stringify(setting)}: the same answers as isInfraRepository and infraRepositoryFor`, () => {
      const env = setting === undefined ? {} : { INFRA_REPOSITORY: setting };
      const names = infraRepositoryNames(env);
      for (const repository of REPOSITORIES) {
        expect(names.is(repository), repository).toBe(isInfraRepository(env, repository));
        const owner = repository.split("/")[0]!;
        const infra = infraRepositoryFor(env, owner);
        expect(names.of(owner), owner).toBe(`${infra.owner}/${infra.name}`);
      }
    });
  }

  it("matches whole names only, in any letter case", () => {
    const names = infraRepositoryNames({ INFRA_REPOSITORY: "platform" });
    expect(names.is("Acme/Platform")).toBe(true);
    expect(names.is("acme/platform-old")).toBe(false);
    expect(names.is("acme/infra")).toBe(false);
  });
});
