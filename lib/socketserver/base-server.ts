/**
 * BaseServer: the serving loop and the request pipeline of Python's socketserver.BaseServer.
 */
import { ErrorCodes, ServerStateError, rangeError } from '../errors';
import { AcceptQueue } from './accept-queue';
import { formatAddress, type ClientAddress, type ServerAddress } from './address';
import { RESOLVED, deferred, handled, type Deferred } from './settle';

/** Something a server can run for a request: BaseRequestHandler and its subclasses. */
export interface RequestHandler {
  /** setup(), handle(), finish(): the handler's whole life for one request. */
  run(): Promise<void>;
}

/**
 * A class the server instantiates for each request, as Python calls `RequestHandlerClass(…)`.
 * The server parameter is typed `never` so that a handler declaring its own server type
 * (`extends StreamRequestHandler<MyServer>`) is accepted by that server.
 */
export type RequestHandlerClass<TRequest = unknown> = new (
  request: TRequest,
  clientAddress: ClientAddress,
  server: never,
) => RequestHandler;

/** A value or a promise of it: every hook may be async, and the server awaits it. */
export type Awaitable<T> = T | Promise<T>;

/** Print a failure of the error handler itself, so that nothing escapes the serving loop. */
export function reportHookFailure(error: unknown): void {
  process.stderr.write(`Exception in the server's error handling:\n${describeError(error)}\n`);
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? String(error)) : String(error);
}

/**
 * The base of every server: it takes requests from a subclass (which owns the socket) and runs
 * each through the same pipeline as Python's BaseServer.
 *
 * Methods for the caller:
 * - `new Server(serverAddress, RequestHandlerClass)`
 * - `await ready()`: resolves once the socket listens (real port in `serverAddress`), rejects
 *   with the bind error.
 * - `await serveForever(pollInterval = 0.5)`: serve until `shutdown()`; `serviceActions()` runs
 *   at least every `pollInterval` seconds.
 * - `await shutdown()`: ask serveForever to stop; resolves once it has returned. Called before
 *   serveForever starts, it makes that call return at once. Do not await it from a handler of a
 *   sequential server (it would wait for itself), as in Python.
 * - `await handleRequest()`: serve one request, or call `handleTimeout()` after `timeout` seconds.
 * - `await serverClose()`, or `await using server = …`: release the socket.
 * - `await serverBind()`, `await serverActivate()`: only for a server made with
 *   `bindAndActivate = false` (then ready() resolves at once; await these instead).
 *
 * Methods that may be overridden (each may return a Promise; the server awaits it):
 * - `serverBind()`, `serverActivate()`, `getRequest()`, `verifyRequest(request, clientAddress)`,
 *   `processRequest(request, clientAddress)`, `finishRequest(request, clientAddress)`,
 *   `shutdownRequest(request)`, `closeRequest(request)`, `handleError(request, clientAddress, error)`,
 *   `handleTimeout()`, `serviceActions()`, `serverClose()`.
 *
 * Fields the handler can read: `serverAddress`, `RequestHandlerClass`, `timeout`.
 * Field a subclass may set: `timeout` (seconds that handleRequest() waits; null = for ever).
 */
export class BaseServer<TRequest = unknown> {
  /** Seconds handleRequest() waits for a request before calling handleTimeout(); null: for ever. */
  timeout: number | null = null;
  /** Where the server listens; after ready() it holds the real address (and port). */
  serverAddress: ServerAddress;
  /** The class instantiated for each request. */
  RequestHandlerClass: RequestHandlerClass<TRequest>;

  readonly #incoming = new AcceptQueue<[TRequest, ClientAddress]>();
  #ready: Promise<void> = RESOLVED;
  #shutdownRequested = false;
  /** Settled when no serveForever loop is running. */
  #isShutDown: Deferred<void> | null = null;
  #closed = false;

  /** Constructor. May be extended, do not override. */
  constructor(serverAddress: ServerAddress, RequestHandlerClass: RequestHandlerClass<TRequest>) {
    this.serverAddress = serverAddress;
    this.RequestHandlerClass = RequestHandlerClass;
  }

