/**
 * A line echo server: a `ThreadingTCPServer` whose `StreamRequestHandler` sends every line it
 * reads back upper-cased, until the client closes. Clients are served at the same time.
 *
 * Run:   npx ts-node samples/echo_server.ts [port]   (port: argv, else $PORT, else 8000; 0 = any free)
 * Then type lines into `nc 127.0.0.1 8000` (or `telnet 127.0.0.1 8000`) and read them back in
 * capitals. Stop the server with Ctrl-C (SIGINT) or SIGTERM: connected clients are let go (their
 * lines already sent are still answered) and the server exits.
 */
import { SHUT_RD, StreamRequestHandler, ThreadingTCPServer, formatAddress, type Connection } from '../lib/index';

class UpperCaseEchoHandler extends StreamRequestHandler {
  /** The server is an EchoServer: `declare` says so to TypeScript. */
  declare server: EchoServer;

  protected override async handle(): Promise<void> {
    this.server.connections.add(this.connection);
    try {
      // Each line arrives whole, with its '\n'; the loop ends when the client closes.
      for await (const line of this.rfile) {
        await this.wfile.write(line.toString('utf8').toUpperCase());
      }
    } finally {
      this.server.connections.delete(this.connection);
    }
  }
}

/**
 * A ThreadingTCPServer that ends its conversations when it closes. serverClose() waits for the
 * running handlers (blockOnClose), and a client that stays connected would keep its handler, and
 * so the server, running: shutting down the reading side of each connection ends each handler's
 * loop as if that client had closed.
 */
class EchoServer extends ThreadingTCPServer {
  /** Connections whose handler is running. */
  readonly connections = new Set<Connection>();

  override async serverClose(): Promise<void> {
    for (const connection of this.connections) connection.shutdown(SHUT_RD);
    await super.serverClose();
  }
}

async function main(): Promise<void> {
  const [HOST, PORT] = ['127.0.0.1', Number(process.argv[2] ?? process.env.PORT ?? 8000)];

  await using server = new EchoServer([HOST, PORT], UpperCaseEchoHandler);
  // Ctrl-C or SIGTERM ends serveForever(); leaving the block calls serverClose().
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.shutdown());
  await server.ready();
  console.log(`Serving on ${formatAddress(server.serverAddress)}`);
  await server.serveForever();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
