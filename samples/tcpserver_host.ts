/**
 * Tutorial step 1 again: the host of samples/host.ts written as a sockserve `TCPServer` with a
 * `BaseRequestHandler`. The socket calls (bind, listen, accept, close) are gone; `handle()` keeps
 * only the conversation. Unlike host.py it does not stop after one client: `serveForever()`
 * answers each client in turn until Ctrl-C (SIGINT) or SIGTERM.
 *
 * Run:   npx ts-node samples/tcpserver_host.ts [port]   (port: argv, else $PORT, else 8008; 0 = any free)
 * Then:  npx ts-node samples/client.ts [port]           (as often as you like)
 *
 * The Python it ports:
 *
 *   class Host(socketserver.BaseRequestHandler):
 *       def handle(self):
 *           request = self.request.recv(1024)
 *           print('Connected by: %s  request: %s' % (self.client_address, request.decode('utf8')))
 *           self.request.sendall('Connected. Bye.'.encode('utf8'))
 *
 *   with socketserver.TCPServer(('127.0.0.1', 8008), Host) as server:
 *       server.serve_forever()
 */
import { BaseRequestHandler, TCPServer, formatAddress, type Connection } from '../lib/index';

const HOST = '127.0.0.1';
const PORT = Number(process.argv[2] ?? process.env.PORT ?? 8008);

class Host extends BaseRequestHandler<Connection> {
  protected override async handle(): Promise<void> {
    // self.request is the connection: recv() and sendall() return promises, so await them.
    const request = await this.request.recv(1024);
    console.log(`Connected by: ${formatAddress(this.clientAddress)}  request: ${request.toString('utf8')}`);
    await this.request.sendall('Connected. Bye.');
    // No close(): the server shuts the connection down when handle() returns.
  }
}

async function main(): Promise<void> {
  await using server = new TCPServer([HOST, PORT], Host);
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
