/**
 * SocketWriter: the `wfile` of a stream handler, what Python's `socket.makefile('wb', n)` returns.
 */
import { SocketClosedError } from '../errors';
import { RESOLVED, rejected } from './settle';

/** What a writer writes to: a Connection provides it. */
export interface ByteSink {
  /** Send bytes; resolves once the socket can take more (backpressure), rejects if it failed. */
  sendall(data: string | Uint8Array): Promise<void>;
  /** Send several chunks with one system call where the platform allows it. */
  sendmany(chunks: readonly Uint8Array[]): Promise<void>;
}

/**
 * A writer with Python's file methods:
 *
 * - `write(data)`: a string (sent as UTF-8) or bytes. Resolves when the socket can take more, so
 *   `await`ing each write honours backpressure; a write that is not awaited is still sent in
 *   order, and if the client has gone its rejection never becomes an unhandled one.
 * - `flush()`: send what is buffered; resolves when the socket has taken it.
 * - `close()`: sends what is buffered; later writes reject with SocketClosedError. The socket
 *   itself stays open.
 *
 * With `bufsize` 0 (Python's `wbufsize` default for StreamRequestHandler) every write goes to the
 * connection at once, which sends it at the end of the event loop's turn (Connection says why).
 * With a positive `bufsize`, writes collect until that many bytes are waiting or `flush()` is
 * called, and then leave together in one system call: a response written header by header still
 * reaches the network as one packet.
 */
export class SocketWriter {
  readonly #sink: ByteSink;
  readonly #bufsize: number;
  #chunks: Uint8Array[] = [];
  #bufferedBytes = 0;
  #closed = false;

  constructor(sink: ByteSink, bufsize = 0) {
    this.#sink = sink;
    this.#bufsize = bufsize;
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Write a string (UTF-8) or bytes. */
  write(data: string | Uint8Array): Promise<void> {
    if (this.#closed) return rejected(new SocketClosedError('write to a closed file'));
    if (this.#bufsize <= 0) return this.#sink.sendall(data);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.#chunks.push(bytes);
    this.#bufferedBytes += bytes.length;
    return this.#bufferedBytes >= this.#bufsize ? this.flush() : RESOLVED;
  }

  /** Send whatever is buffered; resolves when the socket has taken it. */
  flush(): Promise<void> {
    if (this.#closed) return rejected(new SocketClosedError('flush of a closed file'));
    const chunks = this.#chunks;
    if (chunks.length === 0) return this.#sink.sendmany(chunks); // nothing to take: no new array
    this.#chunks = [];
    this.#bufferedBytes = 0;
    return this.#sink.sendmany(chunks);
  }

  /** Close the writer (not the socket). Bytes still buffered are sent first, as Python's close does. */
  close(): void {
    if (this.#closed) return;
    if (this.#chunks.length > 0) void this.flush();
    this.#closed = true;
  }
}
