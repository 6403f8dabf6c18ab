/**
 * StreamRequestHandler: a handler for stream servers (TCP, Unix) with `rfile` and `wfile`.
 */
import { BaseRequestHandler } from './base-request-handler';
import type { BaseServer } from './base-server';
import type { ByteReader } from './buffered-reader';
import type { Connection } from './connection';
import type { SocketWriter } from './socket-writer';

/**
 * Define `handle()` and use `this.rfile` and `this.wfile`:
 *
 * ```ts
 * class Upper extends StreamRequestHandler {
 *   override async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line.toString().toUpperCase());
 *   }
 * }
 * ```
 *
 * Fields a subclass may set (read in setup()):
 * - `timeout`: seconds a read may wait, and a write for the client to take bytes, before it
 *   rejects with TimeoutError (null: for ever); after a write's timeout the connection is closed.
 *   The error goes to the server's handleError() unless the handler catches it.
 * - `disableNagleAlgorithm`: send small writes at once (TCP_NODELAY). Default false.
 * - `rbufsize`: how many bytes rfile reads ahead before pausing the socket (-1: 64 KiB).
 * - `wbufsize`: bytes wfile collects before sending (0, the default: each write goes at once).
 *
 * Fields set by setup(): `connection` (the request, a Connection), `rfile` (a ByteReader:
 * `readline()`, `read(n)`, `read1(n)`, async iteration) and `wfile` (a SocketWriter: `write()`,
 * `flush()`). finish() flushes wfile and closes both; extend it with `super.finish()`.
 */
export class StreamRequestHandler<
  TServer extends BaseServer<Connection> = BaseServer<Connection>,
> extends BaseRequestHandler<Connection, TServer> {
  /** Read-ahead limit for rfile in bytes; -1 for the default (64 KiB). */
  rbufsize = -1;
  /** Write buffer for wfile in bytes; 0 passes every write to the connection at once (sent at the end of the turn). */
  wbufsize = 0;
  /** Seconds a read may wait, and a write for the client to take bytes; null waits for ever. */
  timeout: number | null = null;
  /** Set TCP_NODELAY on the connection. */
  disableNagleAlgorithm = false;

  /** The connection (the same object as `request`). Set by setup(). */
  connection!: Connection;
  /** Reads from the client. Set by setup(). */
  rfile!: ByteReader;
  /** Writes to the client. Set by setup(). */
  wfile!: SocketWriter;

  protected override setup(): void {
    this.connection = this.request;
    if (this.timeout !== null) this.connection.settimeout(this.timeout);
    if (this.disableNagleAlgorithm) this.connection.socket.setNoDelay(true);
    this.rfile = this.connection.makefile('rb', this.rbufsize);
    this.wfile = this.connection.makefile('wb', this.wbufsize);
  }

  protected override async finish(): Promise<void> {
    if (!this.wfile.closed) {
      try {
        await this.wfile.flush();
      } catch {
        // As in Python: a last socket error here (the client has gone) is not worth reporting.
      }
    }
    this.wfile.close();
    this.rfile.close();
  }
}
