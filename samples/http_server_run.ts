/**
 * The Python docs' first http.server example, the `run()` function, ported: it makes a server of
 * the given class with the given handler class and serves for ever. With BaseHTTPRequestHandler
 * itself, which defines no do_GET, every request is answered `501 Unsupported method`: subclass
 * it (samples/http_handler_server.ts) to answer something.
 *
 *   npx ts-node samples/http_server_run.ts [port] [bind address]   (default 8000 and every interface; 0 picks a free port)
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In Python:
 *
 *   def run(server_class=HTTPServer, handler_class=BaseHTTPRequestHandler):
 *       server_address = ('', 8000)
 *       httpd = server_class(server_address, handler_class)
 *       httpd.serve_forever()
 */
import type { InetAddress } from '../lib/index';
// In your own project: import { BaseHTTPRequestHandler, HTTPServer } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPServer } from '../lib/http/index';

async function run(
  ServerClass = HTTPServer,
  HandlerClass = BaseHTTPRequestHandler,
  serverAddress: InetAddress = ['', 8000],
): Promise<void> {
  const httpd = new ServerClass(serverAddress, HandlerClass);
  await httpd.ready();
  console.log(`Serving HTTP on ${httpd.serverName} port ${httpd.serverPort} ...`);
  const stop = (): void => void httpd.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await httpd.serveForever();
  } finally {
    await httpd.serverClose();
  }
}

run(HTTPServer, BaseHTTPRequestHandler, [process.argv[3] ?? '', Number(process.argv[2] ?? 8000)]).catch(
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
