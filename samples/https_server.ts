/**
 * Tutorial chapter 8: the folder of chapter 5 (samples/static) served over HTTPS with
 * ThreadingHTTPSServer. Make a certificate and its key first (chapter 8 shows the openssl
 * command), then:
 *
 *   npx ts-node samples/https_server.ts [port] [certfile] [keyfile]
 *
 * (defaults: 8443, cert.pem, key.pem; port 0 picks a free port), and fetch
 * https://localhost:8443/ with `curl --cacert cert.pem`. A file that is missing or not PEM makes
 * it exit with the error before it serves. Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In Python 3.14:
 *
 *   from functools import partial
 *   from http.server import SimpleHTTPRequestHandler, ThreadingHTTPSServer
 *
 *   Handler = partial(SimpleHTTPRequestHandler, directory='samples/static')
 *   with ThreadingHTTPSServer(('127.0.0.1', 8443), Handler,
 *                             certfile='cert.pem', keyfile='key.pem') as httpd:
 *       httpd.serve_forever()
 */
import * as path from 'node:path';
// In your own project: import { SimpleHTTPRequestHandler, ThreadingHTTPSServer, partial } from 'sockserve/http';
import { SimpleHTTPRequestHandler, ThreadingHTTPSServer, partial } from '../lib/http/index';

const StaticHandler = partial(SimpleHTTPRequestHandler, { directory: path.join(__dirname, 'static') });

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const [portText, certfile = 'cert.pem', keyfile = 'key.pem'] = process.argv.slice(2);
  await using server = new ThreadingHTTPSServer(['127.0.0.1', parsePort(portText)], StaticHandler, {
    certfile,
    keyfile,
  });
  await server.ready(); // rejects if the certificate or the key cannot be loaded
  const { serverName: host, serverPort: port } = server;
  console.log(`Serving HTTPS on ${host} port ${port} (https://${host}:${port}/) ...`);
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.serveForever();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
