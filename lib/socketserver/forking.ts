/**
 * ForkingMixIn and the forking servers: every request handled in another process.
 */
import type * as net from 'node:net';
import * as os from 'node:os';
import * as tls from 'node:tls';
import { ErrorCodes, ServerStateError, rangeError, typeError, unsupported } from '../errors';
import type { ClientAddress } from './address';
import { reportHookFailure, type Awaitable } from './base-server';
import { Connection } from './connection';
import type { DatagramRequest } from './datagram-request-handler';
import { DatagramSocket } from './datagram-socket';
import { fieldsSetBy, type BoundFields } from './forking-bound-fields';
import { mainScript, workerEnvironment, workerExecArgv, workerRole } from './forking-launch';
import { WorkerPool } from './forking-pool';
import type { RequestPayload } from './forking-protocol';
import { WorkerChannel } from './forking-worker';
import { rejected } from './settle';
import { TCPServer, UnixStreamServer } from './tcp-server';
import type { MixinConstructor, ServerClass } from './threading';
import { UDPServer } from './udp-server';

export { isForkingWorker } from './forking-launch';

/** The fields and methods ForkingMixIn adds. */
export interface ForkingMixInFields {
  /** Python's `max_children` (40): at most this many worker processes. */
  maxChildren: number;
  /** Worker processes to run; null: `os.availableParallelism()`. Capped by `maxChildren`. */
  poolSize: number | null;
  /** true: serverClose() waits for the requests in the workers' hands and for the workers to exit. */
  blockOnClose: boolean;
  /** The script workers run; null: this process's main module. */
  workerScript: string | null;
  /** Node options for the workers; null: this process's, plus ts-node for a TypeScript script. */
  workerExecArgv: string[] | null;
  /** Names this server to its workers: a worker serves the server constructed with the same key. */
  workerKey: string;
  /** Process ids of the running workers (Python's `active_children`); null before serverActivate(). */
  readonly activeChildren: ReadonlySet<number> | null;
  /** true in a worker process. */
  readonly isWorker: boolean;
  /**
   * Start workers in place of those that have exited. With `blocking`, also wait until no request
   * is in a worker's hands and, once the server is closed, until every worker has exited.
   */
  collectChildren(options?: { blocking?: boolean }): Promise<void>;
}

/** Forking servers constructed in this process: the default `workerKey` of each is its number. */
let serversConstructed = 0;
/** In a worker: whether a server has already taken the role (only the first with the key does). */
let roleTaken = false;
/** What a worker's ready(), serveForever() and handleRequest() return: the script does not go on. */
const NEVER: Promise<never> = new Promise<never>(() => {});

function isDatagramRequest(request: unknown): request is DatagramRequest {
  return (
    Array.isArray(request) &&
    request.length === 2 &&
    Buffer.isBuffer(request[0]) &&
    request[1] instanceof DatagramSocket
  );
}

function checkCount(name: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw rangeError(ErrorCodes.INVALID_ARGUMENT, `${name} must be an integer >= 1, got ${String(value)}`);
  }
}

/**
 * Make a server class whose requests are handled in other processes:
 * `class MyServer extends ForkingMixIn(TCPServer) {}` is Python's
 * `class MyServer(ForkingMixIn, TCPServer): pass`. CPU-bound handlers then use every core.
 *
 * Node cannot fork a running process, so this is the closest honest equivalent: when the server
 * activates, it starts a pool of worker processes that run **the same script again** (the main
 * module, with this process's arguments and Node options, as node:cluster does), marked as
 * workers. In a worker, constructing the same server class does not bind: the server serves the
 * requests the primary hands it, and the worker's `ready()` never resolves, so the rest of the
 * script (clients, banners) does not run there. The primary accepts; each connection's socket is
 * passed to the least busy worker over IPC (each datagram is forwarded, its reply sent back
 * through the server's socket). A worker serves the requests it holds concurrently.
 *
 * Runs in the primary: binding, `getRequest()`, `verifyRequest()`, `processRequest()` (hands the
 * request over). Runs in a worker: `finishRequest()`, `handleError()` (its report goes to the
 * primary's stderr), `shutdownRequest()` and `closeRequest()`.
 *
 * A worker's server is as bound as Python's forked copy: the base class's serverBind() and
 * serverActivate() run only in the primary, and the fields they set that hold plain data
 * (`serverAddress`, HTTPServer's `serverName` and `serverPort`, a subclass's own) are passed to
 * the workers and set on their server before its handlers run. So a handler, a CGI script's
 * SERVER_NAME and SERVER_PORT, read the same in either process. Overrides of serverBind() and
 * serverActivate() in a subclass of the mixed class run in the workers too (after these fields
 * are set), as the rest of the script does.
 *
 * Fields a subclass may set:
 * - `timeout` (300): seconds handleRequest() waits, then handleTimeout() collects children.
 * - `maxChildren` (40) and `poolSize` (null): workers = min(maxChildren, poolSize ??
 *   os.availableParallelism()).
 * - `blockOnClose` (true): serverClose() waits for the requests in the workers' hands, then for the
 *   workers to exit. false: it tells them to stop and returns; they finish what they have and exit.
 * - `workerScript`, `workerExecArgv`: what the workers run (set them when the main module is not
 *   the script that constructs the server, e.g. under a test runner).
 * - `workerKey`: which server of the script a worker serves (default: the order of construction).
 *
 * Read: `activeChildren`, `isWorker`. Call: `collectChildren({ blocking })`. Overrides
 * `processRequest()`, `handleTimeout()` and `serviceActions()` (both collect children),
 * `serverBind()`/`serverActivate()` (start the workers; bind nothing in a worker), `ready()`,
 * `serveForever()`, `handleRequest()` and `serverClose()`.
 */
