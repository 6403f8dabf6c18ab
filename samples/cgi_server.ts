/**
 * Tutorial chapter 6: the folder samples/cgi served with CGIHTTPRequestHandler. Files are served
 * as in chapter 5; a request for a file below /cgi-bin/ runs it as a CGI script instead, and the
 * script's output becomes the response. The page at / has the tutorial's form, posting the
 * `firstname` field to cgi-bin/post.py (and the same script in Node.js and in sh, and a
 * Post/Redirect/Get example). It is what `npx sockserve --cgi -d samples/cgi` runs, written out.
 *
 *   npx ts-node samples/cgi_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/, type a name and submit. Each request is logged on stderr.
 * Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In Python (3.14 at the latest: CGIHTTPRequestHandler is removed in 3.15):
 *
 *   from functools import partial
 *   from http.server import CGIHTTPRequestHandler, ThreadingHTTPServer
 *
 *   Handler = partial(CGIHTTPRequestHandler, directory='samples/cgi')
 *   with ThreadingHTTPServer(('127.0.0.1', 8000), Handler) as httpd:
 *       httpd.serve_forever()
 */
import * as path from 'node:path';
// In your own project: import { CGIHTTPRequestHandler, ThreadingHTTPServer, partial } from 'sockserve/http';
import { CGIHTTPRequestHandler, ThreadingHTTPServer, partial } from '../lib/http/index';

/** Python's `partial(CGIHTTPRequestHandler, directory=...)`; scripts are the files below /cgi-bin. */
const CGIHandler = partial(CGIHTTPRequestHandler, { directory: path.join(__dirname, 'cgi') });

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  await using server = new ThreadingHTTPServer(['127.0.0.1', parsePort(process.argv[2])], CGIHandler);
  await server.ready();
  const { serverName: host, serverPort: port } = server;
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
