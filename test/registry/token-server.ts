/**
 * A small Docker token server (the "realm" of `auth.token`) for the real-registry tests.
 *
 * It owns a self-signed certificate made with openssl in a temp dir (the registry's
 * `rootcertbundle`) and issues RS256 JWTs whose header carries the certificate in `x5c`, with the
 * claims distribution 2.8 checks: iss, sub, aud, exp, nbf, iat, jti and `access`.
 * Basic credentials are checked against `users`; wrong ones get 401. Anonymous requests get a
 * token that grants nothing, as Docker Hub and ghcr.io do for private repositories, so the
 * registry then refuses with `insufficient_scope`.
 */
import { execFile } from "node:child_process";
import { createPrivateKey, randomUUID, sign, timingSafeEqual, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

export interface TokenServerUser {
  password: string;
  /** Actions granted on every requested repository, e.g. ["pull"]. */
  actions: string[];
}

export interface TokenRequestRecord {
  credential: "anonymous" | string;
  service: string | null;
  scopes: string[];
  status: number;
}

export interface TokenServer {
  /** The realm to configure in the registry: http://127.0.0.1:<port>/token */
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate to configure as the registry's rootcertbundle. */
  certPath: string;
  /** What was asked, by whom (user name, never the password), and what we answered. */
  requests: TokenRequestRecord[];
  stop(): Promise<void>;
}

const run = promisify(execFile);

export async function startTokenServer(options: {
  /** Temp dir for the key and certificate (never the project root). */
  dir: string;
  service: string;
  issuer: string;
  users: Record<string, TokenServerUser>;
}): Promise<TokenServer> {
  const keyPath = join(options.dir, "token-signing-key.pem");
  const certPath = join(options.dir, "token-signing-cert.pem");
  await run("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "1",
    "-subj", "/CN=release-promoter test token issuer",
    "-keyout", keyPath, "-out", certPath,
  ]);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = pemToDer(await readFile(certPath, "utf8"));
  const requests: TokenRequestRecord[] = [];

  const server = createServer((request, response) => {
    const record = handle(request, response, { ...options, key, certDer });
    requests.push(record);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: options.service,
    issuer: options.issuer,
    certPath,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: { service: string; issuer: string; users: Record<string, TokenServerUser>; key: KeyObject; certDer: Buffer },
): TokenRequestRecord {
  const url = new URL(request.url ?? "/", "http://token.invalid");
  const service = url.searchParams.get("service");
  const scopes = url.searchParams.getAll("scope");
  const reply = (status: number, body: unknown, credential: string): TokenRequestRecord => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
    return { credential, service, scopes, status };
  };

  if (request.method !== "GET" || url.pathname !== "/token") return reply(404, { error: "not found" }, "anonymous");
  if (service !== options.service) return reply(400, { error: `unknown service ${service}` }, "anonymous");

  let subject = "";
  let granted: string[] = [];
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization);
    const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    const username = colon === -1 ? "" : decoded.slice(0, colon);
    const password = colon === -1 ? "" : decoded.slice(colon + 1);
    const user = options.users[username];
    if (user === undefined || !sameSecret(password, user.password)) {
      return reply(401, { errors: [{ code: "UNAUTHORIZED", message: "invalid username or password" }] }, username || "invalid");
    }
    subject = username;
    granted = user.actions;
  }

  const access = scopes.flatMap((scope) => {
    const match = /^repository:([^:]+):([a-z*,]+)$/.exec(scope);
    if (!match) return [];
    const actions = match[2]!.split(",").filter((action) => granted.includes(action));
    return [{ type: "repository", name: match[1]!, actions }];
  });
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt(
    { alg: "RS256", typ: "JWT", x5c: [options.certDer.toString("base64")] },
    {
      iss: options.issuer,
      sub: subject,
      aud: options.service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    },
    options.key,
  );
  return reply(200, { token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }, subject || "anonymous");
}

function signJwt(header: object, claims: object, key: KeyObject): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = sign("sha256", Buffer.from(signingInput), key).toString("base64url");
  return `${signingInput}.${signature}`;
}

function pemToDer(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (body === undefined) throw new Error("openssl wrote no certificate");
  return Buffer.from(body.replace(/\s+/g, ""), "base64");
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
