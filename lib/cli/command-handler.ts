/**
 * The request handler the sockserve command serves with: SimpleHTTPRequestHandler, plus `--quiet`
 * and the bookkeeping a graceful stop needs.
 */
import { SimpleHTTPRequestHandler, partial } from '../http/index';
import type { BaseServer } from '../socketserver/base-server';
import type { Connection } from '../socketserver/connection';
import type { DualStackServerFields } from './dual-stack-server';
import type { CommandOptions } from './options';

/** A server that keeps a record of its connections, as DualStackServerMixin's do. */
export type TrackingServer = BaseServer<Connection> & DualStackServerFields;

/**
 * SimpleHTTPRequestHandler for a TrackingServer: it tells the server's ConnectionTracker when a
 * request starts and ends, and closes the connection after its response once the server is
 * stopping.
 *
 * Field a subclass (or `partial()`) may set: `quiet` (false): log nothing, neither requests nor
 * errors answered with a status (exceptions still reach the server's handleError()).
 */
export class CommandRequestHandler extends SimpleHTTPRequestHandler<TrackingServer> {
  /** Log nothing per request. */
  quiet = false;

  /** Write the log line unless `quiet`. */
  override logMessage(format: string, ...args: unknown[]): void {
    if (!this.quiet) super.logMessage(format, ...args);
  }

  /** Mark the connection busy from the request line on. */
  protected override parseRequest(): Promise<boolean> {
    this.server.connections.requestStarted(this.connection.socket);
    return super.parseRequest();
  }

  /** Answer one request; then the connection is idle, or closes if the server is stopping. */
  protected override async handleOneRequest(): Promise<void> {
    try {
      await super.handleOneRequest();
    } finally {
      if (!this.server.connections.requestFinished(this.connection.socket)) this.closeConnection = true;
    }
  }
}

/** The handler class for `options`: Python's `partial(SimpleHTTPRequestHandler, directory=…)`. */
export function commandHandlerClass(options: CommandOptions): typeof CommandRequestHandler {
  return partial(CommandRequestHandler, {
    directory: options.directory,
    protocolVersion: options.protocol,
    cors: options.cors,
    serveDotfiles: options.serveDotfiles,
    spa: options.spa,
    cacheControl: options.cache,
    precompressed: options.precompressed,
    quiet: options.quiet,
  });
}
