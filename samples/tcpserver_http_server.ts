// samples/tcpserver_http_server.ts
/**
 * Tutorial step 4: the hand-made form server of samples/http_raw_form_server.ts, moved onto a
 * sockserve TCPServer. The server does the socket work (listen, accept, one client after another,
 * close); the handler reads the request with rfile.readline() and rfile.read(n) and writes the
 * answer with wfile.write(). The HTTP is still made by hand: respond() is the step 3 function.
 *
 *   npx ts-node samples/tcpserver_http_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/ and submit the form. Ctrl-C (SIGINT) or SIGTERM stops it.
 * In your own project, import from 'sockserve' instead of '../lib/index'.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  SHUT_WR,
  StreamRequestHandler,
  TCPServer,
  TimeoutError,
  formatAddress,
  type ByteReader,
  type InetAddress,
} from '../lib/index';

/** The longest request line or header line this server reads, in bytes. */
const MAX_LINE_BYTES = 8192;
/** The most header lines it reads. */
const MAX_HEADER_LINES = 100;
/** The largest form body it accepts. */
const MAX_BODY_BYTES = 65536;
const NEWLINE = 0x0a;

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

/** Split the lines of a request head into the request line's words and the header fields. */
function parseHead(lines: readonly string[]): Omit<RawRequest, 'body'> | null {
  const [requestLine = '', ...fieldLines] = lines;
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

/** Read one request from rfile: the lines up to the empty one that ends the head, then the body. */
async function readRequest(rfile: ByteReader): Promise<RawRequest | ReadFailure> {
  const lines: string[] = [];
  for (;;) {
    // readline() waits until a whole line has arrived, however many pieces it comes in.
    const line = await rfile.readline(MAX_LINE_BYTES);
    if (line.at(-1) !== NEWLINE) {
      // No line end: the client closed mid-request, or the line is longer than this server reads.
      return line.length < MAX_LINE_BYTES ? 'closed' : { status: '431 Request Header Fields Too Large' };
    }
    const text = line.toString('latin1').replace(/\r?\n$/, ''); // CRLF; a bare LF as typed into nc
    if (text === '') break;
    if (lines.length > MAX_HEADER_LINES) return { status: '431 Request Header Fields Too Large' };
    lines.push(text);
  }
  const head = parseHead(lines);
  if (head === null) return { status: '400 Bad Request' };
  const length = bodyLength(head);
  if (typeof length !== 'number') return length;
  // read(n) waits for n bytes; it returns fewer only if the client closes first.
  const body = await rfile.read(length);
  return body.length < length ? 'closed' : { ...head, body };
}

/** The response to one request: the same function as in samples/http_raw_form_server.ts. */
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

/** Serves one connection: reads one request, answers it; the server closes the connection after. */
class FormHandler extends StreamRequestHandler {
  /** Seconds a read may wait. TCPServer serves one client at a time: a silent one must not hold it. */
  override timeout = 10;

  protected override async handle(): Promise<void> {
    try {
      const request = await readRequest(this.rfile);
      if (request === 'closed') return;
      if ('status' in request) {
        await this.refuse(request.status);
        return;
      }
      console.log(`Connected by ${formatAddress(this.clientAddress)}  request: ${request.method} ${request.target}`);
      await this.wfile.write(respond(request));
    } catch (error) {
      // A client that stays silent for `timeout` seconds is dropped without an answer.
      if (!(error instanceof TimeoutError)) throw error;
    }
  }

  /**
   * Answer with an error status when the request was not read to its end. Closing a socket with
   * unread bytes resets the connection, and the client may lose the answer: so stop writing, and
   * read and drop what the client still sends until it closes (or `timeout` passes).
   */
  private async refuse(status: string): Promise<void> {
    await this.wfile.write(errorResponse(status));
    this.connection.shutdown(SHUT_WR);
    while ((await this.rfile.read1(MAX_BODY_BYTES)).length > 0) {
      // dropped
    }
  }
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  // As Python's TCPServer: one connection at a time; the next one waits until handle() returns.
  const server = new TCPServer(['127.0.0.1', parsePort(process.argv[2])], FormHandler);
  await server.ready();
  const [host, port] = server.serverAddress as InetAddress; // the real port, also when you asked for 0
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
