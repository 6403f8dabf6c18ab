/**
 * WorkerPool: the primary's side of ForkingMixIn. It starts the worker processes, hands each
 * request to the least busy one, counts what each has in hand, replaces a worker that dies, and
 * stops them all when the server closes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type * as net from 'node:net';
import { ServerStateError } from '../errors';
import type { ClientAddress } from './address';
import { isWorkerMessage, type PrimaryMessage, type RequestMessage, type RequestPayload } from './forking-protocol';
import { RESOLVED, deferred, rejected, type Deferred } from './settle';

/** How to start a worker process. */
export interface WorkerLaunch {
  /** The script the worker runs. */
  readonly script: string;
  /** Its arguments (process.argv after the script). */
  readonly args: readonly string[];
  /** Node's options for it. */
  readonly execArgv: readonly string[];
  /** Its environment, with the worker marker. */
  readonly env: NodeJS.ProcessEnv;
  /** Appended to the error when a worker exits before it is ready: what the script must do. */
  readonly readinessHint: string;
}

/** Sends a worker's datagram reply from the server's socket; resolves with the bytes sent. */
export type DatagramRelay = (data: Uint8Array, address: ClientAddress) => Promise<number>;

/** One request handed (or being handed) to a worker. */
interface Transfer {
  readonly message: RequestMessage;
  readonly handle: net.Socket | undefined;
  /** Settles when the message (and socket) has left for the worker, or failed to. */
  readonly handedOver: Deferred<void>;
  /** The worker it went to; null while it waits for a ready worker. */
  worker: Worker | null;
}

/** A worker process and what the primary knows of it. */
interface Worker {
  readonly child: ChildProcess;
  /** Settles once the worker is ready, or rejects if it exits before. */
  readonly readiness: Deferred<void>;
  /** Settles once the process has exited and its output is forwarded (or it never started). */
  readonly closed: Deferred<void>;
  /** Takes requests now. */
  ready: boolean;
  /** Has been ready: an exit is then a crash, and the worker is replaced at once. */
  becameReady: boolean;
  /** Told to stop: its exit is expected. */
  stopping: boolean;
  /** Started after start(): a failure to become ready is reported on stderr, not through start(). */
  readonly replacement: boolean;
  /** The requests handed to it and not yet finished, by id. */
  readonly inHand: Map<number, Transfer>;
}

/** Copy a worker's output to this process's stdout/stderr, so redirections and captures of them see it. */
function forwardOutput(child: ChildProcess): void {
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
}

/**
 * The worker processes of one ForkingMixIn server. `pids` holds the live ones (Python's
 * `active_children`).
 */
export class WorkerPool {
  /** Process ids of the workers that have not exited. */
  readonly pids = new Set<number>();
  readonly #size: number;
  readonly #launch: WorkerLaunch;
  readonly #relay: DatagramRelay;
  readonly #workers = new Set<Worker>();
  /** Settle as each worker process has exited and its output is forwarded; removed once settled. */
  readonly #closing = new Set<Promise<void>>();
  /** Requests waiting for a ready worker (while the workers start or are replaced). */
  #waiting: Transfer[] = [];
  #nextId = 1;
  /** Where the round-robin among equally busy workers starts next. */
  #turn = 0;
  #refusing = false;
  #stopped = false;
  /** Settled when nothing is waiting or in a worker's hands. */
  #idle: Deferred<void> | null = null;

  constructor(size: number, launch: WorkerLaunch, relay: DatagramRelay) {
    this.#size = size;
    this.#launch = launch;
    this.#relay = relay;
  }

