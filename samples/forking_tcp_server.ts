/**
 * The Python docs' mix-in example with `ForkingMixIn` in place of `ThreadingMixIn`, and a
 * CPU-bound handler: it counts primes by trial division and answers with its process id. The
 * server is started in the background, three clients run against it at once, then the server is
 * shut down and closed. It ends by itself.
 *
 * Run:   npx ts-node samples/forking_tcp_server.ts [port]   (port: argv, else $PORT, else 0 = any free)
 * Prints (process ids vary; a machine with one core runs one worker, so one id):
 *   Server loop running in process 4242
 *   Received: 4250: Hello World 1, 25997 primes below 300000
 *   Received: 4251: Hello World 2, 25997 primes below 300000
 *   Received: 4250: Hello World 3, 25997 primes below 300000
 *
 * Python forks a child per request, which starts from the parent's memory. Node cannot fork, so
 * the server starts worker processes that run this script again: in a worker, `new
 * ForkedTCPServer(…)` binds nothing and `await server.ready()` never returns, so the clients
 * below run only in the first process, while the workers serve. The counting runs in the
 * workers, in parallel on as many cores as there are workers. Ctrl-C ends the first process;
 * the workers then finish what they have and exit.
 */
import * as net from 'node:net';
import { once } from 'node:events';
import { BaseRequestHandler, ForkingMixIn, TCPServer, type Connection, type InetAddress } from '../lib/index';

const LIMIT = 300_000;

/** Count the primes below `limit` the slow way: the point is to keep a core busy. */
function countPrimes(limit: number): number {
  let count = 0;
  for (let candidate = 2; candidate < limit; candidate += 1) {
    let prime = true;
    for (let divisor = 2; divisor * divisor <= candidate; divisor += 1) {
      if (candidate % divisor === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count += 1;
  }
  return count;
}

class ForkedTCPRequestHandler extends BaseRequestHandler<Connection> {
  protected override async handle(): Promise<void> {
    const data = (await this.request.recv(1024)).toString('ascii');
    const primes = countPrimes(LIMIT);
    const response = Buffer.from(`${process.pid}: ${data}, ${primes} primes below ${LIMIT}`, 'ascii');
    await this.request.sendall(response);
  }
}

/** Python's `class ForkedTCPServer(ForkingMixIn, TCPServer): pass`. */
class ForkedTCPServer extends ForkingMixIn(TCPServer) {}

/** Python's `sock.recv(1024)`: the first bytes that arrive (at most 1024); empty once the peer closed. */
async function recv(sock: net.Socket, bufsize: number): Promise<Buffer> {
  for await (const chunk of sock) return (chunk as Buffer).subarray(0, bufsize);
  return Buffer.alloc(0);
}

async function client(ip: string, port: number, message: string): Promise<string> {
  const sock = net.connect({ host: ip, port });
  try {
    await once(sock, 'connect');
    sock.write(Buffer.from(message, 'ascii'));
    return (await recv(sock, 1024)).toString('ascii');
  } finally {
    sock.destroy();
  }
}

async function main(): Promise<void> {
  // Port 0 means to select an arbitrary unused port
  const [HOST, PORT] = ['localhost', Number(process.argv[2] ?? process.env.PORT ?? 0)];

  await using server = new ForkedTCPServer([HOST, PORT], ForkedTCPRequestHandler);
  await server.ready(); // in a worker process this never returns: the worker serves instead
  const [ip, port] = server.serverAddress as InetAddress;

  const serverLoop = server.serveForever();
  console.log(`Server loop running in process ${process.pid}`);

  // The three clients at once: each request keeps a worker's core busy for a moment.
  const messages = ['Hello World 1', 'Hello World 2', 'Hello World 3'];
  const responses = await Promise.all(messages.map((message) => client(ip, port, message)));
  for (const response of responses) console.log(`Received: ${response}`);

  await server.shutdown();
  await serverLoop;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
