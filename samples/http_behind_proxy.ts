/**
 * How-to docs/howto/run-behind-nginx.md: an HTTP server meant to sit behind nginx (or another
 * reverse proxy) on the same machine. It listens on 127.0.0.1 only, speaks HTTP/1.1 so nginx can
 * keep its upstream connections open, and takes the client's address from the `X-Real-IP` header,
 * but only when the request comes from the proxy itself, so nobody can claim another address by
 * sending the header directly. That address is what the access log shows.
 *
 *   GET /anything   → 200 {"client":"203.0.113.7","host":"example.com","scheme":"https","path":"/anything"}
 *
 *   npx ts-node samples/http_behind_proxy.ts [port]      (default 8000; 0 picks a free port)
 *
 * then point nginx's `proxy_pass` at it (the how-to has the configuration). Ctrl-C (SIGINT) or
 * SIGTERM stops it.
 */
import * as net from 'node:net';
// In your own project: import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer } from '../lib/http/index';

/** Peers whose X-Real-IP and X-Forwarded-Proto headers are believed: a proxy on this machine. */
const TRUSTED_PROXIES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

class BehindProxyHandler extends BaseHTTPRequestHandler {
  // nginx reuses upstream connections (`keepalive` in its upstream block) only with HTTP/1.1.
  override protocolVersion = 'HTTP/1.1';
  /** The client's address as the proxy saw it, for the current request; null if not proxied. */
  #forwardedFor: string | null = null;

  /** True when the peer is the proxy, so its forwarding headers are believed. */
  private fromProxy(): boolean {
    return TRUSTED_PROXIES.has(super.addressString());
  }

  protected override async parseRequest(): Promise<boolean> {
    this.#forwardedFor = null; // errors logged while parsing show the peer
    if (!(await super.parseRequest())) return false;
    const realIp = this.headers.get('X-Real-IP');
    if (realIp !== undefined && net.isIP(realIp) !== 0 && this.fromProxy()) this.#forwardedFor = realIp;
    return true;
  }

  /** The client for the log: the proxy's X-Real-IP, or the peer's own address. */
  override addressString(): string {
    return this.#forwardedFor ?? super.addressString();
  }

  async do_GET(): Promise<void> {
    const proto = this.headers.get('X-Forwarded-Proto');
    const seen = {
      client: this.addressString(),
      host: this.headers.get('Host') ?? null,
      scheme: proto !== undefined && this.fromProxy() ? proto : 'http',
      path: this.path,
    };
    const body = Buffer.from(JSON.stringify(seen) + '\n', 'utf8');
    this.sendResponse(HTTPStatus.OK);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', body.length);
    await this.endHeaders();
    await this.wfile.write(body);
  }
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  // 127.0.0.1 only: the proxy is the only client that should reach this port.
  await using server = new ThreadingHTTPServer(['127.0.0.1', parsePort(process.argv[2])], BehindProxyHandler);
  await server.ready();
  const { serverName: host, serverPort: port } = server; // the real port, also when you asked for 0
  console.log(`Serving HTTP on ${host} port ${port} (http://${host}:${port}/) ...`);
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.serveForever(); // until shutdown(); leaving the block calls serverClose()
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
