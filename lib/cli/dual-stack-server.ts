/**
 * The servers the sockserve command runs: Python's HTTPDualStackServer and HTTPSDualStackServer
 * (threading HTTP(S) servers that serve IPv4 clients on an IPv6 socket too), which also keep
 * track of their connections so that stopping them is graceful and prompt.
 */
import * as dns from 'node:dns';
import { ThreadingHTTPServer, ThreadingHTTPSServer } from '../http/http-server';
import type { AddressFamily, ClientAddress } from '../socketserver/address';
import type { Awaitable } from '../socketserver/base-server';
import type { Connection } from '../socketserver/connection';
import type { TCPServer } from '../socketserver/tcp-server';
import type { MixinConstructor } from '../socketserver/threading';
import { ConnectionTracker } from './connection-tracker';

/** What DualStackServerMixin adds to a server. */
export interface DualStackServerFields {
  /** The connections open on the server, busy or idle. */
  readonly connections: ConnectionTracker;
  /**
   * Stop serving: end the serveForever loop, close the listening socket, close idle connections,
   * let responses in flight finish, and destroy what is left after `graceSeconds`.
   */
  drain(graceSeconds: number): Promise<void>;
}

/**
 * Python's DualStackServerMixin, for Node. Dual-stack needs no code: Node (libuv) binds an IPv6
 * socket with IPV6_V6ONLY off unless told otherwise, as Python's mixin sets it. The directory
 * Python's mixin passes in finish_request() is given here with `partial()` on the handler class.
 * What it adds is the `connections` record (each request's connection, from processRequest()),
 * `drain()`, and a handleError() that stays quiet about connections drain() had to cut.
 */
export function DualStackServerMixin<TBase extends MixinConstructor<TCPServer>>(
  Base: TBase,
): TBase & MixinConstructor<DualStackServerFields> {
  class DualStackServer extends Base implements DualStackServerFields {
    readonly connections = new ConnectionTracker();

    /** Record the connection, then hand it on. */
    protected override processRequest(request: Connection, clientAddress: ClientAddress): Promise<void> {
      this.connections.add(request);
      return super.processRequest(request, clientAddress);
    }

    /** Report an error, unless it comes from a connection drain() cut (a handler writing to it fails). */
    protected override handleError(request: Connection, clientAddress: ClientAddress, error: unknown): Awaitable<void> {
      if (this.connections.wasCut(request)) return;
      return super.handleError(request, clientAddress, error);
    }

    async drain(graceSeconds: number): Promise<void> {
      await this.shutdown();
      await this.serverClose();
      await this.connections.drain(graceSeconds);
    }
  }
  return DualStackServer;
}

/** A ThreadingHTTPServer that serves IPv4 and IPv6 clients on '::' and drains when stopped. */
export class HTTPDualStackServer extends DualStackServerMixin(ThreadingHTTPServer) {}

/** A ThreadingHTTPSServer that serves IPv4 and IPv6 clients on '::' and drains when stopped. */
export class HTTPSDualStackServer extends DualStackServerMixin(ThreadingHTTPSServer) {}

/** Where to bind: the address family and the host. */
export interface BindAddress {
  readonly family: Extract<AddressFamily, 'AF_INET' | 'AF_INET6'>;
  readonly host: string;
}

/**
 * Python's `_get_best_family(bind, port)`: the first address the resolver gives for `bind`
 * (in the resolver's order, as getaddrinfo returns it), or '::' (every interface, IPv4 clients
 * included) when there is no `-b`.
 */
export async function bestAddress(bind: string | null): Promise<BindAddress> {
  if (bind === null) return { family: 'AF_INET6', host: '::' };
  // getaddrinfo('') fails in Python; Node's lookup would answer null instead.
  if (bind === '') throw Object.assign(new Error('getaddrinfo ENOTFOUND (empty host name)'), { code: 'ENOTFOUND' });
  const { address, family } = await dns.promises.lookup(bind, { order: 'verbatim' });
  return { family: family === 6 ? 'AF_INET6' : 'AF_INET', host: address };
}
