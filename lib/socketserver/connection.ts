/**
 * Connection: the `request` of a stream server, standing where Python's connected socket stands.
 */
import type * as net from 'node:net';
import { SocketClosedError, TimeoutError } from '../errors';
import type { ClientAddress } from './address';
import { BufferedReader, DEFAULT_READ_AHEAD } from './buffered-reader';
import { onDirectData } from './direct-read';
import { RESOLVED, deferred, rejected, timerMilliseconds, type Deferred } from './settle';
import { SocketWriter, type ByteSink } from './socket-writer';

/** `how` for shutdown(), as Python's socket module names them: stop reading (reads see EOF). */
export const SHUT_RD = 0;
/** `how` for shutdown(): stop writing (FIN once queued bytes are out). */
export const SHUT_WR = 1;
/** `how` for shutdown(): both SHUT_RD and SHUT_WR. */
export const SHUT_RDWR = 2;

/** Bytes hold() keeps before it sends them anyway (a socket's default high-water mark). */
const HOLD_LIMIT = 16 * 1024;
/** Kept pieces up to this many bytes in all are joined into one buffer; more go out in one writev. */
const JOIN_LIMIT = HOLD_LIMIT;
/** A piece of what hold() keeps: bytes, or text to be sent as Latin-1 (one byte per character). */
type HeldPiece = Uint8Array | string;

/**
 * Where the kept pieces of a server's plain TCP and Unix sockets are joined, shared by all of them.
 * Once the kernel has taken a write whole (most writes: the socket has nothing left queued),
 * nothing refers to its bytes, and the next join reuses the buffer instead of allocating one; a
 * write left pending keeps it, and a new one is made. A 1 KB file's request costs about 2% less CPU.
 */
let sharedJoinBuffer = Buffer.allocUnsafeSlow(JOIN_LIMIT);

/** `pieces` in order, `length` bytes in all (text encoded as Latin-1), in the start of `shared` or in a new buffer. */
function joinPieces(pieces: readonly HeldPiece[], length: number, shared: Buffer | null): Buffer {
  const joined = shared === null ? Buffer.allocUnsafe(length) : shared.subarray(0, length);
  let offset = 0;
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      offset += joined.write(piece, offset, 'latin1');
    } else {
      joined.set(piece, offset);
      offset += piece.byteLength;
    }
  }
  return joined;
}

/** Queue `piece` on `socket` (text as Latin-1); false when the socket asks the writer to wait. */
function writePiece(socket: net.Socket, piece: HeldPiece): boolean {
  return typeof piece === 'string' ? socket.write(piece, 'latin1') : socket.write(piece);
}

/** How long close() lets unsent bytes drain to a client that does not read, in milliseconds. */
const LINGER_MS = 30_000;

/** What Node keeps on a socket about its write queue (undocumented fields; absent ones count as 0). */
interface QueueInternals {
  readonly _handle?: { readonly writeQueueSize?: number } | null;
  /** A TLS socket's TCP socket. */
  readonly _parent?: QueueInternals | null;
}

/** Bytes waiting in libuv's write queue of `socket`'s handle. */
function libuvQueue(socket: QueueInternals): number {
  return socket._handle?.writeQueueSize ?? 0;
}

