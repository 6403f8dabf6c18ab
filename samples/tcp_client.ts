/**
 * The Python docs' `socketserver.TCPServer` example, client side: sends its arguments as one line
 * and prints what came back. Works with samples/tcp_server.ts and samples/tcp_stream_server.ts.
 *
 * Run:   npx ts-node samples/tcp_client.ts hello world with TCP     (server port: $PORT, else 9999)
 * Prints:
 *   Sent:     hello world with TCP
 *   Received: HELLO WORLD WITH TCP
 */
import * as net from 'node:net';
import { once } from 'node:events';

const [HOST, PORT] = ['localhost', Number(process.env.PORT ?? 9999)];
const data = process.argv.slice(2).join(' ');

/** Python's `sock.recv(1024)`: the first bytes that arrive (at most 1024); empty once the peer closed. */
async function recv(sock: net.Socket, bufsize: number): Promise<Buffer> {
  for await (const chunk of sock) return (chunk as Buffer).subarray(0, bufsize);
  return Buffer.alloc(0);
}

async function main(): Promise<void> {
  // Create a TCP socket and connect to the server
  const sock = net.connect({ host: HOST, port: PORT });
  let received: string;
  try {
    await once(sock, 'connect');
    // Send the data, then receive what the server sends back
    sock.write(`${data}\n`, 'utf8');
    received = (await recv(sock, 1024)).toString('utf8');
  } finally {
    sock.destroy();
  }

  console.log(`Sent:     ${data}`);
  console.log(`Received: ${received}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
