/**
 * BufferedReader: the `rfile` of a stream handler, what Python's `socket.makefile('rb')` returns.
 */
import { performance } from 'node:perf_hooks';
import { SocketClosedError, TimeoutError } from '../errors';
import { timerMilliseconds } from './settle';

/** Where the bytes come from: a net.Socket fits, so does nothing at all (a fixed buffer). */
export interface ByteSource {
  pause(): unknown;
  resume(): unknown;
}

/**
 * What every `rfile` offers: BufferedReader over a socket or a packet, and the request body
 * readers of the HTTP handlers.
 */
export interface ByteReader extends AsyncIterable<Buffer> {
  /** `size` bytes, fewer only at EOF; everything until EOF when `size` is omitted or negative. */
  read(size?: number): Promise<Buffer>;
  /** One line with its '\n', at most `limit` bytes; empty at EOF. */
  readline(limit?: number): Promise<Buffer>;
  /** What is available, at most `size` bytes, waiting only if nothing is; empty at EOF. */
  read1(size?: number): Promise<Buffer>;
  /** Stop reading; later reads reject. */
  close(): void;
  /** True after close(). */
  readonly closed: boolean;
}

/** Python's default buffer size (io.DEFAULT_BUFFER_SIZE is 8 KiB; sockets read 64 KiB at a time). */
export const DEFAULT_READ_AHEAD = 64 * 1024;

const EMPTY = Buffer.alloc(0);
const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** An iterator step for a line: the line, or the end at EOF (an empty read). */
function toLineResult(line: Buffer): IteratorResult<Buffer> {
  return line.length === 0 ? END : { done: false, value: line };
}
const NEWLINE = 0x0a;

/** The four shapes of read; each says when it can be answered from the buffer. */
const LINE = 0; // up to and including '\n', at most `size` bytes
const EXACTLY = 1; // `size` bytes, fewer only at EOF
const ALL = 2; // everything until EOF
const SOME = 3; // whatever is there, at most `size` bytes, at least one unless EOF
const BLOCK = 4; // lines up to and including the first empty one, at most `size` bytes
const PEEK = 5; // like SOME, but the bytes stay in the buffer
type Shape = typeof LINE | typeof EXACTLY | typeof ALL | typeof SOME | typeof BLOCK | typeof PEEK;

interface PendingRead {
  readonly shape: Shape;
  readonly size: number;
  resolve(data: Buffer): void;
  reject(error: Error): void;
  /** When the read times out (performance.now() milliseconds); Infinity for never. */
  readonly deadline: number;
}

/**
 * A read buffer over a byte stream with Python's file methods, each returning a Promise:
 *
 * - `read(n?)`: n bytes, fewer only at EOF; everything until EOF when n is omitted or negative.
 * - `readline(limit?)`: one line with its `\n`, at most `limit` bytes; an empty Buffer at EOF.
 * - `read1(n?)`: whatever has arrived (at least one byte unless at EOF), at most n bytes.
 * - `peek(n?)`: as read1, but the bytes stay in the buffer for the next read.
 * - `readlineNowait(limit?)`, `readBlockNowait(limit)`: a line or header block if it is all here
 *   already, else null; no promise (the HTTP handler's head parser reads this way).
 * - `for await (const line of rfile)`: the lines until EOF.
 * - `close()`: later reads reject with SocketClosedError.
 *
 * Reads are answered in the order they were made. It reads ahead up to `highWaterMark` bytes and
 * then pauses the source, so a client cannot make the server buffer without bound. With `timeout`
 * set (seconds; null, Infinity or more than Node's longest timer, about 24.8 days, wait for ever),
 * a read that waits longer rejects with TimeoutError.
 */
export class BufferedReader implements ByteReader {
  /** Seconds a read may wait for data before it rejects with TimeoutError; null waits for ever. */
  timeout: number | null = null;
  /** Bytes read ahead of the reader before the source is paused. */
  highWaterMark: number;

  readonly #source: ByteSource | null;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  /** Bytes at the front already searched for a newline without finding one. */
  #scanned = 0;
  /** Where the last unfinished line starts, for the search of an empty line. */
  #blockScanned = 0;
  #pending: PendingRead[] = [];
  #ended = false;
  #error: Error | null = null;
  #closed = false;
  #flowing = false;
  /**
   * One timer serves every timed read. It is not stopped when a read is answered: it fires at the
   * earliest deadline it was set for, expires what is due and sets itself again for what is not.
   * A keep-alive connection waits with a timeout for every request, and moving one deadline costs
   * less than a timer made and cleared each time.
   */
  #timer: NodeJS.Timeout | null = null;
  /** When #timer fires (performance.now() milliseconds); Infinity when there is none. */
  #timerDue = Infinity;

  constructor(source: ByteSource | null, highWaterMark = DEFAULT_READ_AHEAD) {
    this.#source = source;
    this.highWaterMark = highWaterMark;
  }

  /** A reader over bytes that are all here already, like Python's io.BytesIO. */
  static from(data: Buffer): BufferedReader {
    const reader = new BufferedReader(null);
    reader.push(data);
    reader.end();
    return reader;
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.#size;
  }

