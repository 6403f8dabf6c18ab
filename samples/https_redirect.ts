/**
 * How-to docs/howto/serve-over-https.md: an HTTPS server with a handler of its own, and a plain
 * HTTP server next to it that sends every request over to HTTPS (308, which keeps the method and
 * the body). HTTPS responses carry Strict-Transport-Security, so a browser that trusts the
 * certificate goes straight to HTTPS next time.
 *
 *   npx ts-node samples/https_redirect.ts [httpsPort] [httpPort] [certfile] [keyfile]
 *
 * (defaults: 8443, 8080, cert.pem, key.pem; port 0 picks a free port). To try it with the test
 * certificate of the specs (never use it for anything else):
 *
 *   npx ts-node samples/https_redirect.ts 8443 8080 spec/fixtures/tls/cert.pem spec/fixtures/tls/key.pem
 *   curl --cacert spec/fixtures/tls/cert.pem https://localhost:8443/
 *   curl -si http://localhost:8080/anything     → 308, Location: https://127.0.0.1:8443/anything
 *
 * A certificate or key that is missing or not PEM makes it exit with the error before it serves.
 * Ctrl-C (SIGINT) or SIGTERM stops both servers.
 */
import type { TLSSocket } from 'node:tls';
// In your own project: import { … } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer, ThreadingHTTPSServer } from '../lib/http/index';

/** Seconds a browser remembers to use HTTPS for this host (a year). */
const HSTS_MAX_AGE = 31_536_000;

class HelloHandler extends BaseHTTPRequestHandler {
  async do_GET(): Promise<void> {
    const socket = this.connection.socket as TLSSocket; // HTTPSServer wraps each connection in TLS
    const body = Buffer.from(`Hello over ${socket.getProtocol() ?? 'TLS'}\n`, 'utf8');
    this.sendResponse(HTTPStatus.OK);
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', body.length);
    this.sendHeader('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE}`);
    await this.endHeaders();
    await this.wfile.write(body);
  }
}

/** The plain HTTP server: it knows where the HTTPS one is. */
class RedirectServer extends ThreadingHTTPServer {
  /** `https://host:port` of the HTTPS server, without a trailing slash. */
  httpsOrigin = '';
}

/** Answers every request with a redirect to the same path on the HTTPS server. */
class RedirectHandler extends BaseHTTPRequestHandler {
  declare server: RedirectServer;

  async do_GET(): Promise<void> {
    // The HTTPS server's own address, not the request's Host header: a client cannot pick the target.
    this.sendResponse(HTTPStatus.PERMANENT_REDIRECT);
    this.sendHeader('Location', `${this.server.httpsOrigin}${this.path}`);
    this.sendHeader('Content-Length', 0);
    await this.endHeaders();
  }

  async do_HEAD(): Promise<void> {
    await this.do_GET();
  }

  async do_POST(): Promise<void> {
    await this.do_GET();
  }
}

function parsePort(text: string | undefined, fallback: number): number {
  const port = Number(text ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const [httpsPort, httpPort, certfile = 'cert.pem', keyfile = 'key.pem'] = process.argv.slice(2);
  await using httpsServer = new ThreadingHTTPSServer(['127.0.0.1', parsePort(httpsPort, 8443)], HelloHandler, {
    certfile,
    keyfile,
  });
  await httpsServer.ready(); // rejects if the certificate or the key cannot be loaded
  await using httpServer = new RedirectServer(['127.0.0.1', parsePort(httpPort, 8080)], RedirectHandler);
  await httpServer.ready();
  httpServer.httpsOrigin = `https://${httpsServer.serverName}:${httpsServer.serverPort}`;
  console.log(
    `Serving HTTPS on ${httpsServer.serverName} port ${httpsServer.serverPort} (${httpServer.httpsOrigin}/) ...`,
  );
  const { serverName: host, serverPort: port } = httpServer;
  console.log(`Redirecting HTTP on ${host} port ${port} (http://${host}:${port}/) to HTTPS ...`);
  const stop = (): void => {
    void httpsServer.shutdown();
    void httpServer.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all([httpsServer.serveForever(), httpServer.serveForever()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
