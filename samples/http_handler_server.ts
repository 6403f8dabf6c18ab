/**
 * samples/http_raw_server.ts again, written the way Python's http.server is meant to be used: a
 * BaseHTTPRequestHandler subclass with a do_GET method, served by HTTPServer. The handler class
 * reads the request line and headers for you, and sendResponse / sendHeader / endHeaders write
 * a correct status line (with Server and Date headers) instead of a hand-made string.
 *
 *   npx ts-node samples/http_handler_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/. Each request is logged on stderr, as Python logs it.
 * Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In Python:
 *
 *   class TutorialHandler(BaseHTTPRequestHandler):
 *       def do_GET(self):
 *           if self.path == '/test.jpg': body, ctype = PICTURE, 'image/jpeg'
 *           else: body, ctype = PAGE, 'text/html; charset=utf-8'
 *           self.send_response(200)
 *           self.send_header('Content-Type', ctype)
 *           self.send_header('Content-Length', str(len(body)))
 *           self.end_headers()
 *           self.wfile.write(body)
 *
 *   HTTPServer(('127.0.0.1', 8000), TutorialHandler).serve_forever()
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
// In your own project: import { BaseHTTPRequestHandler, HTTPServer } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPServer } from '../lib/http/index';

const PAGE = Buffer.from(
  `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>WOW</title>
</head>
<body>
<p>Wow, sockserve Server</p>
<img src="test.jpg" alt="a test picture">
</body>
</html>
`,
  'utf8',
);
const PICTURE = readFileSync(path.join(__dirname, 'static', 'test.jpg'));

/** Answers /test.jpg with the picture and every other GET with the page; other methods get 501. */
class TutorialHandler extends BaseHTTPRequestHandler {
  async do_GET(): Promise<void> {
    const [body, contentType] =
      this.path === '/test.jpg' ? [PICTURE, 'image/jpeg'] : [PAGE, 'text/html; charset=utf-8'];
    this.sendResponse(200);
    this.sendHeader('Content-Type', contentType);
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
  // One connection at a time, as Python's HTTPServer; each response closes its connection (HTTP/1.0).
  const server = new HTTPServer(['127.0.0.1', parsePort(process.argv[2])], TutorialHandler);
  await server.ready();
  const { serverName: host, serverPort: port } = server; // the real port, also when you asked for 0
  console.log(`Serving HTTP on ${host} port ${port} (http://${host}:${port}/) ...`);
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await server.serveForever();
  } finally {
    await server.serverClose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
