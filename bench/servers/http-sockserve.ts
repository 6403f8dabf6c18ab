/**
 * Hello world on sockserve's ThreadingHTTPServer: a BaseHTTPRequestHandler whose do_GET sends
 * 200, two headers and a 14-byte body, with protocolVersion 'HTTP/1.1' (keep-alive) and the
 * access log off (as in the other rows). Prints "LISTENING <port>"; exits on SIGTERM.
 */
import { BaseHTTPRequestHandler, ThreadingHTTPServer } from '../../lib/http/index';

const BODY = Buffer.from('Hello, world!\n');

class HelloHandler extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';

  override logMessage(): void {}

  async do_GET(): Promise<void> {
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', BODY.length);
    this.endHeaders();
    await this.wfile.write(BODY);
  }
}

async function main(): Promise<void> {
  const server = new ThreadingHTTPServer(['127.0.0.1', 0], HelloHandler);
  await server.ready();
  process.once('SIGTERM', () => {
    void server.shutdown().then(() => server.serverClose());
    setTimeout(() => process.exit(0), 500).unref(); // idle keep-alive clients may linger
  });
  console.log(`LISTENING ${server.serverAddress[1]}`);
  await server.serveForever();
}

void main();
