/**
 * Line echo on sockserve's ThreadingTCPServer with a StreamRequestHandler: the row under test.
 *
 * The handler is the one a user writes: iterate over `rfile` lines and `await` each
 * `wfile.write()`. Stock settings (default request queue size, Nagle on, unbuffered wfile).
 * Prints "LISTENING <port>" once bound to 127.0.0.1 on a free port. On SIGTERM it shuts down and
 * closes the server and exits normally, so `node --cpu-prof` can write its profile.
 */
import { StreamRequestHandler, ThreadingTCPServer } from '../../lib/index';

class EchoHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    for await (const line of this.rfile) await this.wfile.write(line);
  }
}

async function main(): Promise<void> {
  const server = new ThreadingTCPServer(['127.0.0.1', 0], EchoHandler);
  server.daemonThreads = true;
  await server.ready();
  process.once('SIGTERM', () => {
    void server.shutdown().then(() => server.serverClose());
  });
  console.log(`LISTENING ${server.serverAddress[1]}`);
  await server.serveForever();
}

void main();
