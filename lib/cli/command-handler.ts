/**
 * The request handlers the sockserve command serves with: SimpleHTTPRequestHandler (or, with
 * `--cgi`, CGIHTTPRequestHandler), plus `--quiet` and the bookkeeping a graceful stop needs.
 */
import { CGIHTTPRequestHandler, SimpleHTTPRequestHandler, partial } from '../http/index';
import type { StatusCode } from '../http/status';
import type { BaseServer } from '../socketserver/base-server';
import type { Connection } from '../socketserver/connection';
import { RESOLVED } from '../socketserver/settle';
import type { MixinConstructor } from '../socketserver/threading';
import type { DualStackServerFields } from './dual-stack-server';
import type { CommandOptions } from './options';

/** A server that keeps a record of its connections, as DualStackServerMixin's do. */
export type TrackingServer = BaseServer<Connection> & DualStackServerFields;

/** What CommandHandlerMixin adds to a handler. */
export interface CommandHandlerFields {
  /** Log nothing per request. */
  quiet: boolean;
}

/**
 * Make a handler class for a TrackingServer from a SimpleHTTPRequestHandler class: it tells the
 * server's ConnectionTracker when a request starts and when the connection waits for the next
 * one, and closes the connection after its response once the server is stopping.
 *
 * Field a subclass (or `partial()`) may set: `quiet` (false): log nothing, neither requests nor
 * errors answered with a status (exceptions still reach the server's handleError()).
 */
export function CommandHandlerMixin<TBase extends MixinConstructor<SimpleHTTPRequestHandler<TrackingServer>>>(
  Base: TBase,
): TBase & MixinConstructor<CommandHandlerFields> {
  class CommandHandler extends Base implements CommandHandlerFields {
    quiet = false;

    /** Write the log line unless `quiet`. */
    override logMessage(format: string, ...args: unknown[]): void {
      if (!this.quiet) super.logMessage(format, ...args);
    }

    /** Log the request unless `quiet` (which then costs nothing: the line's parts are not even made). */
    override logRequest(code?: StatusCode | '-', size?: number | '-'): void {
      if (!this.quiet) super.logRequest(code, size);
    }

    /** Mark the connection busy from the request line on. */
    protected override parseRequest(): Promise<boolean> {
      this.server.connections.requestStarted(this.connection);
      return super.parseRequest();
    }

    /**
     * Wait for the next request and answer it. The one before it, if any, is answered by now, so
     * the connection is idle until the request line arrives; once the server is stopping it
     * closes instead. Said here rather than after each response in an async wrapper, whose extra
     * promise cost about 3% of the CPU time of a request for a 1 KB file (npm run bench:compare).
     */
    protected override handleOneRequest(): Promise<void> {
      if (this.server.connections.awaitingRequest(this.connection)) return super.handleOneRequest();
      this.closeConnection = true;
      return RESOLVED;
    }
  }
  return CommandHandler;
}

/** SimpleHTTPRequestHandler for a TrackingServer (see CommandHandlerMixin). */
export class CommandRequestHandler extends CommandHandlerMixin(SimpleHTTPRequestHandler<TrackingServer>) {}

/** CGIHTTPRequestHandler for a TrackingServer, for `--cgi` (see CommandHandlerMixin). */
export class CommandCGIRequestHandler extends CommandHandlerMixin(CGIHTTPRequestHandler<TrackingServer>) {}

/** The handler class for `options`: Python's `partial(SimpleHTTPRequestHandler, directory=…)`, or the CGI one. */
export function commandHandlerClass(
  options: CommandOptions,
): typeof CommandRequestHandler | typeof CommandCGIRequestHandler {
  const fields = {
    directory: options.directory,
    protocolVersion: options.protocol,
    cors: options.cors,
    serveDotfiles: options.serveDotfiles,
    spa: options.spa,
    cacheControl: options.cache,
    precompressed: options.precompressed,
    quiet: options.quiet,
  };
  if (!options.cgi) return partial(CommandRequestHandler, fields);
  return partial(CommandCGIRequestHandler, {
    ...fields,
    ...(options.cgiMaxScripts === null ? {} : { cgiMaxScripts: options.cgiMaxScripts }),
    ...(options.cgiTimeout === null ? {} : { cgiTimeout: options.cgiTimeout }),
  });
}
