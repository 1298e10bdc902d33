/** ecrRegion: the region of an ECR registry host, the only hosts provider ecr takes. */
import { describe, expect, it } from "vitest";
import { ecrRegion } from "../../src/registry/registry-providers.js";

describe("ecrRegion", () => {
  it.each([
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com", "eu-west-1"],
    ["123456789012.dkr.ecr.us-gov-west-1.amazonaws.com", "us-gov-west-1"],
    ["123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", "us-east-1"],
    ["123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1"],
    ["123456789012.DKR.ECR.AP-SOUTHEAST-2.AMAZONAWS.COM", "ap-southeast-2"],
  ])("%s is in %s", (host, region) => {
    expect(ecrRegion(host)).toBe(region);
  });

  it.each([
    "ghcr.io",
    "public.ecr.aws", // ECR Public: anonymous pulls, another API
    "12345678901.dkr.ecr.eu-west-1.amazonaws.com", // 11 digits
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com:443",
    "123456789012.dkr.ecr.amazonaws.com",
  ])("%s is not an ECR registry host", (host) => {
    expect(ecrRegion(host)).toBeUndefined();
  });
});
