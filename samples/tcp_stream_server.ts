/**
 * The Python docs' `socketserver.TCPServer` example with the alternative handler: a
 * `StreamRequestHandler` that reads one line with `rfile.readline()` and writes it back
 * upper-cased with `wfile.write()`.
 *
 * The difference from samples/tcp_server.ts: readline() waits until a newline has arrived, however
 * many pieces it comes in, while a single recv() returns whatever one piece held.
 *
 * Run:   npx ts-node samples/tcp_stream_server.ts [port]   (port: argv, else $PORT, else 9999; 0 = any free)
 * Then:  npx ts-node samples/tcp_client.ts python is nice
 * Stop:  Ctrl-C (SIGINT) or SIGTERM.
 *
 * Server output (Python prints the bytes as b'python is nice'; here they are decoded):
 *   Serving on ('127.0.0.1', 9999)
 *   127.0.0.1 wrote:
 *   python is nice
 */
import { StreamRequestHandler, TCPServer, formatAddress } from '../lib/index';

class MyTCPHandler extends StreamRequestHandler {
  data = '';

  protected override async handle(): Promise<void> {
    // this.rfile is a file-like object created by the handler;
    // we can now use e.g. readline() instead of raw recv() calls
    this.data = (await this.rfile.readline()).toString('utf8').trim();
    console.log(`${this.clientAddress[0]} wrote:`);
    console.log(this.data);
    // Likewise, this.wfile is a file-like object used to write back to the client
    await this.wfile.write(this.data.toUpperCase());
  }
}

async function main(): Promise<void> {
  const [HOST, PORT] = ['localhost', Number(process.argv[2] ?? process.env.PORT ?? 9999)];

  await using server = new TCPServer([HOST, PORT], MyTCPHandler);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.shutdown());
  await server.ready();
  console.log(`Serving on ${formatAddress(server.serverAddress)}`);
  await server.serveForever();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
