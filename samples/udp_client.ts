/**
 * The Python docs' `socketserver.UDPServer` example, client side: sends its arguments as one
 * datagram and prints the datagram that comes back. Works with samples/udp_server.ts.
 *
 * Run:   npx ts-node samples/udp_client.ts hello world with UDP     (server port: $PORT, else 9999)
 * Prints:
 *   Sent:     hello world with UDP
 *   Received: HELLO WORLD WITH UDP
 *
 * As in Python, it waits for the answer for ever: if no server listens, stop it with Ctrl-C.
 */
import * as dgram from 'node:dgram';
import { once } from 'node:events';

const [HOST, PORT] = ['localhost', Number(process.env.PORT ?? 9999)];
const data = process.argv.slice(2).join(' ');

async function main(): Promise<void> {
  // 'udp4' is the socket type for UDP over IPv4 (Python's AF_INET + SOCK_DGRAM)
  const sock = dgram.createSocket('udp4');
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    sock.close();
  };
  // Ctrl-C or SIGTERM while waiting: close the socket, and the script ends.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, close);
  try {
    // As you can see, there is no connect() call; UDP has no connections.
    // Instead, data is directly sent to the recipient via send() (Python's sendto()).
    const reply = once(sock, 'message') as Promise<[Buffer, dgram.RemoteInfo]>;
    sock.send(`${data}\n`, PORT, HOST);
    const [message] = await reply;
    const received = message.subarray(0, 1024).toString('utf8');

    console.log(`Sent:     ${data}`);
    console.log(`Received: ${received}`);
  } finally {
    close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
