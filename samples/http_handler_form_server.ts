/**
 * samples/http_raw_form_server.ts again, as a BaseHTTPRequestHandler subclass on
 * ThreadingHTTPServer: do_GET shows the page with its picture and a form with a `firstname`
 * field; do_POST reads the form the way ported Python code does,
 * `rfile.read(int(self.headers['Content-Length']))`, and shows the name, HTML-escaped.
 *
 *   npx ts-node samples/http_handler_form_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/ and submit the form. Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In sockserve `this.rfile` holds this request's body only: it ends where the body ends, and a
 * chunked upload (no Content-Length) arrives already de-chunked. So reading too much cannot eat
 * the next request, and reading with no length reads the whole body.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
// In your own project: import { BaseHTTPRequestHandler, ThreadingHTTPServer } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer } from '../lib/http/index';

/** The largest form body accepted. */
const MAX_FORM_BYTES = 65536;
const PICTURE = readFileSync(path.join(__dirname, 'static', 'test.jpg'));

/** Make text safe to put between HTML tags or in a quoted attribute. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

/** The page, with the submitted name under the form once there is one. */
function page(submitted?: string): Buffer {
  const result = submitted === undefined ? '' : `<p>${escapeHtml(submitted)}</p>\n`;
  return Buffer.from(
    `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>WOW</title>
</head>
<body>
<p>Wow, sockserve Server</p>
<img src="test.jpg" alt="a test picture">
<form name="input" action="/" method="post">
First name: <input type="text" name="firstname"><br>
<input type="submit" value="Submit">
</form>
${result}</body>
</html>
`,
    'utf8',
  );
}

/** GET: the page or the picture. POST: the page with the submitted first name. */
class FormHandler extends BaseHTTPRequestHandler {
  async do_GET(): Promise<void> {
    if (this.path === '/test.jpg') await this.sendBody(PICTURE, 'image/jpeg');
    else await this.sendBody(page(), 'text/html; charset=utf-8');
  }

  async do_POST(): Promise<void> {
    if (this.headers.getContentType() !== 'application/x-www-form-urlencoded') {
      const explain = 'Send the form as application/x-www-form-urlencoded';
      await this.sendError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, undefined, explain);
      return;
    }
    // Python: self.rfile.read(int(self.headers['Content-Length'])). The server has already checked
    // the header (digits only, never two of them); with none (a chunked upload) rfile still ends
    // where the body ends. Reading one byte past the limit tells an oversized form apart.
    const length = Number(this.headers.get('Content-Length') ?? Infinity);
    const body = await this.rfile.read(Math.min(length, MAX_FORM_BYTES + 1));
    if (body.length > MAX_FORM_BYTES) {
      await this.sendError(HTTPStatus.CONTENT_TOO_LARGE);
      return;
    }
    const form = new URLSearchParams(body.toString('utf8'));
    await this.sendBody(page(form.get('firstname') ?? ''), 'text/html; charset=utf-8');
  }

  /** Send a 200 response with `body`. */
  private async sendBody(body: Buffer, contentType: string): Promise<void> {
    this.sendResponse(HTTPStatus.OK);
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
  // A browser opens several connections at once (page, picture, form): serve them concurrently.
  const server = new ThreadingHTTPServer(['127.0.0.1', parsePort(process.argv[2])], FormHandler);
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