  /**
   * Resolves once the server is bound and listening; rejects with the bind error. For a server made
   * with `bindAndActivate = false` it resolves at once: await serverBind() and serverActivate().
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Handle requests until shutdown() is called. `pollInterval` (seconds) is how often
   * serviceActions() runs when no request comes; shutdown does not wait for it.
   */
  async serveForever(pollInterval = 0.5): Promise<void> {
    if (!(pollInterval >= 0)) {
      throw rangeError(
        ErrorCodes.INVALID_ARGUMENT,
        `pollInterval must be a number of seconds >= 0, got ${pollInterval}`,
      );
    }
    await this.#ready;
    this.#assertOpen();
    const isShutDown = deferred();
    this.#isShutDown = isShutDown;
    try {
      while (!this.#shutdownRequested) {
        const result = await this.#incoming.wait(pollInterval, true);
        if (this.#shutdownRequested || result === 'closed') break;
        if (result === 'ready') await this.#handleRequestNoblock();
        await this.serviceActions();
      }
    } finally {
      this.#shutdownRequested = false;
      this.#isShutDown = null;
      isShutDown.resolve();
    }
  }

  /** Stop the serveForever loop; resolves once it has returned. */
  shutdown(): Promise<void> {
    this.#shutdownRequested = true;
    this.#incoming.interrupt();
    return this.#isShutDown?.promise ?? RESOLVED;
  }

  /** Handle one request, or call handleTimeout() if none comes within `timeout` seconds. */
  async handleRequest(): Promise<void> {
    await this.#ready;
    this.#assertOpen();
    const result = await this.#incoming.wait(this.timeout, false);
    if (result === 'ready') await this.#handleRequestNoblock();
    else if (result === 'timeout') await this.handleTimeout();
  }

  /** Called by handleRequest() when `timeout` passes with no request. May be overridden. */
  protected handleTimeout(): Awaitable<void> {}

  /** Called once per loop of serveForever(). May be overridden. */
  protected serviceActions(): Awaitable<void> {}

  /** Bind the socket. Subclasses that own a socket override this. */
  serverBind(): Awaitable<void> {}

  /** Start listening. Subclasses that own a socket override this. */
  serverActivate(): Awaitable<void> {}

  /** Take the next request the socket has accepted: `[request, clientAddress]`. May be overridden. */
  protected getRequest(): Awaitable<[TRequest, ClientAddress] | undefined> {
    return this.#incoming.shift();
  }

  /** Return false to refuse a request: it is shut down without running the handler. May be overridden. */
  protected verifyRequest(_request: TRequest, _clientAddress: ClientAddress): Awaitable<boolean> {
    return true;
  }

  /** Run the request: finishRequest() then shutdownRequest(). Overridden by the mixins. */
  protected async processRequest(request: TRequest, clientAddress: ClientAddress): Promise<void> {
    await this.finishRequest(request, clientAddress);
    await this.shutdownRequest(request);
  }

  /** Finish one request by instantiating RequestHandlerClass and running it. */
  protected async finishRequest(request: TRequest, clientAddress: ClientAddress): Promise<void> {
    await new this.RequestHandlerClass(request, clientAddress, this as never).run();
  }

  /** End one request: shut the connection down and close it. May be overridden. */
  protected shutdownRequest(request: TRequest): Awaitable<void> {
    return this.closeRequest(request);
  }

  /** Clean up one request. May be overridden. */
  protected closeRequest(_request: TRequest): Awaitable<void> {}

  /**
   * Handle an error thrown while processing a request. The default prints Python's report to
   * stderr (a line of dashes, the client, the stack) and the server goes on. May be overridden.
   */
  protected handleError(_request: TRequest, clientAddress: ClientAddress, error: unknown): Awaitable<void> {
    const dashes = '-'.repeat(40);
    process.stderr.write(
      `${dashes}\nException occurred during processing of request from ${formatAddress(clientAddress)}\n` +
        `${describeError(error)}\n${dashes}\n`,
    );
  }

  /** Release the server's resources; requests not yet picked up are closed. May be extended. */
  serverClose(): Awaitable<void> {
    this.#closed = true;
    for (const [request] of this.#incoming.close()) void handled(Promise.resolve(this.closeRequest(request)));
  }

  /** `await using server = new TCPServer(…)` calls serverClose() at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.serverClose();
  }

  /** For subclasses that own a socket: hand over a request the socket took in. */
  protected enqueueRequest(request: TRequest, clientAddress: ClientAddress): boolean {
    return this.#incoming.push([request, clientAddress]);
  }

  /** Requests taken in and not yet picked up. */
  protected get queuedRequests(): number {
    return this.#incoming.length;
  }

  /**
   * For constructors of servers that own a socket: once every constructor and field initialiser
   * has run, call serverBind() and serverActivate() (serverClose() if either fails), and make
   * ready() report the outcome. This is Python's `bind_and_activate`.
   */
  protected scheduleBindAndActivate(): void {
    this.#ready = handled(
      RESOLVED.then(async () => {
        try {
          await this.serverBind();
          await this.serverActivate();
        } catch (error) {
          await this.serverClose();
          throw error;
        }
      }),
    );
  }

  async #handleRequestNoblock(): Promise<void> {
    let next: [TRequest, ClientAddress] | undefined;
    try {
      next = await this.getRequest();
    } catch {
      return; // as Python: a failed accept is skipped
    }
    if (next === undefined) return;
    const [request, clientAddress] = next;
    try {
      if (await this.verifyRequest(request, clientAddress)) {
        await this.processRequest(request, clientAddress);
        return;
      }
    } catch (error) {
      await this.#runHook(() => this.handleError(request, clientAddress, error));
    }
    // Refused or failed: the connection is closed whatever the hooks above did.
    await this.#runHook(() => this.shutdownRequest(request));
  }

  /** Run a hook on the error path; a failure of the hook itself is printed, never thrown. */
  async #runHook(hook: () => Awaitable<void>): Promise<void> {
    try {
      await hook();
    } catch (error) {
      reportHookFailure(error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new ServerStateError('the server is closed');
  }
}
