/**
 * How-to docs/howto/read-a-chunked-upload.md: receive an upload of any size, sent with
 * Content-Length or with `Transfer-Encoding: chunked` (no length known in advance), piece by piece
 * as it arrives, without holding it in memory. The answer says how many bytes came and their
 * SHA-256.
 *
 *   PUT or POST /upload   → 200 {"bytes":1048576,"sha256":"…","chunked":true}
 *                           413 when the body is over MAX_UPLOAD_BYTES (refused before it is sent
 *                           when the client announces its length and asks `Expect: 100-continue`)
 *
 *   npx ts-node samples/http_chunked_upload.ts [port]      (default 8000; 0 picks a free port)
 *   curl -s -T big.iso http://127.0.0.1:8000/upload                       (Content-Length)
 *   curl -s -T - http://127.0.0.1:8000/upload < big.iso                   (chunked: from a pipe)
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it.
 *
 * In sockserve `this.rfile` is this request's body only, already de-chunked, with end of file
 * where the body ends: the same loop reads both kinds. (Python's rfile hands a chunked body over
 * raw, chunk sizes and all, and the handler has to parse them.)
 */
import { createHash } from 'node:crypto';
// In your own project: import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer } from 'sockserve/http';
import { BaseHTTPRequestHandler, HTTPStatus, ThreadingHTTPServer } from '../lib/http/index';

/** The largest upload accepted, in bytes. */
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
/** The most bytes taken from rfile at a time. */
const READ_SIZE = 64 * 1024;

class UploadHandler extends BaseHTTPRequestHandler {
  // HTTP/1.1: chunked uploads and `Expect: 100-continue` are HTTP/1.1 features.
  override protocolVersion = 'HTTP/1.1';

  async do_PUT(): Promise<void> {
    if (this.path !== '/upload') {
      await this.sendError(HTTPStatus.NOT_FOUND, 'Upload to /upload');
      return;
    }
    if (this.announcedLength() > MAX_UPLOAD_BYTES) {
      await this.sendError(HTTPStatus.CONTENT_TOO_LARGE, 'Upload too large');
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      const piece = await this.rfile.read1(READ_SIZE); // what has arrived, up to READ_SIZE bytes
      if (piece.length === 0) break; // the end of the body
      bytes += piece.length;
      if (bytes > MAX_UPLOAD_BYTES) {
        await this.sendError(HTTPStatus.CONTENT_TOO_LARGE, 'Upload too large'); // closes the connection
        return;
      }
      hash.update(piece); // or write it to a file, awaiting 'drain' when write() returns false
    }
    const chunked = (this.headers.get('Transfer-Encoding') ?? '').toLowerCase() === 'chunked';
    const body = Buffer.from(JSON.stringify({ bytes, sha256: hash.digest('hex'), chunked }) + '\n', 'utf8');
    this.sendResponse(HTTPStatus.OK);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', body.length);
    await this.endHeaders();
    await this.wfile.write(body);
  }

  async do_POST(): Promise<void> {
    await this.do_PUT();
  }

  /**
   * `Expect: 100-continue`: the client waits for a go-ahead before it sends the body. Refuse an
   * announced length over the limit now, and the body is never sent.
   */
  protected override async handleExpect100(): Promise<boolean> {
    if (this.announcedLength() <= MAX_UPLOAD_BYTES) return super.handleExpect100();
    await this.sendError(HTTPStatus.CONTENT_TOO_LARGE, 'Upload too large');
    return false;
  }

  /** The Content-Length the client announced; 0 without one (a chunked body's length is unknown). */
  private announcedLength(): number {
    return Number(this.headers.get('Content-Length') ?? 0);
  }
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port number: ${text}`);
  return port;
}

async function main(): Promise<void> {
  await using server = new ThreadingHTTPServer(['127.0.0.1', parsePort(process.argv[2])], UploadHandler);
  await server.ready();
  const { serverName: host, serverPort: port } = server; // the real port, also when you asked for 0
  console.log(`Serving HTTP on ${host} port ${port} (http://${host}:${port}/upload) ...`);
  const stop = (): void => void server.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.serveForever(); // until shutdown(); leaving the block calls serverClose()
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