  /** Read `size` bytes (fewer only at EOF); everything until EOF when `size` is omitted or negative. */
  read(size = -1): Promise<Buffer> {
    return size < 0 ? this.#request(ALL, Infinity) : this.#request(EXACTLY, size);
  }

  /** Read one line including its `\n`; at most `limit` bytes; an empty Buffer at EOF. */
  readline(limit = -1): Promise<Buffer> {
    return this.#request(LINE, limit < 0 ? Infinity : limit);
  }

  /** Read what has arrived, at most `size` bytes, waiting only if nothing has; empty at EOF. */
  read1(size = -1): Promise<Buffer> {
    return this.#request(SOME, size < 0 ? Infinity : size);
  }

  /**
   * Return what has arrived, at most `size` bytes, without consuming it (Python's peek): waits
   * only if nothing has; empty at EOF. The HTTP handler uses it to tell an idle keep-alive
   * connection from a request that has begun.
   */
  peek(size = 1): Promise<Buffer> {
    return this.#request(PEEK, size < 0 ? Infinity : size);
  }

  /**
   * Read lines up to and including the first empty one ('\n' or '\r\n'), at most `limit` bytes:
   * an HTTP header block. If `limit` bytes hold no empty line, that many bytes are returned; at
   * EOF, what is left. The caller tells these apart by checking the last line.
   */
  readBlock(limit: number): Promise<Buffer> {
    return this.#request(BLOCK, limit);
  }

  /**
   * What readline(limit) would give now, without waiting: the line if the buffer holds it, else
   * null (it has not all arrived, another read is waiting, or the reader failed; readline() then
   * says which). A parser reads what has arrived this way and awaits readline() only when it must.
   */
  readlineNowait(limit = -1): Buffer | null {
    const answer = this.#answerAtOnce(LINE, limit < 0 ? Infinity : limit);
    return answer instanceof Error ? null : answer;
  }

  /** What readBlock(limit) would give now, without waiting, or null (as readlineNowait()). */
  readBlockNowait(limit: number): Buffer | null {
    const answer = this.#answerAtOnce(BLOCK, limit);
    return answer instanceof Error ? null : answer;
  }

  /** Iterate over the lines until EOF. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    // A plain iterator rather than an async generator: one promise per line instead of the
    // generator's extra promise and microtask hops, on a path line protocols take for every line.
    const lines: AsyncIterableIterator<Buffer> = {
      next: () => this.#nextLine(),
      [Symbol.asyncIterator]: () => lines,
    };
    return lines;
  }

  /** Close the reader: buffered bytes are dropped, pending and later reads reject. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks.length = 0;
    this.#size = 0;
    this.#rejectAll(new SocketClosedError('read from a closed file'));
  }

  /** Take bytes from the source. */
  push(chunk: Buffer): void {
    if (this.#closed || this.#ended) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    this.#service();
  }

  /** The source reached EOF: pending reads get what is left. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#service();
  }

  /** The source failed: reads that the buffer cannot answer reject with `error`. */
  fail(error: Error): void {
    if (this.#ended) return;
    this.#error = error;
    this.#ended = true;
    this.#service();
  }

  /** A read of `shape`: answered from the buffer now, or queued until it can be. */
  #request(shape: Shape, size: number): Promise<Buffer> {
    const answer = this.#answerAtOnce(shape, size);
    if (answer instanceof Error) return Promise.reject(answer);
    if (answer !== null) return Promise.resolve(answer);
    return new Promise<Buffer>((resolve, reject) => this.#queue(shape, size, resolve, reject));
  }

  /** The line iterator's next step: a readline() whose line becomes the step, with no promise between. */
  #nextLine(): Promise<IteratorResult<Buffer>> {
    const answer = this.#answerAtOnce(LINE, Infinity);
    if (answer instanceof Error) return Promise.reject(answer);
    if (answer !== null) return Promise.resolve(toLineResult(answer));
    return new Promise<IteratorResult<Buffer>>((resolve, reject) =>
      this.#queue(LINE, Infinity, (line) => resolve(toLineResult(line)), reject),
    );
  }

  /** What the buffer answers now when no read waits ahead (an Error when it fails or is closed), or null. */
  #answerAtOnce(shape: Shape, size: number): Buffer | Error | null {
    if (this.#closed) return new SocketClosedError('read from a closed file');
    if (this.#pending.length > 0) return null;
    const answer = this.#answer(shape, size);
    if (answer !== null && !(answer instanceof Error)) this.#flow();
    return answer;
  }

  /** Wait for the bytes of a read of `shape` (or its timeout). */
  #queue(shape: Shape, size: number, resolve: (data: Buffer) => void, reject: (error: Error) => void): void {
    const ms = timerMilliseconds(this.timeout);
    const deadline = ms === null ? Infinity : performance.now() + ms;
    this.#pending.push({ shape, size, resolve, reject, deadline });
    if (deadline < this.#timerDue) this.#setTimer(deadline);
    this.#flow();
  }

  /** Have the timer fire at `due`. Unreferenced: a read waits on a socket that keeps the process up. */
  #setTimer(due: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(this.#onTimer, Math.max(1, Math.ceil(due - performance.now())));
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerDue = Infinity;
  }

  /** Reject the reads whose deadline has passed, then set the timer for the next one. */
  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#timerDue = Infinity;
    const now = performance.now();
    const waiting: PendingRead[] = [];
    const expired: PendingRead[] = [];
    let next = Infinity;
    for (const read of this.#pending) {
      if (read.deadline <= now) {
        expired.push(read);
      } else {
        waiting.push(read);
        next = Math.min(next, read.deadline);
      }
    }
    this.#pending = waiting;
    if (next !== Infinity) this.#setTimer(next);
    for (const read of expired) read.reject(new TimeoutError());
    if (expired.length > 0) this.#flow();
  };

