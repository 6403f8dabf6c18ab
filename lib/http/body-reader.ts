/**
 * The request body as the handler's `rfile` sees it: only this request's bytes, de-chunked, with
 * EOF at the end of the body, so the next request on the connection can never be read as body.
 */
import { BadBodyError } from '../errors';
import type { ByteReader } from '../socketserver/buffered-reader';
import type { BodySource } from './request-deadline';
import { SocketClosedError } from '../errors';

const EMPTY = Buffer.alloc(0);

/** The longest chunk-size line accepted (size, extensions, CRLF), and the most trailer bytes. */
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILER_BYTES = 65536;

/**
 * True when a read size means "to the end of the body": negative as in Python, or NaN, which is
 * what `Number(headers.get('Content-Length'))` gives when a chunked request has no Content-Length
 * (without this, ported code would silently read an empty body).
 */
function untilEnd(size: number): boolean {
  return !(size >= 0);
}

/** A request body reader: a ByteReader that also knows whether the body was read to its end. */
export interface BodyReader extends ByteReader {
  /**
   * True once every byte of the body has been read. A Content-Length body also counts as complete
   * when the client closed early (reads then return fewer bytes, as in Python); a chunked body that
   * is cut short rejects with BadBodyError instead, since only its last chunk says it is whole.
   */
  readonly complete: boolean;
  /** Read and drop the rest of the body, at most `limit` bytes; resolves true if the body is done. */
  discard(limit: number): Promise<boolean>;
}

abstract class BodyReaderBase implements BodyReader {
  #closed = false;
  abstract readonly complete: boolean;
  abstract read(size?: number): Promise<Buffer>;
  abstract readline(limit?: number): Promise<Buffer>;
  abstract read1(size?: number): Promise<Buffer>;

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  async discard(limit: number): Promise<boolean> {
    let left = limit;
    while (!this.complete && left > 0) {
      const data = await this.read1(Math.min(left, 65536));
      if (data.length === 0) break;
      left -= data.length;
    }
    return this.complete;
  }

  protected checkOpen(): void {
    if (this.#closed) throw new SocketClosedError('read from a closed file');
  }
}

/** A body of `Content-Length` bytes (0 when the request has no body). */
export class LengthBodyReader extends BodyReaderBase {
  readonly #stream: BodySource;
  #remaining: number;
  #truncated = false;

  constructor(stream: BodySource, length: number) {
    super();
    this.#stream = stream;
    this.#remaining = length;
  }

  get complete(): boolean {
    return this.#remaining === 0 || this.#truncated;
  }

  read(size = -1): Promise<Buffer> {
    return this.#take(untilEnd(size) ? this.#remaining : Math.min(size, this.#remaining), (n) => this.#stream.read(n));
  }

  readline(limit = -1): Promise<Buffer> {
    return this.#take(untilEnd(limit) ? this.#remaining : Math.min(limit, this.#remaining), (n) =>
      this.#stream.readline(n),
    );
  }

  read1(size = -1): Promise<Buffer> {
    return this.#take(untilEnd(size) ? this.#remaining : Math.min(size, this.#remaining), (n) => this.#stream.read1(n));
  }

  async #take(count: number, read: (count: number) => Promise<Buffer>): Promise<Buffer> {
    this.checkOpen();
    if (count === 0) return EMPTY;
    const data = await read(count);
    this.#remaining -= data.length;
    if (data.length === 0) this.#truncated = true;
    return data;
  }
}

/** A `Transfer-Encoding: chunked` body, de-chunked; trailers are read and dropped. */
export class ChunkedBodyReader extends BodyReaderBase {
  readonly #stream: BodySource;
  /** Bytes left in the current chunk; 0 between chunks. */
  #inChunk = 0;
  #done = false;

  constructor(stream: BodySource) {
    super();
    this.#stream = stream;
  }

  get complete(): boolean {
    return this.#done;
  }

  async read(size = -1): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    while (untilEnd(size) || total < size) {
      const part = await this.read1(untilEnd(size) ? -1 : size - total);
      if (part.length === 0) break;
      parts.push(part);
      total += part.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total);
  }

  async readline(limit = -1): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    while (untilEnd(limit) || total < limit) {
      if (!(await this.#enterChunk())) break;
      const want = untilEnd(limit) ? this.#inChunk : Math.min(this.#inChunk, limit - total);
      const part = await this.#fromChunk(await this.#stream.readline(want));
      parts.push(part);
      total += part.length;
      if (part[part.length - 1] === 0x0a) break;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total);
  }

  async read1(size = -1): Promise<Buffer> {
    if (size === 0 || !(await this.#enterChunk())) return EMPTY;
    return this.#fromChunk(await this.#stream.read1(untilEnd(size) ? this.#inChunk : Math.min(size, this.#inChunk)));
  }

  /** Make sure a chunk with data is current; false at the end of the body. */
  async #enterChunk(): Promise<boolean> {
    this.checkOpen();
    if (this.#done) return false;
    if (this.#inChunk > 0) return true;
    const line = await this.#stream.readline(MAX_CHUNK_LINE);
    if (line.length === 0) this.#cutShort();
    const size = parseChunkSize(line);
    if (size === 0) {
      await this.#readTrailers();
      this.#done = true;
      return false;
    }
    this.#inChunk = size;
    return true;
  }

  /** Account for bytes read from the current chunk; at its end, consume the CRLF after it. */
  async #fromChunk(data: Buffer): Promise<Buffer> {
    if (data.length === 0) this.#cutShort();
    this.#inChunk -= data.length;
    if (this.#inChunk === 0) {
      const crlf = await this.#stream.read(2);
      if (crlf.length < 2) this.#cutShort();
      if (crlf[0] !== 0x0d || crlf[1] !== 0x0a) throw new BadBodyError('chunk data not followed by CRLF');
    }
    return data;
  }

  async #readTrailers(): Promise<void> {
    let bytes = 0;
    for (;;) {
      const line = await this.#stream.readline(MAX_TRAILER_BYTES - bytes + 1);
      bytes += line.length;
      if (line.length === 0) return; // the client closed after the last chunk: nothing more to read
      if (bytes > MAX_TRAILER_BYTES) throw new BadBodyError('chunked trailers too large');
      if (line[line.length - 1] !== 0x0a) throw new BadBodyError('trailer line not terminated');
      if (line.length === 2 ? line[0] === 0x0d : line.length === 1) return;
    }
  }

  /**
   * The client closed before the last chunk. Reporting EOF would pass a partial upload off as
   * whole (nothing else tells the handler it is short), so the read rejects.
   */
  #cutShort(): never {
    throw new BadBodyError('the client closed the connection before the last chunk');
  }
}

/** RFC 9112 §7.1.1 chunk-ext: `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`. */
const CHUNK_EXTENSIONS =
  /(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"))?)*/
    .source;
/** A chunk-size line: 1 to 12 hex digits, the extensions, CRLF (no other whitespace, no bare CR or LF). */
const CHUNK_SIZE_LINE = new RegExp(`^([0-9A-Fa-f]{1,12})${CHUNK_EXTENSIONS}\r\n$`);

/**
 * Parse `1a;ext=1\r\n` → 26. Strict: hex digits only (at most 12), then extensions that follow
 * the RFC grammar (so `5 `, `5;` and an unbalanced quote are refused), then CRLF.
 */
function parseChunkSize(line: Buffer): number {
  const text = line.toString('latin1');
  const match = CHUNK_SIZE_LINE.exec(text);
  if (match === null) throw new BadBodyError(`bad chunk size line ${JSON.stringify(text.slice(0, 40))}`);
  return parseInt(match[1] as string, 16);
}
