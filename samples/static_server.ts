/**
 * Tutorial chapter 5: serve the folder samples/static with SimpleHTTPRequestHandler. The handler
 * maps each request path to a file below the folder: `/` serves index.html, `/test.jpg` the
 * picture, `/files/` a listing (that folder has no index.html), and a missing file a 404 page.
 * It is what `npx sockserve -d samples/static` runs, written out.
 *
 *   npx ts-node samples/static_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/. Each request is logged on stderr. Ctrl-C (SIGINT) or SIGTERM
 * stops it.
 *
 * In Python:
 *
 *   from functools import partial
 *   from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
 *
 *   Handler = partial(SimpleHTTPRequestHandler, directory='samples/static')
 *   with ThreadingHTTPServer(('127.0.0.1', 8000), Handler) as httpd:
 *       httpd.serve_forever()
 */
import * as path from 'node:path';
// In your own project: import { SimpleHTTPRequestHandler, ThreadingHTTPServer, partial } from 'sockserve/http';
import { SimpleHTTPRequestHandler, ThreadingHTTPServer, partial } from '../lib/http/index';

/** Python's `partial(SimpleHTTPRequestHandler, directory=...)`: the handler class, with its folder set. */
const StaticHandler = partial(SimpleHTTPRequestHandler, { directory: path.join(__dirname, 'static') });

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  // A browser opens several connections at once: the Threading server serves them side by side.
  await using server = new ThreadingHTTPServer(['127.0.0.1', parsePort(process.argv[2])], StaticHandler);
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