  /** Answer pending reads in order while the buffer can, then start or stop the source. */
  #service(): void {
    while (this.#pending.length > 0) {
      const read = this.#pending[0] as PendingRead;
      const answer = this.#answer(read.shape, read.size);
      if (answer === null) break;
      this.#pending.shift();
      if (answer instanceof Error) read.reject(answer);
      else read.resolve(answer);
    }
    if (this.#ended && this.#pending.length === 0) this.#stopTimer(); // nothing can wait again
    this.#flow();
  }

  /** Read ahead while a read waits or the buffer is below the mark; pause the source otherwise. */
  #flow(): void {
    if (this.#source === null || this.#ended) return;
    const wanted = this.#pending.length > 0 || this.#size < this.highWaterMark;
    if (wanted === this.#flowing) return;
    this.#flowing = wanted;
    if (wanted) this.#source.resume();
    else this.#source.pause();
  }

  /** The bytes for a read of this shape if the buffer can answer it now, an Error, or null to wait. */
  #answer(shape: Shape, size: number): Buffer | Error | null {
    switch (shape) {
      case LINE: {
        const newline = this.#findNewline();
        if (newline !== -1 && newline < size) return this.#take(newline + 1);
        if (this.#size >= size) return this.#take(size);
        break;
      }
      case EXACTLY:
        if (this.#size >= size) return this.#take(size);
        break;
      case SOME:
        if (this.#size > 0 || size === 0) return this.#take(Math.min(size, this.#size));
        break;
      case PEEK: {
        const first = this.#chunks[0];
        if (first !== undefined) return first.length <= size ? first : first.subarray(0, size);
        if (size === 0) return EMPTY;
        break;
      }
      case BLOCK: {
        const end = this.#findBlockEnd();
        if (end !== -1 && end <= size) return this.#take(end);
        if (this.#size >= size) return this.#take(size);
        break;
      }
      case ALL:
        break;
    }
    if (!this.#ended) return null;
    if (this.#error !== null && this.#size === 0) return this.#error;
    return this.#take(this.#size);
  }

  /** Offset of the first '\n' in the buffer, or -1. Bytes already searched are not searched again. */
  #findNewline(): number {
    let offset = 0;
    for (const chunk of this.#chunks) {
      const end = offset + chunk.length;
      if (end > this.#scanned) {
        const index = chunk.indexOf(NEWLINE, Math.max(0, this.#scanned - offset));
        if (index !== -1) return offset + index;
      }
      offset = end;
    }
    this.#scanned = offset;
    return -1;
  }

  /** Length of the bytes up to and including the first empty line, or -1. Joins chunks to search. */
  #findBlockEnd(): number {
    if (this.#chunks.length > 1) this.#chunks.splice(0, this.#chunks.length, Buffer.concat(this.#chunks, this.#size));
    const buffer = this.#chunks[0];
    if (buffer === undefined) return -1;
    let lineStart = this.#blockScanned;
    for (;;) {
      const newline = buffer.indexOf(NEWLINE, lineStart);
      if (newline === -1) break;
      if (newline === lineStart || (newline === lineStart + 1 && buffer[lineStart] === 0x0d)) return newline + 1;
      lineStart = newline + 1;
    }
    this.#blockScanned = lineStart;
    return -1;
  }

  /** Remove and return the first `count` bytes (count <= size); no copy when one chunk holds them. */
  #take(count: number): Buffer {
    if (count === 0) return EMPTY;
    this.#size -= count;
    this.#scanned = Math.max(0, this.#scanned - count);
    this.#blockScanned = 0;
    const first = this.#chunks[0] as Buffer;
    if (first.length > count) {
      this.#chunks[0] = first.subarray(count);
      return first.subarray(0, count);
    }
    if (first.length === count) {
      this.#chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.#chunks[0] as Buffer;
      const n = Math.min(chunk.length, count - filled);
      chunk.copy(out, filled, 0, n);
      filled += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    return out;
  }

  #rejectAll(error: Error): void {
    const pending = this.#pending;
    this.#pending = [];
    this.#stopTimer();
    for (const read of pending) read.reject(error);
  }
}
