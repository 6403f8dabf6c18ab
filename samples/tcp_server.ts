/**
 * The Python docs' `socketserver.TCPServer` example, server side: a `BaseRequestHandler` that
 * reads what the client sent with one `recv(1024)` and sends it back upper-cased.
 *
 * Run:   npx ts-node samples/tcp_server.ts [port]   (port: argv, else $PORT, else 9999; 0 = any free)
 * Then:  npx ts-node samples/tcp_client.ts hello world with TCP
 * Stop:  Ctrl-C (SIGINT) or SIGTERM.
 *
 * Server output (Python prints the bytes as b'hello world with TCP'; here they are decoded):
 *   Serving on ('127.0.0.1', 9999)
 *   127.0.0.1 wrote:
 *   hello world with TCP
 *
 * samples/tcp_stream_server.ts is the same server with a StreamRequestHandler.
 */
import { BaseRequestHandler, TCPServer, formatAddress, type Connection } from '../lib/index';

/**
 * The request handler class for our server.
 *
 * It is instantiated once per connection to the server, and must override the handle() method
 * to implement communication to the client.
 */
class MyTCPHandler extends BaseRequestHandler<Connection> {
  data = '';

  protected override async handle(): Promise<void> {
    // this.request is the TCP connection to the client
    this.data = (await this.request.recv(1024)).toString('utf8').trim();
    console.log(`${this.clientAddress[0]} wrote:`);
    console.log(this.data);
    // just send back the same data, but upper-cased
    await this.request.sendall(this.data.toUpperCase());
  }
}

async function main(): Promise<void> {
  const [HOST, PORT] = ['localhost', Number(process.argv[2] ?? process.env.PORT ?? 9999)];

  // Create the server, binding to localhost on port 9999
  await using server = new TCPServer([HOST, PORT], MyTCPHandler);
  // Python stops on Ctrl-C with KeyboardInterrupt; here SIGINT or SIGTERM ends serveForever(),
  // and leaving the block calls serverClose().
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.shutdown());
  await server.ready();
  console.log(`Serving on ${formatAddress(server.serverAddress)}`);
  // Activate the server; this will keep running until you interrupt the program with Ctrl-C
  await server.serveForever();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
