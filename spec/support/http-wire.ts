/**
 * Raw HTTP/1.x over a socket for specs: a client that writes exact bytes and reads the responses
 * back as they came (status line, headers in order, body), and tells whether the server closed.
 */
import type * as net from 'node:net';
import type { ServerAddress } from '../../lib/index';
import { connect } from './clients';
import { sleep } from './wait';

/** One response as it appeared on the wire. */
export interface WireResponse {
  /** The status line without its CRLF, e.g. `HTTP/1.1 200 OK`. */
  statusLine: string;
  /** The status code (0 for an HTTP/0.9 reply, which has no status line). */
  status: number;
  /** The reason phrase: everything after the code and its space. */
  reason: string;
  /** Header fields in order, names as sent. */
  headers: [name: string, value: string][];
  /** The body (de-chunked when the response was chunked). */
  body: Buffer;
  /** The response's bytes exactly as received. */
  raw: Buffer;
}

/** The first value of header `name` (case-insensitive), or undefined. */
export function headerOf(response: WireResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return response.headers.find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** The header names of a response, in order. */
export function headerNames(response: WireResponse): string[] {
  return response.headers.map(([name]) => name);
}

/** How to parse a stream of responses: which of them answer HEAD (and so have no body). */
export interface ParseOptions {
  /** Indexes (0-based, counting final responses only) of responses to HEAD requests. */
  head?: readonly number[];
  /** True once the connection has ended: a body without a length runs to here. */
  ended?: boolean;
}

/**
 * Split `data` into complete responses (1xx interim responses count as responses). Stops at the
 * first incomplete one; `rest` is the bytes left over.
 */
export function parseResponses(data: Buffer, options: ParseOptions = {}): { responses: WireResponse[]; rest: Buffer } {
  const responses: WireResponse[] = [];
  let offset = 0;
  let finals = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const head = data.subarray(offset, headEnd).toString('latin1');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const match = /^HTTP\/\d\.\d (\d{3}) ?(.*)$/.exec(statusLine);
    if (match === null) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const status = Number(match[1]);
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const response: WireResponse = {
      statusLine,
      status,
      reason: match[2] ?? '',
      headers,
      body: Buffer.alloc(0),
      raw: data,
    };
    let end = headEnd + 4;
    const bodiless =
      status < 200 || status === 204 || status === 205 || status === 304 || (options.head ?? []).includes(finals);
    const length = headerOf(response, 'Content-Length');
    const chunked = /chunked/i.test(headerOf(response, 'Transfer-Encoding') ?? '');
    if (!bodiless && chunked) {
      const decoded = decodeChunked(data, end);
      if (decoded === null) break;
      response.body = decoded.body;
      end = decoded.end;
    } else if (!bodiless && length !== undefined) {
      if (data.length < end + Number(length)) break;
      response.body = data.subarray(end, end + Number(length));
      end += Number(length);
    } else if (!bodiless) {
      if (options.ended !== true) break;
      response.body = data.subarray(end);
      end = data.length;
    }
    response.raw = data.subarray(offset, end);
    responses.push(response);
    if (status >= 200) finals += 1;
    offset = end;
  }
  return { responses, rest: data.subarray(offset) };
}

function decodeChunked(data: Buffer, start: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let offset = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) return null;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    offset = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n', offset);
      return trailerEnd === -1 ? null : { body: Buffer.concat(parts), end: trailerEnd + 2 };
    }
    if (data.length < offset + size + 2) return null;
    parts.push(data.subarray(offset, offset + size));
    offset += size + 2;
  }
}

/**
 * A client on one connection. `write()` sends exact bytes; `responses(n)` waits until n complete
 * responses have arrived; `closed()` waits for the server to close; `data` is everything so far.
 */
export class WireClient {
  readonly socket: net.Socket;
  /** Every byte received so far. */
  data = Buffer.alloc(0);
  /** True once the server's FIN (or a reset) arrived. */
  ended = false;
  /** The error that closed the socket, if any (ECONNRESET). */
  error: Error | null = null;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.#wake();
    });
    socket.on('error', (error: Error) => {
      this.error = error;
    });
    socket.on('close', () => {
      this.ended = true;
      this.#wake();
    });
  }

  /** Connect to `address`. */
  static async open(address: ServerAddress): Promise<WireClient> {
    return new WireClient(await connect(address));
  }

  /** Send bytes (a string is sent as Latin-1, byte for byte). */
  write(bytes: string | Uint8Array): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Wait for `count` complete responses (of all that arrived, the first ones) and return them. */
  async responses(count: number, options: Omit<ParseOptions, 'ended'> = {}, ms = 3000): Promise<WireResponse[]> {
    await this.#until(
      () => this.ended || parseResponses(this.data, options).responses.length >= count,
      ms,
      `${count} responses`,
    );
    const { responses } = parseResponses(this.data, { ...options, ended: this.ended });
    if (responses.length < count) {
      throw new Error(`the connection closed after ${responses.length} of ${count} responses: ${this.text()}`);
    }
    return responses.slice(0, count);
  }

  /** Wait for one response and return it. */
  async response(options: Omit<ParseOptions, 'ended'> = {}, ms = 3000): Promise<WireResponse> {
    const [first] = await this.responses(1, options, ms);
    return first!;
  }

  /** Wait until the server closes the connection; resolve with every byte received. */
  async closed(ms = 3000): Promise<Buffer> {
    await this.#until(() => this.ended, ms, 'the server to close the connection');
    return this.data;
  }

  /** Every response in what arrived, once the connection has closed. */
  async allResponses(options: Omit<ParseOptions, 'ended'> = {}, ms = 3000): Promise<WireResponse[]> {
    await this.closed(ms);
    return parseResponses(this.data, { ...options, ended: true }).responses;
  }

  /** True if the connection is still open after `ms` milliseconds. */
  async stillOpenAfter(ms: number): Promise<boolean> {
    await sleep(ms);
    return !this.ended;
  }

  /** What arrived so far, as Latin-1 text. */
  text(): string {
    return this.data.toString('latin1');
  }

  /** Close the client's side. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Resolve once `condition` holds; reject after `ms` with what had arrived by then. */
  #until(condition: () => boolean, ms: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        settle();
        resolve();
      };
      const timer = setTimeout(() => {
        settle();
        const received = JSON.stringify(this.text().slice(0, 400));
        reject(new Error(`waiting for ${what}: not within ${ms} ms; received ${received}`));
      }, ms);
      const settle = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Open a connection, send `bytes`, and resolve with every response once the server closed. */
export async function exchangeAll(
  address: ServerAddress,
  bytes: string | Uint8Array,
  options: Omit<ParseOptions, 'ended'> = {},
): Promise<{ responses: WireResponse[]; data: Buffer }> {
  const client = await WireClient.open(address);
  client.write(bytes);
  const responses = await client.allResponses(options);
  return { responses, data: client.data };
}
