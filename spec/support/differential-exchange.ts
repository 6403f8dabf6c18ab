/**
 * Raw exchanges for the differential and property specs: one fresh TCP connection per request,
 * the bytes sent as given, and everything the server sends back until it closes the connection
 * or falls silent.
 */
import * as net from 'node:net';

/** How a raw exchange ended: the server closed (FIN), reset (RST), or kept the connection open. */
export type Ending = 'closed' | 'reset' | 'open';

/** What came back on one connection. */
export interface RawReply {
  data: Buffer;
  ending: Ending;
}

/** How long to wait for the server, in milliseconds. */
export interface ExchangeTimings {
  /** Silence after the last byte received that counts as "the server keeps the connection open". */
  idleMs: number;
  /** Silence before any byte that counts the same. */
  firstByteMs: number;
}

export const DEFAULT_TIMINGS: ExchangeTimings = { idleMs: 400, firstByteMs: 2000 };

/** What to send, and whether to half-close (FIN) after it. */
export interface RawRequest {
  /** The bytes, or the byte stream cut into parts written one after another. */
  bytes: Buffer | readonly Buffer[];
  halfClose?: boolean;
  /** Milliseconds to wait between two parts (0: the next turn of the event loop). */
  partDelayMs?: number;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Connect to `[host, port]`, write `request`, and collect the reply until the server closes the
 * connection or stays silent for the timings' windows (then the client closes it).
 */
export async function rawExchange(
  [host, port]: readonly [string, number],
  request: RawRequest,
  timings: ExchangeTimings = DEFAULT_TIMINGS,
): Promise<RawReply> {
  const socket = net.connect({ host, port });
  const chunks: Buffer[] = [];
  const finished = new Promise<Ending>((resolve) => {
    let timer = setTimeout(() => resolve('open'), timings.firstByteMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(() => resolve('open'), timings.idleMs);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ECONNRESET' ? 'reset' : 'closed');
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const parts = Buffer.isBuffer(request.bytes) ? [request.bytes] : request.bytes;
    for (const [index, part] of parts.entries()) {
      if (index > 0) await delay(request.partDelayMs ?? 0);
      if (socket.destroyed || socket.writableEnded) break;
      socket.write(part);
    }
    if (request.halfClose === true && !socket.destroyed) socket.end();
    const ending = await finished;
    return { data: Buffer.concat(chunks), ending };
  } finally {
    socket.destroy();
  }
}

/** Run `task` over `items` with at most `limit` running at once; results in the items' order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
