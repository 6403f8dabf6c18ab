/**
 * HTTPServer, ThreadingHTTPServer, HTTPSServer and ThreadingHTTPSServer.
 */
import { readFileSync } from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as tls from 'node:tls';
import { ErrorCodes, typeError } from '../errors';
import type { ServerAddress } from '../socketserver/address';
import type { RequestHandlerClass } from '../socketserver/base-server';
import type { Connection } from '../socketserver/connection';
import { TCPServer } from '../socketserver/tcp-server';
import { ThreadingMixIn } from '../socketserver/threading';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * A TCPServer for HTTP handlers, one connection at a time. After binding it knows `serverName`
 * (the bound host, or this machine's host name for a wildcard address; no reverse DNS lookup)
 * and `serverPort`. `allowReuseAddress` is true, as in Python; `requestQueueSize` is 511 (Python: 5).
 */
export class HTTPServer extends TCPServer {
  override allowReuseAddress = true;
  /** The listen backlog: Node's http default (511), not Python's 5, so a burst of clients is not dropped. */
  override requestQueueSize = 511;
  /** The host the server answers as (CGI's SERVER_NAME). Set by serverBind(). */
  serverName = '';
  /** The port it listens on. Set by serverBind(). */
  serverPort = 0;

  /** Bind, then record serverName and serverPort. May be extended. */
  override async serverBind(): Promise<void> {
    await super.serverBind();
    if (typeof this.serverAddress === 'string') {
      this.serverName = os.hostname();
      return;
    }
    const [host, port] = this.serverAddress;
    this.serverName = WILDCARDS.has(host) ? os.hostname() : host;
    this.serverPort = port;
  }
}

/** An HTTPServer that handles each connection concurrently; handlers are daemon (not waited for). */
export class ThreadingHTTPServer extends ThreadingMixIn(HTTPServer) {
  override daemonThreads = true;
}

/** Where HTTPSServer finds its certificate, as Python's keyword arguments. */
export interface HTTPSOptions {
  /** PEM file with the certificate chain (and the key, if `keyfile` is not given). */
  certfile: string;
  /** PEM file with the private key. */
  keyfile?: string | null;
  /** Passphrase of the key, or a function returning it. */
  password?: string | (() => string) | null;
  /** ALPN protocols offered; default ['http/1.1']. */
  alpnProtocols?: string[] | null;
}

/**
 * An HTTPServer over TLS: `new HTTPSServer(address, Handler, { certfile, keyfile })`, or with
 * `bindAndActivate` before the options as in Python. The certificate is loaded in
 * serverActivate(), so a bad file rejects ready(). Each connection's handshake runs on that
 * connection as its handler first reads: a slow or failed handshake never blocks the accept loop
 * (in Python's it does), and a failed one closes only that connection.
 *
 * Fields: `certfile`, `keyfile`, `password`, `alpnProtocols` (from the options).
 */
export class HTTPSServer extends HTTPServer {
  /** The certificate file. */
  certfile: string;
  /** The key file, or null to read the key from certfile. */
  keyfile: string | null;
  /** The key's passphrase (or a function returning it), or null. */
  password: string | (() => string) | null;
  /** ALPN protocols offered to clients. */
  alpnProtocols: string[];
  #context: tls.SecureContext | null = null;

  constructor(
    serverAddress: ServerAddress,
    RequestHandlerClass: RequestHandlerClass<Connection>,
    options: HTTPSOptions,
  );
  constructor(
    serverAddress: ServerAddress,
    RequestHandlerClass: RequestHandlerClass<Connection>,
    bindAndActivate: boolean,
    options: HTTPSOptions,
  );
  constructor(
    serverAddress: ServerAddress,
    RequestHandlerClass: RequestHandlerClass<Connection>,
    bindOrOptions: boolean | HTTPSOptions,
    maybeOptions?: HTTPSOptions,
  ) {
    const bindAndActivate = typeof bindOrOptions === 'boolean' ? bindOrOptions : true;
    const options = typeof bindOrOptions === 'boolean' ? maybeOptions : bindOrOptions;
    if (options === undefined || typeof options.certfile !== 'string') {
      throw typeError(ErrorCodes.INVALID_ARGUMENT, 'HTTPSServer needs options with a certfile');
    }
    super(serverAddress, RequestHandlerClass, bindAndActivate);
    this.certfile = options.certfile;
    this.keyfile = options.keyfile ?? null;
    this.password = options.password ?? null;
    this.alpnProtocols = options.alpnProtocols ?? ['http/1.1'];
  }

  /** Load the certificate and key into a TLS context. May be extended. */
  override async serverActivate(): Promise<void> {
    await super.serverActivate();
    const passphrase = typeof this.password === 'function' ? this.password() : this.password;
    this.#context = tls.createSecureContext({
      cert: readFileSync(this.certfile),
      key: readFileSync(this.keyfile ?? this.certfile),
      ...(passphrase === null ? {} : { passphrase }),
    });
  }

  /** Wrap each accepted socket in TLS (server side). */
  protected override wrapSocket(socket: net.Socket): net.Socket {
    if (this.#context === null) throw new Error('HTTPSServer is not activated');
    return new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: this.#context,
      ALPNProtocols: this.alpnProtocols,
    });
  }
}

/** An HTTPSServer that handles each connection concurrently; handlers are daemon. */
export class ThreadingHTTPSServer extends ThreadingMixIn(HTTPSServer) {
  override daemonThreads = true;
}
