/**
 * The Python docs' `socketserver.UDPServer` example, server side: each datagram is a request
 * `[data, socket]`; the handler prints it and sends it back upper-cased with `sendto()`.
 *
 * Run:   npx ts-node samples/udp_server.ts [port]   (port: argv, else $PORT, else 9999; 0 = any free)
 * Then:  npx ts-node samples/udp_client.ts hello world with UDP
 * Stop:  Ctrl-C (SIGINT) or SIGTERM.
 *
 * Server output (Python prints the bytes as b'hello world with UDP'; here they are decoded):
 *   Serving on ('127.0.0.1', 9999)
 *   127.0.0.1 wrote:
 *   hello world with UDP
 */
import { BaseRequestHandler, UDPServer, formatAddress, type DatagramRequest } from '../lib/index';

/**
 * This class works similar to the TCP handler class, except that this.request consists of a pair
 * of data and client socket, and since there is no connection the client address must be given
 * explicitly when sending data back via sendto().
 */
class MyUDPHandler extends BaseRequestHandler<DatagramRequest> {
  protected override async handle(): Promise<void> {
    const data = this.request[0].toString('utf8').trim();
    const socket = this.request[1];
    console.log(`${this.clientAddress[0]} wrote:`);
    console.log(data);
    await socket.sendto(data.toUpperCase(), this.clientAddress);
  }
}

async function main(): Promise<void> {
  const [HOST, PORT] = ['localhost', Number(process.argv[2] ?? process.env.PORT ?? 9999)];
  await using server = new UDPServer([HOST, PORT], MyUDPHandler);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.shutdown());
  await server.ready();
  console.log(`Serving on ${formatAddress(server.serverAddress)}`);
  await server.serveForever();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
