/**
 * WorkerChannel: a ForkingMixIn worker's side of the IPC channel. It turns each message from the
 * primary into a request (a Connection around the socket that came with it, or a datagram with a
 * socket that answers through the primary), runs it, reports it done, and ends the process when
 * the primary says stop or goes away.
 */
import * as net from 'node:net';
import { SocketClosedError } from '../errors';
import type { ClientAddress, ServerAddress } from './address';
import { reportHookFailure } from './base-server';
import { Connection } from './connection';
import { readingDirectly } from './direct-read';
import { isPrimaryMessage, type RequestMessage, type WorkerMessage } from './forking-protocol';
import { RelayedDatagramSocket } from './forking-relay';
import { deferred, rejected, type Deferred } from './settle';

/** Runs one request the way Python's forked child does (finish, handleError, shutdown). */
export type ServeInWorker = (request: unknown, clientAddress: ClientAddress) => Promise<void>;

function ignoreSignal(): void {}

/** The worker's end of the channel to its primary. */
export class WorkerChannel {
  readonly #serve: ServeInWorker;
  readonly #serverAddress: ServerAddress;
  /** The requests being served. */
  readonly #running = new Set<Promise<void>>();
  /** Datagram replies sent to the primary and not yet confirmed, by id. */
  readonly #replies = new Map<number, Deferred<number>>();
  #nextReplyId = 1;
  #replySocket: RelayedDatagramSocket | null = null;
  #stopping = false;

  constructor(serverAddress: ServerAddress, serve: ServeInWorker) {
    this.#serverAddress = serverAddress;
    this.#serve = serve;
  }

  /**
   * Take requests from the primary and tell it this worker is ready. Ctrl-C in a terminal reaches
   * the whole process group: the worker ignores SIGINT and leaves it to the primary, which stops
   * its workers when it closes (or, if it dies, the channel closes and the worker ends).
   */
  attach(): void {
    process.on('message', (message: unknown, handle: unknown) => this.#receive(message, handle));
    process.once('disconnect', () => {
      // The primary will answer no reply still awaited.
      for (const reply of this.#replies.values()) reply.reject(new SocketClosedError('the primary process has gone'));
      this.#replies.clear();
      this.#stop();
    });
    process.on('SIGINT', ignoreSignal);
    if (!process.connected) {
      this.#stop();
      return;
    }
    void this.#send({ sockserve: 'ready' });
  }

  #receive(message: unknown, handle: unknown): void {
    if (!isPrimaryMessage(message)) return;
    switch (message.sockserve) {
      case 'stream':
      case 'datagram':
        this.#start(message, handle);
        break;
      case 'sent':
        this.#settleReply(message.replyId)?.resolve(message.bytes);
        break;
      case 'sendFailed':
        this.#settleReply(message.replyId)?.reject(
          Object.assign(new Error(message.message), message.code === null ? {} : { code: message.code }),
        );
        break;
      case 'stop':
        this.#stop();
        break;
    }
  }

  /** Serve one request; report it done once it is finished and, for a connection, closed. */
  #start(message: RequestMessage, handle: unknown): void {
    const work = async (): Promise<void> => {
      if (message.sockserve === 'stream') {
        if (!(handle instanceof net.Socket)) return; // the primary lost the socket on the way
        const socket = readingDirectly(handle);
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        const connection = new Connection(socket);
        await this.#serve(connection, message.clientAddress);
        // Python's child exits after shutdown_request(), and its exit closes the socket whatever
        // an overridden hook did. Here the worker lives on: close it (queued bytes still go out
        // first), and count the request done once the socket has closed.
        connection.close();
        await closed;
      } else {
        const { packet } = message;
        const bytes = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
        await this.#serve([bytes, this.#datagramSocket()], message.clientAddress);
      }
    };
    const running = work()
      .catch(reportHookFailure)
      .then(() => this.#send({ sockserve: 'done', id: message.id }));
    this.#running.add(running);
    void running.then(() => {
      this.#running.delete(running);
      if (this.#stopping && this.#running.size === 0) this.#exit();
    });
  }

  #datagramSocket(): RelayedDatagramSocket {
    if (typeof this.#serverAddress === 'string') throw new TypeError('a datagram server has a [host, port] address');
    this.#replySocket ??= new RelayedDatagramSocket(this.#serverAddress, (data, address) => this.#relay(data, address));
    return this.#replySocket;
  }

  /** Ask the primary to send a datagram from the server's socket. */
  #relay(data: Uint8Array, address: ClientAddress): Promise<number> {
    if (!process.connected) return rejected(new SocketClosedError('the primary process has gone'));
    const replyId = this.#nextReplyId;
    this.#nextReplyId += 1;
    const reply = deferred<number>();
    this.#replies.set(replyId, reply);
    void this.#send({ sockserve: 'sendto', replyId, data, address });
    return reply.promise;
  }

  #settleReply(replyId: number): Deferred<number> | undefined {
    const reply = this.#replies.get(replyId);
    this.#replies.delete(replyId);
    return reply;
  }

  /** Take no more requests; exit once the running ones are finished. */
  #stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#running.size === 0) this.#exit();
  }

  /**
   * End the process, as Python's child ends with os._exit(): whatever else the re-run script
   * started (timers, other servers) must not keep a worker alive once its primary has let it go.
   */
  #exit(): void {
    process.exit(0);
  }

  /** Send a message to the primary; resolves once it is written (or the channel is gone). */
  #send(message: WorkerMessage): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!process.connected || process.send === undefined) {
        resolve();
        return;
      }
      process.send(message, undefined, {}, () => resolve());
    });
  }
}
