/**
 * A /cgi-bin/ script server on sockserve: CGIHTTPRequestHandler with `partial()` (the served
 * directory, protocolVersion 'HTTP/1.1' for keep-alive) on ThreadingHTTPServer, request log off
 * as in the other rows. Usage: node cgi-sockserve.js <directory>. Prints "LISTENING <port>";
 * exits on SIGTERM.
 */
import { CGIHTTPRequestHandler, ThreadingHTTPServer, partial } from '../../lib/http/index';

class QuietCGIHandler extends CGIHTTPRequestHandler {
  override logMessage(): void {}
}

async function main(): Promise<void> {
  const [directory = '.'] = process.argv.slice(2);
  const Handler = partial(QuietCGIHandler, { directory, protocolVersion: 'HTTP/1.1' });
  const server = new ThreadingHTTPServer(['127.0.0.1', 0], Handler);
  await server.ready();
  process.once('SIGTERM', () => {
    void server.shutdown().then(() => server.serverClose());
    setTimeout(() => process.exit(0), 500).unref(); // idle keep-alive clients may linger
  });
  console.log(`LISTENING ${server.serverAddress[1]}`);
  await server.serveForever();
}

void main();
