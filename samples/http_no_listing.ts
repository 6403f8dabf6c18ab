/**
 * How-to docs/howto/hide-directory-listings.md: serve a folder with SimpleHTTPRequestHandler but
 * never list a directory. A directory with an index.html still serves it; one without answers
 * 404, exactly as a missing file does, so nobody can tell the directory exists. Dotfiles (.env,
 * .git) are hidden too (`serveDotfiles = false`).
 *
 *   npx ts-node samples/http_no_listing.ts [port] [directory]   (default 8000 and samples/static; 0 picks a free port)
 *   curl -si http://127.0.0.1:8000/files/            → 404
 *   curl -si http://127.0.0.1:8000/files/hello.txt   → 200
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In Python:
 *
 *   class NoListingHandler(SimpleHTTPRequestHandler):
 *       def list_directory(self, path):
 *           self.send_error(HTTPStatus.NOT_FOUND, 'File not found')
 *           return None
 */
import * as path from 'node:path';
// In your own project: import { … } from 'sockserve/http';
import {
  HTTPStatus,
  SimpleHTTPRequestHandler,
  ThreadingHTTPServer,
  partial,
  type ResponseBody,
} from '../lib/http/index';

class NoListingHandler extends SimpleHTTPRequestHandler {
  override serveDotfiles = false;

  /** Called for a directory without an index page: answer as for a missing file. */
  override async listDirectory(_dirPath: string): Promise<ResponseBody | null> {
    await this.sendError(HTTPStatus.NOT_FOUND, 'File not found');
    return null; // nothing more to send
  }
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const [portText, directory = path.join(__dirname, 'static')] = process.argv.slice(2);
  await using server = new ThreadingHTTPServer(
    ['127.0.0.1', parsePort(portText)],
    partial(NoListingHandler, { directory }),
  );
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
