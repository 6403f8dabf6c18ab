/**
 * How-to docs/howto/cors-and-caching-headers.md: serve a folder with SimpleHTTPRequestHandler and
 * add CORS and caching headers to every response by extending endHeaders(), the way Python users
 * override end_headers(). OPTIONS (a browser's CORS preflight) is answered with 204.
 *
 *   npx ts-node samples/http_cors_headers.ts [port] [directory]   (default 8000 and samples/static; 0 picks a free port)
 *   curl -si http://127.0.0.1:8000/test.jpg
 *
 * Pages (.html, and directories, which serve index.html or a listing) get `Cache-Control: no-cache`
 * (a browser checks for a new version each time, with the ETag); everything else may be kept for
 * an hour. Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In Python:
 *
 *   class CORSRequestHandler(SimpleHTTPRequestHandler):
 *       def end_headers(self):
 *           self.send_header('Access-Control-Allow-Origin', '*')
 *           self.send_header('Cache-Control', 'max-age=3600')
 *           super().end_headers()
 */
import * as path from 'node:path';
// In your own project: import { SimpleHTTPRequestHandler, ThreadingHTTPServer, partial } from 'sockserve/http';
import { HTTPStatus, SimpleHTTPRequestHandler, ThreadingHTTPServer, partial } from '../lib/http/index';

/** Seconds a browser may keep a file that is not a page. */
const FILE_MAX_AGE = 3600;

class CorsCachingHandler extends SimpleHTTPRequestHandler {
  /** Add the headers to every response (files, listings, redirects, errors), then end them. */
  override endHeaders(): Promise<void> {
    this.sendHeader('Access-Control-Allow-Origin', '*');
    this.sendHeader('Cache-Control', isPage(this.path) ? 'no-cache' : `max-age=${FILE_MAX_AGE}`);
    return super.endHeaders();
  }

  /** A browser's preflight before a cross-origin request it may not send without asking. */
  async do_OPTIONS(): Promise<void> {
    this.sendResponse(HTTPStatus.NO_CONTENT);
    this.sendHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    this.sendHeader('Access-Control-Allow-Headers', 'Range, If-None-Match, If-Modified-Since');
    this.sendHeader('Access-Control-Max-Age', 86400);
    await this.endHeaders();
  }
}

/** True for a request path that names a page: `.html`, `.htm` or a directory. */
function isPage(requestPath: string): boolean {
  const pathname = requestPath.split('?', 1)[0] ?? '';
  return pathname.endsWith('/') || /\.html?$/i.test(pathname);
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const [portText, directory = path.join(__dirname, 'static')] = process.argv.slice(2);
  const Handler = partial(CorsCachingHandler, { directory });
  await using server = new ThreadingHTTPServer(['127.0.0.1', parsePort(portText)], Handler);
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
