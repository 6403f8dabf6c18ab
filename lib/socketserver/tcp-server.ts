/**
 * TCPServer and UnixStreamServer: stream servers that hand each connection to a handler.
 */
import * as net from 'node:net';
import { unsupported } from '../errors';
import {
  inetAddress,
  resolveBindHost,
  unixPath,
  type AddressFamily,
  type ClientAddress,
  type ServerAddress,
} from './address';
import { BaseServer, type RequestHandlerClass } from './base-server';
import { Connection, SHUT_WR } from './connection';
import { readingDirectly } from './direct-read';
import { reusePortSupported } from './runtime';

/**
 * A TCP server that serves one connection at a time, as Python's does: later clients are taken
 * in but not read until the handler of the one before has finished.
 *
 * ```ts
 * const server = new TCPServer(['127.0.0.1', 9999], MyHandler);
 * await server.ready();            // bound and listening; serverAddress has the real port
 * await server.serveForever();     // until `await server.shutdown()`
 * ```
 *
 * Fields a subclass may set (read when binding, after the constructor):
 * - `addressFamily`: 'AF_INET' (default), 'AF_INET6' or 'AF_UNIX'. Host names resolve in this
 *   family only; '' binds every interface of it.
 * - `requestQueueSize`: the listen backlog (5).
 * - `allowReuseAddress`: kept for ported code. Node sets SO_REUSEADDR on every TCP listener, so a
 *   restarted server can always bind again at once, whatever this says.
 * - `allowReusePort`: SO_REUSEPORT, so several processes share one port (Node 22.12 or later;
 *   on older Node, binding rejects with SOCKSERVE_ERR_UNSUPPORTED).
 * - `listenFd`: a listening socket this process inherited, by file descriptor (systemd socket
 *   activation passes the first as 3): served instead of binding `serverAddress`. A Unix socket
 *   is served by a UnixStreamServer.
 *
 * Besides BaseServer's methods: `socket` (the net.Server), `fileno()`. `serverBind()` binds and
 * listens (Node does both in one call, so the backlog is applied there) and sets `serverAddress`;
 * `serverActivate()` is an empty hook kept for subclasses, as Python's UDPServer has one.
 * Pass `bindAndActivate = false` to call them yourself, after changing fields.
 */
export class TCPServer extends BaseServer<Connection> {
  /** Which kind of address to bind: 'AF_INET', 'AF_INET6' or 'AF_UNIX'. */
  addressFamily: AddressFamily = 'AF_INET';
  /** The listen backlog. */
  requestQueueSize = 5;
  /** Kept for ported code: Node always sets SO_REUSEADDR on TCP listeners. */
  allowReuseAddress = false;
  /** Set SO_REUSEPORT (Node 22.12 or later). */
  allowReusePort = false;
  /**
   * The file descriptor of an already listening socket to serve (inherited from a supervisor:
   * systemd socket activation passes the first as 3), or null to bind `serverAddress`.
   */
  listenFd: number | null = null;
  /** The listening socket. */
  readonly socket: net.Server;

  /**
   * Make the server; unless `bindAndActivate` is false, binding starts once construction is done
   * and `ready()` reports it.
   */
  constructor(
    serverAddress: ServerAddress,
    RequestHandlerClass: RequestHandlerClass<Connection>,
    bindAndActivate = true,
  ) {
    super(serverAddress, RequestHandlerClass);
    this.socket = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
    this.socket.on('connection', (socket: net.Socket) => this.#accept(socket));
    this.socket.on('error', (error: Error) => {
      // Errors while listening are failed accepts (EMFILE, …): Python skips them and goes on.
      if (this.socket.listening) process.stderr.write(`accept failed: ${error.message}\n`);
    });
    if (bindAndActivate) this.scheduleBindAndActivate();
  }

  /**
   * Bind and listen on `serverAddress` (or take over the socket `listenFd` names), then store the
   * real address in it. May be extended.
   */
  override async serverBind(): Promise<void> {
    if (this.listenFd !== null) {
      await listen(this.socket, { fd: this.listenFd });
      const bound = this.socket.address();
      this.serverAddress = typeof bound === 'string' || bound === null ? (bound ?? '') : [bound.address, bound.port];
      return;
    }
    if (this.addressFamily === 'AF_UNIX') {
      const path = unixPath(this.serverAddress);
      await listen(this.socket, { path, backlog: this.requestQueueSize });
      this.serverAddress = path;
      return;
    }
    const [host, port] = inetAddress(this.serverAddress, this.addressFamily);
    if (this.allowReusePort && !reusePortSupported()) {
      throw unsupported(`allowReusePort needs Node.js 22.12 or later (this is ${process.version})`);
    }
    const bindHost = await resolveBindHost(host, this.addressFamily);
    await listen(this.socket, {
      host: bindHost,
      port,
      backlog: this.requestQueueSize,
      ...(this.allowReusePort ? { reusePort: true } : {}),
    });
    const bound = this.socket.address() as net.AddressInfo;
    this.serverAddress = [bound.address, bound.port];
  }

  /** Close the listening socket and the connections not yet picked up. May be extended. */
  override async serverClose(): Promise<void> {
    await super.serverClose();
    if (this.socket.listening) this.socket.close();
  }

  /** The listening socket's file descriptor, or -1 where Node does not expose it. */
  fileno(): number {
    return (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  }

  /**
   * Called for each accepted socket before it becomes a Connection; returns the socket to use.
   * HTTPSServer wraps it in TLS here, so each handshake runs on its own connection and never in
   * the accept loop. When it returns `socket` itself, the server makes that socket again to read
   * directly into the connection (direct-read.ts): listeners put on `socket` here stay on the
   * old object. May be overridden.
   */
  protected wrapSocket(socket: net.Socket): net.Socket {
    return socket;
  }

  /** Send FIN once the response is out, then close. May be overridden. */
  protected override shutdownRequest(request: Connection): void {
    request.shutdown(SHUT_WR);
    this.closeRequest(request);
  }

  /** Close the connection (queued bytes are still delivered). May be overridden. */
  protected override closeRequest(request: Connection): void {
    request.close();
  }

  #accept(socket: net.Socket): void {
    let clientAddress: ClientAddress = '';
    if (this.addressFamily !== 'AF_UNIX') {
      const { remoteAddress, remotePort } = socket;
      if (remoteAddress === undefined || remotePort === undefined) {
        socket.destroy(); // reset before we saw it
        return;
      }
      clientAddress = [remoteAddress, remotePort];
    }
    let connection: Connection;
    try {
      // A socket left as it is (no TLS around it) reads straight into the connection's buffer.
      const wrapped = this.wrapSocket(socket);
      connection = new Connection(wrapped === socket ? readingDirectly(socket) : wrapped);
    } catch (error) {
      socket.destroy();
      process.stderr.write(`accept failed: ${(error as Error).message}\n`);
      return;
    }
    if (!this.enqueueRequest(connection, clientAddress)) connection.socket.destroy();
  }
}

/** A TCPServer on a Unix stream socket: `serverAddress` is a path; clients' addresses are ''. */
export class UnixStreamServer extends TCPServer {
  override addressFamily: AddressFamily = 'AF_UNIX';
}

/** Listen with `options`, or on an inherited socket (`{ fd }`); rejects with the error listening met. */
function listen(server: net.Server, options: net.ListenOptions | { fd: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options);
  });
}