  /** Start the workers; resolves once all are ready, rejects if one exits before it is. */
  async start(): Promise<void> {
    const started: Promise<void>[] = [];
    for (let count = 0; count < this.#size; count += 1) started.push(this.#spawn(false).readiness.promise);
    await Promise.all(started);
  }

  /**
   * Hand a request to the least busy ready worker (round-robin among equals), with its socket for
   * a connection. Resolves once it has left this process; rejects if it cannot be handed over (the
   * pool is closing, no worker is running, or the worker died first): the caller then closes it.
   */
  dispatch(payload: RequestPayload, handle?: net.Socket): Promise<void> {
    if (this.#refusing) return rejected(new ServerStateError('the server is closed'));
    const transfer: Transfer = {
      message: { ...payload, id: this.#nextId },
      handle,
      handedOver: deferred(),
      worker: null,
    };
    this.#nextId += 1;
    this.#waiting.push(transfer);
    this.#handOut();
    return transfer.handedOver.promise;
  }

  /** Start workers in place of those that have exited (Python's reaping in collect_children()). */
  replenish(): void {
    if (this.#stopped) return;
    for (let count = this.#workers.size; count < this.#size; count += 1) this.#spawn(true);
  }

  /** Resolves once no request is waiting or in a worker's hands. */
  idle(): Promise<void> {
    if (this.#isIdle()) return RESOLVED;
    this.#idle ??= deferred();
    return this.#idle.promise;
  }

  /** Refuse new requests (they reject with ServerStateError); the ones in hand go on. */
  refuseRequests(): void {
    this.#refusing = true;
  }

  /**
   * Refuse new requests and stop the workers: a ready worker finishes what it has and exits, one
   * still starting is ended (SIGTERM), requests still waiting for a worker are rejected.
   */
  stop(): void {
    this.#refusing = true;
    if (this.#stopped) return;
    this.#stopped = true;
    this.#rejectWaiting(new ServerStateError('the server is closed'));
    for (const worker of this.#workers) {
      worker.stopping = true;
      if (worker.ready) this.#send(worker, { sockserve: 'stop' });
      else worker.child.kill('SIGTERM');
    }
  }

  /** Whether stop() was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Resolves once every worker process has exited and its output is forwarded (call stop() first). */
  async closed(): Promise<void> {
    await Promise.all(this.#closing);
  }

  #spawn(replacement: boolean): Worker {
    const child = fork(this.#launch.script, [...this.#launch.args], {
      execArgv: [...this.#launch.execArgv],
      env: this.#launch.env,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const worker: Worker = {
      child,
      readiness: deferred(),
      closed: deferred(),
      ready: false,
      becameReady: false,
      stopping: false,
      replacement,
      inHand: new Map(),
    };
    this.#workers.add(worker);
    const { promise: closed } = worker.closed;
    this.#closing.add(closed);
    void closed.then(() => this.#closing.delete(closed));
    child.once('close', () => worker.closed.resolve());
    if (child.pid !== undefined) this.pids.add(child.pid);
    forwardOutput(child);
    child.on('message', (message: unknown) => this.#receive(worker, message));
    child.once('disconnect', () => (worker.ready = false));
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => this.#exited(worker, code, signal));
    child.on('error', (error: Error) => {
      // A failed spawn (no pid) ends the worker here. Other errors (a message to a worker that
      // has just died) need nothing: its 'exit' handles what it had.
      if (child.pid === undefined) this.#failedToSpawn(worker, error);
    });
    return worker;
  }

  #receive(worker: Worker, message: unknown): void {
    if (!isWorkerMessage(message)) return;
    switch (message.sockserve) {
      case 'ready':
        worker.ready = !worker.stopping;
        worker.becameReady = true;
        worker.readiness.resolve();
        if (worker.stopping) this.#send(worker, { sockserve: 'stop' });
        this.#handOut();
        break;
      case 'done':
        worker.inHand.delete(message.id);
        this.#checkIdle();
        break;
      case 'sendto':
        void this.#relay(message.data, message.address).then(
          (bytes) => this.#send(worker, { sockserve: 'sent', replyId: message.replyId, bytes }),
          (error: unknown) => {
            const { message: text, code } = error as { message?: unknown; code?: unknown };
            this.#send(worker, {
              sockserve: 'sendFailed',
              replyId: message.replyId,
              message: String(text ?? error),
              code: typeof code === 'string' ? code : null,
            });
          },
        );
        break;
    }
  }

  /** Send the waiting requests to ready workers; reject them if no worker is ready or starting. */
  #handOut(): void {
    while (this.#waiting.length > 0) {
      const worker = this.#leastBusy();
      if (worker === null) {
        if (this.#workers.size === 0) this.#rejectWaiting(new Error('no worker process is running'));
        return;
      }
      const transfer = this.#waiting.shift() as Transfer;
      transfer.worker = worker;
      worker.inHand.set(transfer.message.id, transfer);
      worker.child.send(transfer.message, transfer.handle, (error: Error | null) => {
        if (transfer.worker !== worker) return; // the worker died first; already settled
        if (error === null) {
          transfer.handedOver.resolve();
          return;
        }
        worker.inHand.delete(transfer.message.id);
        transfer.handedOver.reject(error);
        this.#checkIdle();
      });
    }
  }

  #leastBusy(): Worker | null {
    const ready = [...this.#workers].filter((worker) => worker.ready);
    if (ready.length === 0) return null;
    let best: Worker | null = null;
    for (let step = 0; step < ready.length; step += 1) {
      const candidate = ready[(this.#turn + step) % ready.length] as Worker;
      if (best === null || candidate.inHand.size < best.inHand.size) best = candidate;
    }
    this.#turn = (this.#turn + 1) % ready.length;
    return best;
  }

  #exited(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    const { child } = worker;
    const how = describeExit(code, signal);
    this.#workers.delete(worker);
    if (child.pid !== undefined) this.pids.delete(child.pid);
    worker.readiness.reject(
      new Error(`worker process ${child.pid} ${how} before it was ready: ${this.#launch.readinessHint}`),
    );
    const lost = worker.inHand.size;
    for (const transfer of worker.inHand.values()) {
      transfer.worker = null;
      // One still in this process (queued behind another socket) is closed by the caller; one
      // the worker had is closed by the kernel with the worker's descriptors.
      transfer.handedOver.reject(new Error(`worker process ${child.pid} ${how} before it took the request`));
    }
    worker.inHand.clear();
    if (!worker.stopping && !this.#stopped) {
      if (worker.becameReady) {
        process.stderr.write(`Worker process ${child.pid} ${how} with ${lost} request(s) in hand; starting another\n`);
        this.#spawn(true);
      } else if (worker.replacement) {
        process.stderr.write(
          `Worker process ${child.pid} ${how} before it was ready; another starts at the next collectChildren()\n`,
        );
      }
    }
    this.#handOut();
    this.#checkIdle();
  }

  #failedToSpawn(worker: Worker, error: Error): void {
    this.#workers.delete(worker);
    worker.readiness.reject(error);
    worker.closed.resolve();
    this.#handOut();
    this.#checkIdle();
  }

  /** Send a message; a failure (the worker has just died) reaches the 'error' listener, and 'exit' handles the rest. */
  #send(worker: Worker, message: PrimaryMessage): void {
    if (worker.child.connected) worker.child.send(message);
  }

  #rejectWaiting(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const transfer of waiting) transfer.handedOver.reject(error);
    this.#checkIdle();
  }

  #isIdle(): boolean {
    if (this.#waiting.length > 0) return false;
    for (const worker of this.#workers) if (worker.inHand.size > 0) return false;
    return true;
  }

  #checkIdle(): void {
    if (this.#idle === null || !this.#isIdle()) return;
    const idle = this.#idle;
    this.#idle = null;
    idle.resolve();
  }
}