/**
 * A connected stream socket with the methods Python code calls on one, so that handler code
 * such as `self.request.recv(1024)` / `self.request.sendall(data)` ports line for line:
 *
 * - `recv(bufsize)`: what has arrived, at most bufsize bytes; an empty Buffer once the peer closed.
 * - `sendall(data)`, `send(data)`: send a string (UTF-8) or bytes; resolves when the socket can
 *   take more. A peer that has gone makes it reject (ECONNRESET, EPIPE or SocketClosedError),
 *   never crash the process, whether or not the promise is awaited.
 * - `sendLatin1(text)`: send text one byte per character (an HTTP head), as sendall() sends bytes.
 * - `makefile('rb', bufsize)` / `makefile('wb', bufsize)`: the reader and writer that
 *   StreamRequestHandler offers as `rfile` and `wfile`. All reads share one buffer, so `recv`
 *   and `rfile` can be mixed.
 * - `settimeout(seconds | null)`, `gettimeout()`: how long a read may wait, and a send for the
 *   peer to take bytes (`sendTimeout`, which may also be set on its own). A send that waits longer
 *   rejects with TimeoutError and the connection is closed: a client that stops reading cannot
 *   hold a handler, its buffers and its open files for ever.
 * - `getpeername()`, `getsockname()`, `fileno()`, `shutdown(how)`, `close()`.
 * - `release()`: send now what this turn's sends kept; `hold()`: keep sends until release().
 * - `socket`: the underlying net.Socket, for anything Node offers beyond this. Its bytes are read
 *   through the connection only; a server's plain TCP and Unix sockets read directly
 *   (direct-read.ts) and emit no 'data' events. Write through the connection (or its wfile), or
 *   call release() before writing to the socket itself.
 *
 * Sends leave when the current turn of the event loop ends, not at once: what one connection sends
 * in a turn goes out in one write of one buffer, and the connections served in the same turn write
 * one after the other once all were served, so the peers are woken once for the lot rather than
 * once per send (uWebSockets corks per loop iteration in the same way). With 50 connections this
 * cut the CPU time per HTTP request by about a third and raised a line echo's round trips by
 * about a tenth; one connection alone sees its bytes at the end of the same turn. Kept bytes go
 * out at once past 16 KiB, and sends still resolve only when Node's buffer for the socket is
 * under its mark, so backpressure holds. A process that exits sends what it kept first; one killed
 * (SIGKILL) in the turn of a send loses it, so call release() before such an end.
 */
export class Connection implements ByteSink {
  /** The Node socket underneath. */
  readonly socket: net.Socket;
  /**
   * Seconds a send may wait while the peer takes none of the bytes queued for it (null: for ever).
   * Then the send rejects with TimeoutError and the connection is closed, as its byte stream can
   * no longer be completed. A slow peer that keeps taking bytes is not cut off.
   */
  sendTimeout: number | null = null;
  readonly #reader: BufferedReader;
  /** A server's plain TCP or Unix socket, read directly (direct-read.ts); not TLS. */
  readonly #readsDirectly: boolean;
  #failure: Error | null = null;
  #drain: Deferred<void> | null = null;
  /** While a send waits for the socket to drain: the timer that checks the peer is taking bytes. */
  #sendTimer: NodeJS.Timeout | null = null;
  /** Bytes the kernel had not yet taken when the send timer was last armed. */
  #unsentAtLastCheck = 0;
  /** What is kept to be sent at the end of this turn or at release() (null: nothing), and its length in bytes. */
  #held: HeldPiece[] | null = null;
  #heldBytes = 0;
  /** hold() was called: what is kept waits for release(), not for the end of the turn. */
  #heldUntilRelease = false;
  /** In Connection.#keepingSends. */
  #listed = false;

  /**
   * The connections that began to keep sends this turn, and those that hold() keeps across turns,
   * each listed once (`#listed`). One released early stays listed, with nothing kept, until the
   * end of the turn. A list rather than a Set: every connection answered in a turn joins it and
   * leaves it again, and a Set's table grew and shrank with them each turn.
   */
  static #keepingSends: Connection[] = [];
  static #endOfTurnScheduled = false;

