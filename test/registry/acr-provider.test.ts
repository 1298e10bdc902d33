/**
 * provider: acr end to end over https, in a child node process (acr-provider-child.ts) that
 * trusts the test's CA through NODE_EXTRA_CA_CERTS: @azure/identity's DefaultAzureCredential
 * finds the client secret in AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET and asks a
 * stand-in of Microsoft Entra at AZURE_AUTHORITY_HOST (MSAL insists on https authorities, hence
 * the CA); the Entra token goes to a stand-in of the registry's POST /oauth2/exchange, and the
 * ACR refresh token it returns is the password of 00000000-0000-0000-0000-000000000000 at the
 * registry's token realm, on the same stand-in, which also serves the manifest. Every stand-in
 * is strict.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DIGEST, OCI_INDEX, SHA, basic } from "./registry-mocks.js";
import { makeTestCa } from "./test-ca.js";
import { startTokenEndpointStandIn, type ExpectedRequest, type TokenEndpointStandIn } from "./token-endpoint-stand-in.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TENANT = "4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b";
const CLIENT_ID = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d";
const CLIENT_SECRET = "client-secret-value~not-for-logs";
const ENTRA_TOKEN = "eyJ0eXAiOiJKV1QifQ.entra-access-token-for-acr.sig";
const ACR_ACCESS_TOKEN = "acr-access-token-for-pull";
const HOUR = 3_600_000;

let dir: string;
let caPath: string;
let entra: TokenEndpointStandIn;
let acr: TokenEndpointStandIn;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-promoter-acr-"));
  const ca = await makeTestCa(dir);
  caPath = ca.caPath;
  entra = await startTokenEndpointStandIn({ tls: ca });
  acr = await startTokenEndpointStandIn({ tls: ca });
});
afterAll(async () => {
  await entra?.stop();
  await acr?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  entra.assertDone();
  acr.assertDone();
});

/** An ACR refresh token: a JWT whose exp is all the app reads of it. */
function refreshToken(name: string, expiresAt: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part({ exp: Math.floor(expiresAt / 1000), jti: name })}.c2ln`;
}

/** MSAL's two requests to the authority: its OpenID configuration, then client credentials. */
function entraToken(answer: ExpectedRequest["answer"] = { status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: ENTRA_TOKEN } }): ExpectedRequest[] {
  const authority = `${entra.url}/${TENANT}`;
  return [
    {
      method: "GET",
      path: `/${TENANT}/v2.0/.well-known/openid-configuration`,
      answer: {
        status: 200,
        body: {
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
          issuer: `${authority}/v2.0`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
        },
      },
    },
    {
      method: "POST",
      path: `/${TENANT}/oauth2/v2.0/token`,
      check: (request) => {
        const form = new URLSearchParams(request.body);
        expect(form.get("grant_type")).toBe("client_credentials");
        expect(form.get("client_id")).toBe(CLIENT_ID);
        expect(form.get("client_secret")).toBe(CLIENT_SECRET);
        expect(form.get("scope")).toBe("https://containerregistry.azure.net/.default");
      },
      answer,
    },
  ];
}

function exchange(answer: ExpectedRequest["answer"]): ExpectedRequest {
  return {
    method: "POST",
    path: "/oauth2/exchange",
    check: (request) => {
      expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({ grant_type: "access_token", service: acr.host, access_token: ENTRA_TOKEN });
    },
    answer,
  };
}

/** The registry's side of one resolution: challenge, token realm with the refresh token, manifest. */
function pullWith(password: string): ExpectedRequest[] {
  const manifest = `/v2/acme/core-api/manifests/${SHA}`;
  return [
    { method: "HEAD", path: manifest, answer: { status: 401, headers: { "www-authenticate": `Bearer realm="${acr.url}/oauth2/token",service="${acr.host}"` } } },
    {
      method: "GET",
      path: "/oauth2/token",
      check: (request) => {
        expect(request.headers.authorization).toBe(basic("00000000-0000-0000-0000-000000000000", password));
        expect(new URL(request.path, acr.url).searchParams.get("scope")).toBe("repository:acme/core-api:pull");
      },
      answer: { status: 200, body: { access_token: ACR_ACCESS_TOKEN } },
    },
    {
      method: "HEAD",
      path: manifest,
      check: (request) => expect(request.headers.authorization).toBe(`Bearer ${ACR_ACCESS_TOKEN}`),
      answer: { status: 200, headers: { "content-type": OCI_INDEX, "docker-content-digest": DIGEST } },
    },
  ];
}

interface ChildRun {
  answers: Array<{ ok: true; digest: string } | { ok: false; error: { name: string; code?: string; retryable?: boolean; message: string } }>;
  discoveries: number;
  unexpected: string[];
}

/** A step's answer when the resolution failed closed (never retryable here). */
function failed(code: string, message: string): ChildRun["answers"][number] {
  return { ok: false, error: { name: "PromoterError", code, retryable: false, message } };
}

/** The child with exactly this environment: PATH, the CA, the client secret and the authority. */
function runChild(steps: Array<"resolve" | number>, env: Record<string, string> = {}, requestTimeoutMs?: number): Promise<ChildRun> {
  const input = { image: `${acr.host}/acme/core-api`, reference: SHA, steps, requestTimeoutMs };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(ROOT, "test/registry/acr-provider-child.ts"), JSON.stringify(input)],
      {
        cwd: ROOT,
        timeout: 60_000,
        env: {
          PATH: process.env["PATH"] ?? "/usr/bin:/bin",
          HOME: dir, // no Azure CLI or azd login of this machine's
          NODE_EXTRA_CA_CERTS: caPath,
          AZURE_TENANT_ID: TENANT,
          AZURE_CLIENT_ID: CLIENT_ID,
          AZURE_CLIENT_SECRET: CLIENT_SECRET,
          AZURE_AUTHORITY_HOST: entra.url,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`child node failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ChildRun);
      },
    );
  });
}

