/**
 * Tutorial chapter 8: the folder samples/static served behind a reverse proxy, with the nginx
 * configuration in samples/nginx/sockserve.conf. nginx opens the connections to sockserve, so
 * `clientAddress` is always nginx's address (127.0.0.1) and every log line would name it. nginx
 * passes the client's address in the X-Forwarded-For header; this handler logs that address
 * instead, but only for requests that come from the proxy, because any client can send the header.
 *
 *   npx ts-node samples/proxied_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * It listens on 127.0.0.1 only: clients reach it through nginx, never directly. It speaks
 * HTTP/1.1, so nginx can keep its connections to sockserve open (`keepalive` in the upstream).
 * Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In Python:
 *
 *   class ProxiedHandler(SimpleHTTPRequestHandler):
 *       protocol_version = 'HTTP/1.1'
 *       def address_string(self):
 *           peer = self.client_address[0]
 *           if peer not in TRUSTED_PROXIES:
 *               return peer
 *           forwarded = ','.join(self.headers.get_all('X-Forwarded-For', []))
 *           return forwarded.split(',')[-1].strip() or peer
 */
import * as path from 'node:path';
// In your own project: import { SimpleHTTPRequestHandler, ThreadingHTTPServer, partial } from 'sockserve/http';
import { SimpleHTTPRequestHandler, ThreadingHTTPServer, partial } from '../lib/http/index';

/** Peers whose X-Forwarded-For header is believed: the proxy's addresses. */
const TRUSTED_PROXIES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** SimpleHTTPRequestHandler that logs the address the proxy saw, not the proxy's own. */
class ProxiedHandler extends SimpleHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';

  /**
   * The client's address for the log. nginx appends the address it saw to X-Forwarded-For, after
   * whatever the client sent in that header itself, so only the last entry can be trusted.
   */
  override addressString(): string {
    const peer = super.addressString();
    if (!TRUSTED_PROXIES.has(peer)) return peer;
    const forwarded = this.headers.getAll('X-Forwarded-For') ?? [];
    const hops = forwarded.join(',').split(',');
    return hops[hops.length - 1]?.trim() || peer;
  }
}

const Handler = partial(ProxiedHandler, { directory: path.join(__dirname, 'static') });

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  await using server = new ThreadingHTTPServer(['127.0.0.1', parsePort(process.argv[2])], Handler);
  await server.ready();
  const { serverName: host, serverPort: port } = server;
  console.log(`Serving HTTP on ${host} port ${port} (http://${host}:${port}/) ...`);
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.serveForever();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
