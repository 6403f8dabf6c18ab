/**
 * BytesWriter: an in-memory writer, Python's io.BytesIO as a datagram handler's `wfile`.
 */
import { SocketClosedError } from '../errors';
import { RESOLVED, rejected } from './settle';

/** Collects writes; `getvalue()` returns them as one Buffer. Same `write`/`flush`/`close` as SocketWriter. */
export class BytesWriter {
  #chunks: Buffer[] = [];
  #closed = false;

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Append a string (UTF-8) or bytes. */
  write(data: string | Uint8Array): Promise<void> {
    if (this.#closed) return rejected(new SocketClosedError('write to a closed file'));
    this.#chunks.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
    return RESOLVED;
  }

  /** Nothing to send anywhere; kept so code written for SocketWriter works unchanged. */
  flush(): Promise<void> {
    return RESOLVED;
  }

  /** Everything written so far. */
  getvalue(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** Refuse later writes. */
  close(): void {
    this.#closed = true;
  }
}
