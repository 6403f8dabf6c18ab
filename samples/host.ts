/**
 * Tutorial step 1, the host: `host.py` ported to raw `node:net`, before any sockserve.
 *
 * It listens on 127.0.0.1, accepts one connection, prints who connected and what they sent,
 * replies "Connected. Bye." and closes; then the script ends, as the Python one does.
 *
 * Run:   npx ts-node samples/host.ts [port]        (port: argv, else $PORT, else 8008; 0 = any free)
 * Then:  npx ts-node samples/client.ts [port]
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it before a client comes. samples/tcpserver_host.ts is the
 * same host written with TCPServer.
 */
import * as net from 'node:net';

const HOST = '127.0.0.1';
const PORT = Number(process.argv[2] ?? process.env.PORT ?? 8008);

// host_skt = socket.socket(AF_INET, SOCK_STREAM); bind(); listen(3): Node binds and listens in one call.
const hostSocket = net.createServer();
let connection: net.Socket | null = null;

hostSocket.once('connection', (conn: net.Socket) => {
  // host.py calls accept() once: stop listening, so later clients are refused.
  hostSocket.close();
  connection = conn;
  const [addr, port] = [conn.remoteAddress, conn.remotePort];
  // request = conn.recv(1024): the first bytes that arrive, at most 1024 of them.
  conn.once('data', (request: Buffer) => {
    console.log(`Connected by: ('${addr}', ${port})  request: ${request.subarray(0, 1024).toString('utf8')}`);
    // conn.sendall('Connected. Bye.'.encode('utf8')); conn.close()
    conn.end('Connected. Bye.', 'utf8');
  });
  conn.on('error', (error: Error) => console.error(`connection failed: ${error.message}`));
});

hostSocket.on('error', (error: Error) => {
  console.error(`cannot listen on ${HOST}:${PORT}: ${error.message}`);
  process.exitCode = 1;
});

hostSocket.listen({ host: HOST, port: PORT, backlog: 3 }, () => {
  const { address, port } = hostSocket.address() as net.AddressInfo;
  console.log(`Serving on ('${address}', ${port})`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    hostSocket.close();
    connection?.destroy();
  });
}
