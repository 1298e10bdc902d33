/**
 * A private CA and a server certificate for 127.0.0.1 / localhost, made with the openssl CLI in
 * a temp dir the caller owns (never the project root), for TLS registry tests.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCa {
  /** The CA certificate (PEM): what NODE_EXTRA_CA_CERTS points at. */
  caPath: string;
  /** The server's certificate, signed by the CA, naming IP:127.0.0.1 and DNS:localhost. */
  certificatePath: string;
  keyPath: string;
}

export async function makeTestCa(dir: string): Promise<TestCa> {
  const path = (name: string): string => join(dir, name);
  const openssl = (args: string[]) => run("openssl", args, { env: { PATH: "/usr/bin:/bin" } });
  await openssl([
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "1",
    "-subj", "/CN=release-promoter test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", path("ca-key.pem"), "-out", path("ca.pem"),
  ]);
  await openssl([
    "req", "-newkey", "rsa:2048", "-nodes", "-sha256",
    "-subj", "/CN=127.0.0.1",
    "-keyout", path("server-key.pem"), "-out", path("server.csr"),
  ]);
  await writeFile(
    path("server-ext.cnf"),
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await openssl([
    "x509", "-req", "-sha256", "-days", "1",
    "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca-key.pem"), "-CAcreateserial",
    "-extfile", path("server-ext.cnf"), "-out", path("server.pem"),
  ]);
  return { caPath: path("ca.pem"), certificatePath: path("server.pem"), keyPath: path("server-key.pem") };
}