describe("provider acr", () => {
  it("exchanges the Entra token for a refresh token, pulls with it, and fetches again only within 5 minutes of its expiry", async () => {
    const start = Date.now();
    entra.expect(...entraToken());
    acr.expect(exchange({ status: 200, body: { refresh_token: refreshToken("first", start + 3 * HOUR) } }), ...pullWith(refreshToken("first", start + 3 * HOUR)));
    acr.expect(...pullWith(refreshToken("first", start + 3 * HOUR)));
    entra.expect(...entraToken());
    acr.expect(exchange({ status: 200, body: { refresh_token: refreshToken("second", start + 6 * HOUR) } }), ...pullWith(refreshToken("second", start + 6 * HOUR)));

    const run = await runChild(["resolve", 2 * HOUR, "resolve", HOUR - 4 * 60_000, "resolve"]);
    expect(run).toEqual({ answers: [{ ok: true, digest: DIGEST }, { ok: true, digest: DIGEST }, { ok: true, digest: DIGEST }], discoveries: 2, unexpected: [] });
  });

  it("fails closed when the registry refuses the exchange, naming the provider and AcrPull, never a token or the secret", async () => {
    entra.expect(...entraToken());
    acr.expect(exchange({ status: 401, body: { errors: [{ code: "UNAUTHORIZED", message: "unauthorized" }] } }));
    const run = await runChild(["resolve"]);
    expect(run.unexpected).toEqual([]);
    expect(run.answers).toEqual([
      failed(
        "registry_unauthorized",
        `provider acr (Azure DefaultAzureCredential) could not get a token for registry ${acr.host}: token exchange ${acr.url}/oauth2/exchange of registry ${acr.host} answered HTTP 401 to the Entra token; ` +
          "check that the Microsoft Entra identity DefaultAzureCredential finds has the AcrPull role on the registry",
      ),
    ]);
  });

  it("fails closed when Entra refuses the client secret, and tries again on the next resolution", async () => {
    const refused: ExpectedRequest["answer"] = { status: 401, body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." } };
    entra.expect(...entraToken(refused), ...entraToken(refused));
    const run = await runChild(["resolve", "resolve"]);
    expect(run.unexpected).toEqual([]);
    const refusal = failed(
      "registry_unauthorized",
      `provider acr (Azure DefaultAzureCredential) could not get a token for registry ${acr.host}: Microsoft Entra refused a token with AuthenticationError (HTTP 400); ` +
        "check the credential DefaultAzureCredential uses (AZURE_TENANT_ID, AZURE_CLIENT_ID and its secret or certificate, the workload or managed identity)",
    );
    expect(run.answers).toEqual([refusal, refusal]);
    expect(JSON.stringify(run.answers)).not.toContain(CLIENT_SECRET);
  });

  it("gives up on an Entra endpoint that does not answer (registry_unavailable, retryable)", async () => {
    const [configuration] = entraToken();
    entra.expect(configuration!, { method: "POST", path: `/${TENANT}/oauth2/v2.0/token`, answer: "hang" });
    const run = await runChild(["resolve"], {}, 500);
    expect(run.unexpected).toEqual([]);
    expect(run.answers).toHaveLength(1);
    expect(run.answers[0]).toMatchObject({ ok: false, error: { code: "registry_unavailable", retryable: true } });
    expect((run.answers[0] as { error: { message: string } }).error.message).toMatch(/^provider acr \(Azure DefaultAzureCredential\) /);
  });

  it("says credentials_missing when DefaultAzureCredential finds no identity", async () => {
    // AZURE_TOKEN_CREDENTIALS keeps the chain to the env credential: no managed identity probe of 169.254.169.254.
    const run = await runChild(["resolve"], { AZURE_CLIENT_SECRET: "", AZURE_CLIENT_ID: "", AZURE_TENANT_ID: "", AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential" });
    expect(run.unexpected).toEqual([]);
    expect(run.answers).toEqual([
      failed(
        "credentials_missing",
        `provider acr (Azure DefaultAzureCredential) found no credentials for registry ${acr.host}; ` +
          "give the app a managed or workload identity, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)",
      ),
    ]);
  });
});
