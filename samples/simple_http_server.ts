/**
 * The Python docs' SimpleHTTPRequestHandler example (http.server, "a very basic webserver serving
 * files relative to the current directory"), ported line by line: a socketserver TCPServer with
 * SimpleHTTPRequestHandler as its handler class.
 *
 *   npx ts-node samples/simple_http_server.ts [port] [bind address]   (default 8000 and every interface; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/ to browse the current directory. Ctrl-C (SIGINT) or SIGTERM
 * stops it. One request at a time, as TCPServer serves them; ThreadingHTTPServer (and
 * `npx sockserve`) serve a browser's parallel connections better.
 *
 * In Python:
 *
 *   import http.server
 *   import socketserver
 *
 *   PORT = 8000
 *
 *   Handler = http.server.SimpleHTTPRequestHandler
 *
 *   with socketserver.TCPServer(("", PORT), Handler) as httpd:
 *       print("serving at port", PORT)
 *       httpd.serve_forever()
 */
// In your own project: import { TCPServer } from 'sockserve'; import { SimpleHTTPRequestHandler } from 'sockserve/http';
import { TCPServer, type InetAddress } from '../lib/index';
import { SimpleHTTPRequestHandler } from '../lib/http/index';

const PORT = Number(process.argv[2] ?? 8000);
const HOST = process.argv[3] ?? '';

const Handler = SimpleHTTPRequestHandler;

async function main(): Promise<void> {
  await using httpd = new TCPServer([HOST, PORT], Handler);
  await httpd.ready();
  const [, port] = httpd.serverAddress as InetAddress; // the real port, also when you asked for 0
  console.log('serving at port', port);
  process.once('SIGINT', () => void httpd.shutdown());
  process.once('SIGTERM', () => void httpd.shutdown());
  await httpd.serveForever();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
