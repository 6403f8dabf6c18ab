/**
 * Clients for specs: TCP, Unix-socket and UDP sockets that talk to a server under test. Every
 * socket made here is tracked until it closes, so `destroyClients()` in a teardown leaves none.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { InetAddress, ServerAddress } from '../../lib/index';
import { sleep, within } from './wait';

interface Destroyable {
  destroy(): unknown;
}

const openClients = new Set<Destroyable>();

/**
 * Read like a slow client: `socket` is paused but for a few milliseconds every 100 ms, `steps`
 * times, and is left paused.
 */
export async function readInSips(socket: net.Socket, steps: number): Promise<void> {
  socket.pause();
  for (let step = 0; step < steps; step += 1) {
    await sleep(100);
    socket.resume();
    await sleep(3);
    socket.pause();
  }
}

/** Destroy every client socket still open (TCP, Unix, UDP). */
export function destroyClients(): void {
  for (const client of openClients) client.destroy();
  openClients.clear();
}

/** Connect to a `[host, port]` or a Unix socket path; resolves once connected. */
export function connect(address: ServerAddress): Promise<net.Socket> {
  const socket =
    typeof address === 'string' ? net.connect({ path: address }) : net.connect({ host: address[0], port: address[1] });
  openClients.add(socket);
  socket.once('close', () => openClients.delete(socket));
  return new Promise<net.Socket>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** What a client received before its socket closed, and the error that closed it, if any. */
export interface Received {
  data: Buffer;
  /** Number of 'data' events: how many reads the bytes arrived in. */
  reads: number;
  error: Error | null;
}

/** Collect everything `socket` receives until it closes. */
export function receiveAll(socket: net.Socket): Promise<Received> {
  const chunks: Buffer[] = [];
  let error: Error | null = null;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (failure: Error) => {
    error = failure;
  });
  return new Promise<Received>((resolve) => {
    socket.once('close', () => resolve({ data: Buffer.concat(chunks), reads: chunks.length, error }));
  });
}

/** Resolve with the first chunk `socket` receives. */
export function firstData(socket: net.Socket): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    socket.once('data', resolve);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before any data arrived')));
  });
}

/**
 * Connect, send `request`, optionally half-close (FIN, like `nc -N`), and resolve with all the
 * bytes the server sends before it closes the connection (at most 5 s).
 */
export async function exchange(
  address: ServerAddress,
  request: string | Uint8Array,
  options: { halfClose?: boolean } = {},
): Promise<Buffer> {
  const socket = await connect(address);
  const received = receiveAll(socket);
  socket.write(request);
  if (options.halfClose === true) socket.end();
  const { data, error } = await within(received, 5000, `no close after sending ${JSON.stringify(String(request))}`);
  if (error !== null) throw error;
  return data;
}

/** A UDP socket of the family that fits `host`. */
export function udpClient(host: string): dgram.Socket {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const entry = { destroy: () => socket.close() };
  openClients.add(entry);
  socket.once('close', () => openClients.delete(entry));
  return socket;
}

/** Send one datagram to `address` and resolve with the first datagram that comes back (at most 5 s). */
export async function udpExchange(address: ServerAddress, payload: string | Uint8Array): Promise<Buffer> {
  if (typeof address === 'string') throw new TypeError('a UDP exchange needs [host, port]');
  const [host, port]: InetAddress = address;
  const socket = udpClient(host);
  const reply = new Promise<Buffer>((resolve, reject) => {
    socket.once('message', resolve);
    socket.once('error', reject);
  });
  socket.send(payload, port, host);
  return within(reply, 5000, 'no datagram came back');
}
