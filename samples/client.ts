/**
 * Tutorial step 1, the client: `client.py` ported to raw `node:net`.
 *
 * It connects to 127.0.0.1, sends "From Client: Can you hear me?", prints the reply and closes.
 *
 * Run (with samples/host.ts or samples/tcpserver_host.ts listening):
 *   npx ts-node samples/client.ts [port]           (port: argv, else $PORT, else 8008)
 * Prints:
 *   reply: Connected. Bye.
 */
import * as net from 'node:net';
import { once } from 'node:events';

const HOST = '127.0.0.1';
const PORT = Number(process.argv[2] ?? process.env.PORT ?? 8008);

/** Python's `sock.recv(1024)`: the first bytes that arrive (at most 1024); empty once the peer closed. */
async function recv(sock: net.Socket, bufsize: number): Promise<Buffer> {
  for await (const chunk of sock) return (chunk as Buffer).subarray(0, bufsize);
  return Buffer.alloc(0);
}

async function main(): Promise<void> {
  // client_skt.connect(('127.0.0.1', 8008))
  const clientSocket = net.connect({ host: HOST, port: PORT });
  try {
    await once(clientSocket, 'connect');
    clientSocket.write('From Client: Can you hear me?', 'utf8');
    const reply = await recv(clientSocket, 1024);
    console.log(`reply: ${reply.toString('utf8')}`);
  } finally {
    clientSocket.destroy(); // client_skt.close()
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