  /** The turn is over: send what every connection kept in it (but what hold() keeps). */
  static readonly #releaseAtEndOfTurn = (): void => {
    Connection.#endOfTurnScheduled = false;
    const listed = Connection.#keepingSends;
    Connection.#keepingSends = [];
    for (const connection of listed) {
      connection.#listed = false;
      if (connection.#held === null) continue;
      if (connection.#heldUntilRelease) connection.#list();
      else connection.release();
    }
  };

  /**
   * The process is exiting (process.exit(), an uncaught exception): send everything kept, while
   * the sockets can still take it, as the bytes of an immediate write would have reached them.
   */
  static readonly #releaseAtExit = (): void => {
    for (const connection of Connection.#keepingSends) connection.release();
  };

  static {
    process.once('exit', this.#releaseAtExit);
  }

  constructor(socket: net.Socket) {
    this.socket = socket;
    this.#reader = new BufferedReader(socket);
    socket.pause(); // nothing is read until a handler asks (the reader resumes the socket)
    const receive = (chunk: Buffer): void => this.#reader.push(chunk);
    this.#readsDirectly = onDirectData(socket, receive);
    if (!this.#readsDirectly) socket.on('data', receive);
    socket.on('end', () => this.#reader.end());
    socket.on('drain', () => this.#settleDrain(null));
    socket.on('error', (error: Error) => this.#fail(error));
    socket.on('close', () => this.#fail(new SocketClosedError('the connection is closed')));
  }

  /** Read what has arrived, at most `bufsize` bytes, waiting for at least one; empty at EOF. */
  recv(bufsize: number): Promise<Buffer> {
    return this.#reader.read1(bufsize);
  }

  /** Send all of `data`; resolves once the socket can take more. */
  sendall(data: string | Uint8Array): Promise<void> {
    if (this.#failure !== null) return rejected(this.#failure);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.#keeping().push(bytes);
    return this.#keep(bytes.byteLength);
  }

  /**
   * Send `text` as Latin-1, one byte per character, as HTTP heads are sent (a character past
   * U+00FF keeps only its low byte, as with Buffer.from(text, 'latin1')); resolves once the socket
   * can take more. Held, the text is encoded straight into the buffer the held pieces leave in.
   */
  sendLatin1(text: string): Promise<void> {
    if (this.#failure !== null) return rejected(this.#failure);
    this.#keeping().push(text);
    return this.#keep(text.length);
  }

  /** Send several chunks in one system call (writev); resolves once the socket can take more. */
  sendmany(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.#failure !== null) return rejected(this.#failure);
    if (chunks.length === 0) return this.socket.writableNeedDrain ? this.#drained() : RESOLVED;
    const held = this.#keeping();
    let added = 0;
    for (const chunk of chunks) {
      held.push(chunk);
      added += chunk.byteLength;
    }
    return this.#keep(added);
  }

  /**
   * Keep what is sent from now on until release(), not only until the end of this turn of the
   * event loop. What is kept still goes out at once when it reaches HOLD_LIMIT bytes, so holding
   * never buffers without bound or hides backpressure.
   */
  hold(): void {
    this.#keeping();
    this.#heldUntilRelease = true;
  }

  /**
   * Send what is kept now, instead of at the end of this turn (or, after hold(), at all): small
   * pieces joined into one buffer, larger ones in one writev.
   */
  release(): void {
    this.#heldUntilRelease = false;
    const bytes = this.#heldBytes;
    const held = this.#takeKept();
    if (held === null) return;
    if (held.length === 0 || this.#failure !== null || this.socket.destroyed) return;
    if (held.length === 1) {
      writePiece(this.socket, held[0] as HeldPiece);
    } else if (bytes <= JOIN_LIMIT) {
      const shared = this.#readsDirectly ? sharedJoinBuffer : null;
      this.socket.write(joinPieces(held, bytes, shared));
      // Not taken whole at once: the pending write keeps the buffer, and the next join needs another.
      if (shared !== null && this.socket.writableLength > 0) sharedJoinBuffer = Buffer.allocUnsafeSlow(JOIN_LIMIT);
    } else {
      this.socket.cork();
      for (const piece of held) writePiece(this.socket, piece);
      this.socket.uncork();
    }
  }

  /** Send `data` and resolve with the number of bytes sent (all of them). */
  async send(data: string | Uint8Array): Promise<number> {
    await this.sendall(data);
    return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }

  /**
   * The reader ('rb') or a new writer ('wb'). `bufsize` is the read-ahead limit for a reader
   * (-1: 64 KiB) and the write buffer for a writer (0: unbuffered).
   */
  makefile(mode: 'rb', bufsize?: number): BufferedReader;
  makefile(mode: 'wb', bufsize?: number): SocketWriter;
  makefile(mode: 'rb' | 'wb', bufsize = -1): BufferedReader | SocketWriter {
    if (mode === 'wb') return new SocketWriter(this, Math.max(0, bufsize));
    this.#reader.highWaterMark = bufsize > 0 ? bufsize : DEFAULT_READ_AHEAD;
    return this.#reader;
  }

  /**
   * Seconds a read may wait, and a send for the peer to take bytes, before it rejects with
   * TimeoutError; null waits for ever. Python's socket timeout covers both directions too.
   */
  settimeout(seconds: number | null): void {
    this.#reader.timeout = seconds;
    this.sendTimeout = seconds;
  }

  /** The read timeout in seconds, or null. */
  gettimeout(): number | null {
    return this.#reader.timeout;
  }

  /** The peer's address: `[host, port]`, or '' for a Unix socket. */
  getpeername(): ClientAddress {
    const { remoteAddress, remotePort } = this.socket;
    return remoteAddress === undefined ? '' : [remoteAddress, remotePort ?? 0];
  }

  /** This end's address: `[host, port]`, or the path for a Unix socket. */
  getsockname(): ClientAddress {
    const { localAddress, localPort } = this.socket;
    return localAddress === undefined ? '' : [localAddress, localPort ?? 0];
  }

  /** The file descriptor, or -1 where Node does not expose one. */
  fileno(): number {
    return (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  }

  /**
   * Shut down one or both halves: SHUT_WR sends FIN once queued bytes are out, SHUT_RD stops
   * reading (reads see EOF), SHUT_RDWR does both.
   */
  shutdown(how: number): void {
    this.release();
    if (how === SHUT_RD || how === SHUT_RDWR) {
      this.#reader.end();
      this.socket.pause();
    }
    if (how === SHUT_WR || how === SHUT_RDWR) this.socket.end();
  }

  /**
   * Close the socket. Bytes already sent are still delivered (as the kernel does after Python's
   * close): the descriptor is released once they are out, or after 30 s if the peer never reads.
   */
  close(): void {
    this.release();
    const socket = this.socket;
    if (socket.destroyed) return;
    if (socket.writableLength === 0) {
      socket.destroy();
      return;
    }
    socket.once('finish', () => socket.destroy());
    socket.setTimeout(LINGER_MS, () => socket.destroy());
    socket.end();
  }

  /** Where sends are kept: the pieces of this turn, begun now if none are kept yet. */
  #keeping(): HeldPiece[] {
    if (this.#held !== null) return this.#held;
    this.#held = [];
    this.#list();
    if (!Connection.#endOfTurnScheduled) {
      Connection.#endOfTurnScheduled = true;
      setImmediate(Connection.#releaseAtEndOfTurn);
    }
    return this.#held;
  }

  /** What is kept (null: nothing), taken away: the connection no longer keeps sends. */
  #takeKept(): HeldPiece[] | null {
    const held = this.#held;
    this.#held = null;
    this.#heldBytes = 0;
    return held;
  }

  /** Put this connection in Connection.#keepingSends, unless it is there already. */
  #list(): void {
    if (this.#listed) return;
    this.#listed = true;
    Connection.#keepingSends.push(this);
  }

  /**
   * Count `added` bytes just kept; past HOLD_LIMIT, send everything kept now. Resolves once the
   * socket can take more: at once while it can, after 'drain' when Node's buffer is over its mark.
   */
  #keep(added: number): Promise<void> {
    this.#heldBytes += added;
    if (this.#heldBytes >= HOLD_LIMIT) {
      const untilRelease = this.#heldUntilRelease;
      this.release();
      if (untilRelease) this.hold();
    }
    return this.socket.writableNeedDrain ? this.#drained() : RESOLVED;
  }

  #drained(): Promise<void> {
    if (this.#drain === null) {
      this.#drain = deferred();
      this.#armSendTimer();
    }
    return this.#drain.promise;
  }

  #settleDrain(error: Error | null): void {
    const drain = this.#drain;
    if (drain === null) return;
    this.#drain = null;
    if (this.#sendTimer !== null) clearTimeout(this.#sendTimer);
    this.#sendTimer = null;
    if (error === null) drain.resolve();
    else drain.reject(error);
  }

  #armSendTimer(): void {
    const ms = timerMilliseconds(this.sendTimeout);
    if (ms === null) return;
    this.#unsentAtLastCheck = this.#unsent();
    this.#sendTimer = setTimeout(this.#checkSendProgress, ms).unref();
  }

  /** The send timer fired: wait on if the peer took bytes since it was armed, else give up. */
  readonly #checkSendProgress = (): void => {
    this.#sendTimer = null;
    if (this.#drain === null) return;
    if (this.#unsent() < this.#unsentAtLastCheck) {
      this.#armSendTimer();
      return;
    }
    this.#fail(new TimeoutError('timed out sending'));
    this.socket.destroy();
  };

  /**
   * Bytes queued for the peer that the kernel has not yet taken, as far as Node tells: its own
   * queue, which shrinks only as whole writes complete, plus libuv's, which shrinks with every
   * partial write (so a large buffer trickling out counts as progress). A TLS socket's encrypted
   * bytes wait in the queue of the TCP socket underneath it, which is counted too.
   */
  #unsent(): number {
    const socket = this.socket as unknown as QueueInternals;
    return this.socket.writableLength + libuvQueue(socket) + (socket._parent ? libuvQueue(socket._parent) : 0);
  }

  #fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#takeKept(); // what is kept can no longer be sent
    this.#reader.fail(error);
    this.#settleDrain(error);
  }
}
