/**
 * The Python docs' `ThreadingMixIn` example: a `ThreadedTCPServer` built with the mix-in, started
 * in the background, three clients run against it one after another, then the server is shut
 * down. It ends by itself.
 *
 * Run:   npx ts-node samples/threaded_tcp_server.ts [port]   (port: argv, else $PORT, else 0 = any free)
 * Prints:
 *   Server loop running on the event loop
 *   Received: Handler-1: Hello World 1
 *   Received: Handler-2: Hello World 2
 *   Received: Handler-3: Hello World 3
 *
 * Python prints thread names here ("Server loop running in thread: Thread-1", then
 * "Received: Thread-2: Hello World 1", …): the server loop runs in one thread and each request in
 * a new one. Node has no threads to name. `serveForever()` is a promise on the one event loop,
 * and `ThreadingMixIn` starts each handler without waiting for the one before, so handlers
 * interleave at every `await`. What identifies a "thread" is the handler itself, so the server
 * counts the handlers it has started and each names itself by its number.
 */
import * as net from 'node:net';
import { once } from 'node:events';
import { BaseRequestHandler, TCPServer, ThreadingMixIn, type Connection, type InetAddress } from '../lib/index';

class ThreadedTCPRequestHandler extends BaseRequestHandler<Connection> {
  /** The server is a ThreadedTCPServer: `declare` says so to TypeScript, so its counter can be read. */
  declare server: ThreadedTCPServer;

  protected override async handle(): Promise<void> {
    const data = (await this.request.recv(1024)).toString('ascii');
    this.server.handlersStarted += 1;
    const curThread = `Handler-${this.server.handlersStarted}`;
    const response = Buffer.from(`${curThread}: ${data}`, 'ascii');
    await this.request.sendall(response);
  }
}

/** Python's `class ThreadedTCPServer(ThreadingMixIn, TCPServer): pass`, plus the handler counter. */
class ThreadedTCPServer extends ThreadingMixIn(TCPServer) {
  /** Handlers started so far: the "thread" number of the next one, less one. */
  handlersStarted = 0;
}

/** Python's `sock.recv(1024)`: the first bytes that arrive (at most 1024); empty once the peer closed. */
async function recv(sock: net.Socket, bufsize: number): Promise<Buffer> {
  for await (const chunk of sock) return (chunk as Buffer).subarray(0, bufsize);
  return Buffer.alloc(0);
}

async function client(ip: string, port: number, message: string): Promise<void> {
  const sock = net.connect({ host: ip, port });
  try {
    await once(sock, 'connect');
    sock.write(Buffer.from(message, 'ascii'));
    const response = (await recv(sock, 1024)).toString('ascii');
    console.log(`Received: ${response}`);
  } finally {
    sock.destroy();
  }
}

async function main(): Promise<void> {
  // Port 0 means to select an arbitrary unused port
  const [HOST, PORT] = ['localhost', Number(process.argv[2] ?? process.env.PORT ?? 0)];

  await using server = new ThreadedTCPServer([HOST, PORT], ThreadedTCPRequestHandler);
  await server.ready();
  const [ip, port] = server.serverAddress as InetAddress;

  // Python starts a thread with the server, which starts one more thread per request. Here the
  // loop runs on the event loop while main() goes on; it is awaited after shutdown().
  const serverLoop = server.serveForever();
  console.log('Server loop running on the event loop');

  // Ctrl-C or SIGTERM: run no more clients.
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));

  for (const message of ['Hello World 1', 'Hello World 2', 'Hello World 3']) {
    if (stopping) break;
    await client(ip, port, message);
  }

  await server.shutdown();
  await serverLoop;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
