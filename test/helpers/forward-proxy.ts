/**
 * A forward proxy for tests, as a corporate network has one: plain-http requests in absolute
 * form (`GET http://host:port/path`) are forwarded, `CONNECT host:port` is tunnelled. It records
 * what went through it; on 127.0.0.1, on a port chosen at run time.
 */
import { createServer, request } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";

export interface ForwardProxy {
  url: string;
  /** "GET http://127.0.0.1:5000/v2/…" or "CONNECT 127.0.0.1:443", in order. */
  seen: string[];
  stop(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const seen: string[] = [];
  const server = createServer((incoming, outgoing) => {
    seen.push(`${incoming.method} ${incoming.url}`);
    let target: URL;
    try {
      target = new URL(incoming.url ?? "");
    } catch {
      outgoing.writeHead(400).end("not a proxy request");
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port || 80, path: `${target.pathname}${target.search}`, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", () => outgoing.headersSent ? outgoing.destroy() : outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  server.on("connect", (incoming, socket, head) => {
    seen.push(`CONNECT ${incoming.url}`);
    const [host, port] = (incoming.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
