/**
 * The tutorial's httpd.py, ported to a raw node:net server: it answers every GET with an HTML
 * page, except /test.jpg, which gets the picture the page shows. No HTTP library: the response
 * bytes are put together by hand, which is the point of this step.
 *
 *   npx ts-node samples/http_raw_server.ts [port]      (default 8000; 0 picks a free port)
 *
 * then open http://127.0.0.1:8000/ in a browser. Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * What this port fixes in the original:
 * - "HTTP/1.x" is not an HTTP version; a status line says HTTP/1.0 (or HTTP/1.1).
 * - Header lines end in CRLF ("\r\n"), not a bare "\n", and the picture's response does not
 *   start with a stray empty line (which made its status line unreadable).
 * - A JPEG's media type is image/jpeg (image/jpg does not exist), and each response says how
 *   long its body is (Content-Length).
 * - One recv(1024) may hold only part of a request; this reads until the blank line that ends
 *   the request head, and refuses heads over 64 KiB.
 * - Methods other than GET get 501 instead of a silently closed connection, and a client that
 *   sends nothing for 10 seconds is dropped instead of holding its connection for ever.
 * - test.jpg is read from samples/static/, next to this file, not from wherever you start it.
 * It binds 127.0.0.1 (this machine only); the original bound '' (every interface).
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The longest request head (request line and headers) this server reads. */
const MAX_HEAD_BYTES = 65536;
const HEAD_END = '\r\n\r\n';
/** Seconds a client may stay silent before its connection is dropped. */
const IDLE_SECONDS = 10;

const PAGE = `<!DOCTYPE html>
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
`;

/** A whole HTTP/1.0 response: status line, headers, blank line, body. */
function response(status: string, contentType: string, body: Buffer): Buffer {
  const head =
    `HTTP/1.0 ${status}\r\n` +
    `Content-Type: ${contentType}\r\n` +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n' +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

// Built once, as the original does, and sent to every client.
const pageResponse = response('200 OK', 'text/html; charset=utf-8', Buffer.from(PAGE, 'utf8'));
const pictureResponse = response('200 OK', 'image/jpeg', readFileSync(path.join(__dirname, 'static', 'test.jpg')));
const notImplemented = response('501 Not Implemented', 'text/plain; charset=utf-8', Buffer.from('GET only\n'));
const tooLarge = response(
  '431 Request Header Fields Too Large',
  'text/plain; charset=utf-8',
  Buffer.from('Too large\n'),
);

/**
 * Collect bytes until the blank line that ends the request head. Resolves with the head, or
 * 'too-large' past MAX_HEAD_BYTES, or 'closed' if the client stops first. Bytes after the head
 * (a body this server does not want) are read and dropped, so closing never resets the connection.
 */
function readHead(socket: net.Socket): Promise<Buffer | 'too-large' | 'closed'> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(HEAD_END);
      if (end === -1 && received.length <= MAX_HEAD_BYTES) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(end !== -1 && end <= MAX_HEAD_BYTES ? received.subarray(0, end) : 'too-large');
    };
    const onClose = (): void => resolve('closed');
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

async function answer(socket: net.Socket): Promise<void> {
  const head = await readHead(socket);
  if (head === 'closed') return;
  if (head === 'too-large') {
    socket.end(tooLarge);
    return;
  }
  const requestLine = head.toString('latin1').split('\r\n', 1)[0] ?? '';
  console.log(`Connected by ${socket.remoteAddress}:${socket.remotePort}  request: ${JSON.stringify(requestLine)}`);
  const [method, target] = requestLine.split(' ');
  if (method !== 'GET') socket.end(notImplemented);
  else if (target === '/test.jpg') socket.end(pictureResponse);
  else socket.end(pageResponse);
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const port = parsePort(process.argv[2]);
  // Node serves each connection as it comes (the original served one at a time).
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
