/**
 * The tutorial's httpd.py with a POST form, ported to a raw node:net server. GET shows a page
 * with the picture and a form with one field, `firstname`, that posts back to this server; POST
 * shows the same page with the submitted name under it. /test.jpg is the picture.
 *
 *   npx ts-node samples/http_raw_form_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/ and submit the form. Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * What this port fixes in the original (besides what samples/http_raw_server.ts fixes: HTTP/1.0
 * instead of "HTTP/1.x", CRLF line ends, image/jpeg, Content-Length, reading the whole head):
 * - The body is read by its Content-Length. One recv(1024) may end before the body arrives (or
 *   hold only part of it); the original then showed an empty or cut value.
 * - The form is decoded with URLSearchParams: `+` is a space and %XX escapes are decoded, so
 *   "Zhang San" or "张三" come out as typed. The original split on '=' and showed "Zhang+San".
 * - The value is HTML-escaped before it goes into the page. The original put it in as sent, so
 *   anyone could make the page run their script (cross-site scripting).
 * - Bodies over 64 KiB get 413, a body without Content-Length gets 411, and a body that is not
 *   application/x-www-form-urlencoded gets 415, instead of a crash or a guess.
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The longest request head (request line and headers) this server reads. */
const MAX_HEAD_BYTES = 65536;
/** The largest form body it accepts. */
const MAX_BODY_BYTES = 65536;
const HEAD_END = '\r\n\r\n';
/** Seconds a client may stay silent before its connection is dropped. */
const IDLE_SECONDS = 10;

/** The page, with the submitted name under the form once there is one. */
function page(submitted?: string): string {
  const result = submitted === undefined ? '' : `<p>${escapeHtml(submitted)}</p>\n`;
  return `<!DOCTYPE html>
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
`;
}

/** Make text safe to put between HTML tags or in a quoted attribute. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

/** A whole HTTP/1.0 response: status line, headers, blank line, body. */
function response(status: string, contentType: string, body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head =
    `HTTP/1.0 ${status}\r\n` +
    `Content-Type: ${contentType}\r\n` +
    `Content-Length: ${bytes.length}\r\n` +
    'Connection: close\r\n' +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

function errorResponse(status: string): Buffer {
  return response(status, 'text/plain; charset=utf-8', `${status}\n`);
}

const picture = readFileSync(path.join(__dirname, 'static', 'test.jpg'));

/** A request as this server reads it: the request line's parts, headers by lower-case name, body. */
interface RawRequest {
  method: string;
  target: string;
  headers: Map<string, string>;
  body: Buffer;
}

/** Why a request could not be read: the status line to answer with, or nothing if the client left. */
type ReadFailure = { status: string } | 'closed';

/** Split a request head into the request line's words and the header fields. */
function parseHead(head: string): Omit<RawRequest, 'body'> | null {
  const [requestLine = '', ...fieldLines] = head.split('\r\n');
  const [method, target, version, ...extra] = requestLine.split(' ');
  if (method === undefined || target === undefined || !version?.startsWith('HTTP/1.') || extra.length > 0) {
    return null;
  }
  const headers = new Map<string, string>();
  for (const line of fieldLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon).toLowerCase();
    if (headers.has(name)) return null; // a repeated field (two Content-Lengths…) is ambiguous
    headers.set(name, line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  return { method, target, headers };
}

/** How long the body is, or the status line that refuses it. */
function bodyLength(head: Omit<RawRequest, 'body'>): number | { status: string } {
  if (head.headers.has('transfer-encoding')) return { status: '411 Length Required' };
  const text = head.headers.get('content-length');
  if (text === undefined) return head.method === 'POST' ? { status: '411 Length Required' } : 0;
  if (!/^\d{1,9}$/.test(text)) return { status: '400 Bad Request' };
  const length = Number(text);
  return length > MAX_BODY_BYTES ? { status: '413 Content Too Large' } : length;
}

/** Read one request: the head up to its blank line, then Content-Length bytes of body. */
function readRequest(socket: net.Socket): Promise<RawRequest | ReadFailure> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let head: Omit<RawRequest, 'body'> | null = null;
    let bodyStart = 0;
    let length = 0;
    const finish = (result: RawRequest | ReadFailure): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(result); // later bytes are still read, and dropped
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (head === null) {
        const end = received.indexOf(HEAD_END);
        if (end === -1 || end > MAX_HEAD_BYTES) {
          if (received.length > MAX_HEAD_BYTES) finish({ status: '431 Request Header Fields Too Large' });
          return;
        }
        head = parseHead(received.subarray(0, end).toString('latin1'));
        if (head === null) return finish({ status: '400 Bad Request' });
        const framing = bodyLength(head);
        if (typeof framing !== 'number') return finish(framing);
        bodyStart = end + HEAD_END.length;
        length = framing;
      }
      if (received.length - bodyStart >= length) {
        finish({ ...head, body: received.subarray(bodyStart, bodyStart + length) });
      }
    };
    const onClose = (): void => resolve('closed');
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** The response to one request. */
function respond(request: RawRequest): Buffer {
  if (request.method === 'GET') {
    if (request.target === '/test.jpg') return response('200 OK', 'image/jpeg', picture);
    return response('200 OK', 'text/html; charset=utf-8', page());
  }
  if (request.method === 'POST') {
    const type = (request.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return errorResponse('415 Unsupported Media Type');
    const form = new URLSearchParams(request.body.toString('utf8'));
    return response('200 OK', 'text/html; charset=utf-8', page(form.get('firstname') ?? ''));
  }
  return errorResponse('501 Not Implemented');
}

async function answer(socket: net.Socket): Promise<void> {
  const request = await readRequest(socket);
  if (request === 'closed') return;
  if ('status' in request) {
    socket.end(errorResponse(request.status));
    return;
  }
  console.log(
    `Connected by ${socket.remoteAddress}:${socket.remotePort}  request: ${request.method} ${request.target}`,
  );
  socket.end(respond(request));
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const port = parsePort(process.argv[2]);
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy()); // a client that resets must not stop the server
    socket.setTimeout(IDLE_SECONDS * 1000, () => socket.destroy()); // nor one that sends nothing
    void answer(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { address, port: realPort } = server.address() as net.AddressInfo;
  console.log(`Serving HTTP on ${address} port ${realPort} (http://${address}:${realPort}/) ...`);
  const stop = (): void => {
    server.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