export function ForkingMixIn<TBase extends ServerClass>(Base: TBase): TBase & MixinConstructor<ForkingMixInFields> {
  class Forking extends Base implements ForkingMixInFields {
    override timeout: number | null = 300;
    maxChildren = 40;
    poolSize: number | null = null;
    blockOnClose = true;
    workerScript: string | null = null;
    workerExecArgv: string[] | null = null;
    workerKey = String((serversConstructed += 1));
    #pool: WorkerPool | null = null;
    /** In a worker: the channel this server serves, once it has taken the role. */
    #channel: WorkerChannel | null = null;
    /** The server's socket as datagram handlers see it: the workers' replies go out through it. */
    #replySocket: DatagramSocket | null = null;
    /** In the primary: what the base class's serverBind() and serverActivate() set, for the workers. */
    #boundFields: BoundFields = {};

    get activeChildren(): ReadonlySet<number> | null {
      return this.#pool?.pids ?? null;
    }

    get isWorker(): boolean {
      return workerRole() !== null;
    }

    /** In the primary: as the base class. In a worker: never resolves for the served server. */
    override ready(): Promise<void> {
      if (!this.isWorker) return super.ready();
      return super.ready().then(() => (this.#channel === null ? undefined : NEVER));
    }

    /** In the primary: as the base class. In a worker: never settles (the worker serves on its own). */
    override serveForever(pollInterval?: number): Promise<void> {
      return this.isWorker ? NEVER : super.serveForever(pollInterval);
    }

    /** In the primary: as the base class. In a worker: never settles. */
    override handleRequest(): Promise<void> {
      return this.isWorker ? NEVER : super.handleRequest();
    }

    /**
     * In the primary: bind, noting the fields binding set. In a worker: bind nothing; take the
     * primary's real address and those fields (HTTPServer's `serverName` and `serverPort`, …),
     * so that handlers read what they would read in the primary.
     */
    override async serverBind(): Promise<void> {
      const role = workerRole();
      if (role === null) {
        this.#boundFields = await fieldsSetBy(this, () => super.serverBind());
      } else if (role.key === this.workerKey) {
        Object.assign(this, role.boundFields);
        this.serverAddress = role.serverAddress;
      }
    }

    /**
     * In the primary: activate, then start the workers; resolves once they are all ready (so
     * ready() reports a script that cannot serve). In a worker: take requests from the primary.
     */
    override async serverActivate(): Promise<void> {
      const role = workerRole();
      if (role !== null) {
        if (role.key !== this.workerKey || roleTaken) return;
        roleTaken = true;
        this.#channel = new WorkerChannel(role.serverAddress, (request, clientAddress) =>
          this.#serveInWorker(request, clientAddress),
        );
        this.#channel.attach();
        return;
      }
      Object.assign(this.#boundFields, await fieldsSetBy(this, () => super.serverActivate()));
      checkCount('maxChildren', this.maxChildren);
      if (this.poolSize !== null) checkCount('poolSize', this.poolSize);
      const script = this.workerScript ?? mainScript();
      if (script === null) {
        throw typeError(
          ErrorCodes.INVALID_ARGUMENT,
          'workerScript must name the script the workers run: this process has no main module',
        );
      }
      const size = Math.min(this.maxChildren, this.poolSize ?? os.availableParallelism());
      this.#pool = new WorkerPool(
        size,
        {
          script,
          args: process.argv.slice(2),
          execArgv: this.workerExecArgv ?? workerExecArgv(script),
          env: workerEnvironment(this.workerKey, this.serverAddress, this.#boundFields),
          readinessHint: `${script} must construct this server (workerKey '${this.workerKey}') and await its ready()`,
        },
        (data, address) =>
          this.#replySocket?.sendto(data, address) ??
          rejected(new ServerStateError('the server has no datagram socket')),
      );
      await this.#pool.start();
    }

    /**
     * Hand the request to a worker and return at once. Node releases the primary's copy of a
     * socket as it passes it, so closeRequest() runs in the worker only (Python's parent calls
     * close_request() on its copy after fork()). A request that cannot be handed over (no worker
     * running, the worker died first, the server is closing) goes to handleError() here, and
     * shutdownRequest() closes it.
     */
    protected override async processRequest(request: unknown, clientAddress: ClientAddress): Promise<void> {
      const pool = this.#pool;
      if (pool === null) throw new ServerStateError('the worker processes are not started: call serverActivate()');
      const [payload, handle] = this.#payloadOf(request, clientAddress);
      void pool
        .dispatch(payload, handle)
        .catch((error: unknown) => this.#handOverFailed(request, clientAddress, error))
        .catch(reportHookFailure);
    }

    /** Start workers in place of exited ones; with `blocking`, wait as ForkingMixInFields says. */
    async collectChildren({ blocking = false }: { blocking?: boolean } = {}): Promise<void> {
      const pool = this.#pool;
      if (pool === null) return;
      pool.replenish();
      if (!blocking) return;
      await pool.idle();
      if (pool.stopped) await pool.closed();
    }

    /** Python: wait for zombies after `timeout` seconds without a request. May be extended. */
    protected override async handleTimeout(): Promise<void> {
      await super.handleTimeout();
      await this.collectChildren();
    }

    /** Python: collect the children once per turn of serveForever(). May be extended. */
    protected override async serviceActions(): Promise<void> {
      await super.serviceActions();
      await this.collectChildren();
    }

    /**
     * Close the server and stop the workers; with `blockOnClose`, wait for the requests in their
     * hands and for them to exit. A datagram server's socket stays open until the workers' replies
     * have gone out through it.
     */
    override async serverClose(): Promise<void> {
      const pool = this.#pool;
      if (pool === null) {
        await super.serverClose();
        return;
      }
      pool.refuseRequests();
      if (this.blockOnClose && this.#replySocket !== null) await pool.idle();
      await super.serverClose();
      pool.stop();
      if (this.blockOnClose) await this.collectChildren({ blocking: true });
    }

    /** What goes to the worker: the payload, and the socket of a connection. */
    #payloadOf(request: unknown, clientAddress: ClientAddress): [RequestPayload, net.Socket | undefined] {
      if (request instanceof Connection) {
        if (request.socket instanceof tls.TLSSocket) {
          throw unsupported('ForkingMixIn cannot hand a TLS connection to a worker process');
        }
        return [{ sockserve: 'stream', clientAddress }, request.socket];
      }
      if (isDatagramRequest(request)) {
        this.#replySocket = request[1];
        return [{ sockserve: 'datagram', clientAddress, packet: request[0] }, undefined];
      }
      throw typeError(
        ErrorCodes.INVALID_ARGUMENT,
        'ForkingMixIn hands connections and datagrams to its workers; this request is neither',
      );
    }

    async #handOverFailed(request: unknown, clientAddress: ClientAddress, error: unknown): Promise<void> {
      await runHook(() => this.handleError(request, clientAddress, error));
      await runHook(() => this.shutdownRequest(request));
    }

    /** One request in a worker, as Python's forked child runs it: finish, report errors, shut down. */
    async #serveInWorker(request: unknown, clientAddress: ClientAddress): Promise<void> {
      try {
        await this.finishRequest(request, clientAddress);
      } catch (error) {
        await this.handleError(request, clientAddress, error);
      } finally {
        await this.shutdownRequest(request);
      }
    }
  }
  return Forking;
}

/** Run a hook on an error path: a failure of the hook itself is printed, never thrown. */
async function runHook(hook: () => Awaitable<void>): Promise<void> {
  try {
    await hook();
  } catch (error) {
    reportHookFailure(error);
  }
}

/** A TCPServer that handles each connection in a worker process. */
export class ForkingTCPServer extends ForkingMixIn(TCPServer) {}

/** A UDPServer that handles each datagram in a worker process; replies leave from the server's socket. */
export class ForkingUDPServer extends ForkingMixIn(UDPServer) {}

/** A UnixStreamServer that handles each connection in a worker process. */
export class ForkingUnixStreamServer extends ForkingMixIn(UnixStreamServer) {}
