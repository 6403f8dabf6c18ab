/**
 * BaseRequestHandler: one object per request, as in Python's socketserver.
 */
import type { ClientAddress } from './address';
import type { Awaitable, BaseServer, RequestHandler } from './base-server';

/**
 * The base of every request handler. The server makes one for each request and calls `run()`,
 * which calls `setup()`, then `handle()`, then `finish()`; `finish()` runs even if `handle()`
 * throws, and the error then goes to the server's `handleError()`.
 *
 * Methods that may be overridden (each may return a Promise; it is awaited):
 * - `setup()`: prepare for the request (StreamRequestHandler makes rfile and wfile here).
 * - `handle()`: do the work. The default does nothing.
 * - `finish()`: clean up.
 *
 * Fields, set before setup():
 * - `request`: a Connection for stream servers, `[data, socket]` for datagram servers.
 * - `clientAddress`: `[host, port]`, or '' for a Unix socket peer.
 * - `server`: the server. Pass your server class as a type argument to read your own fields on
 *   it: `class H extends StreamRequestHandler<MyServer>`.
 *
 * Do not override the constructor's signature: the server calls it with these three arguments.
 * Fields declared in a subclass are set after the constructor, before setup().
 */
export class BaseRequestHandler<
  TRequest = unknown,
  TServer extends BaseServer<TRequest> = BaseServer<TRequest>,
> implements RequestHandler {
  /** The request: a Connection (stream) or `[data, socket]` (datagram). */
  request: TRequest;
  /** Who sent it. */
  clientAddress: ClientAddress;
  /** The server that took the request in. */
  server: TServer;

  constructor(request: TRequest, clientAddress: ClientAddress, server: TServer) {
    this.request = request;
    this.clientAddress = clientAddress;
    this.server = server;
  }

  /** Run setup(), handle() and finish(). Called by the server; do not override. */
  async run(): Promise<void> {
    await this.setup();
    try {
      await this.handle();
    } finally {
      await this.finish();
    }
  }

  /** Called before handle(). May be overridden. */
  protected setup(): Awaitable<void> {}

  /** Service the request. Override this. */
  protected handle(): Awaitable<void> {}

  /** Called after handle(), even when it threw. May be overridden. */
  protected finish(): Awaitable<void> {}
}
