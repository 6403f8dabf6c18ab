/**
 * ThreadingMixIn and the threading servers: every request handled concurrently.
 */
import type { ClientAddress } from './address';
import { BaseServer, reportHookFailure } from './base-server';
import { TCPServer, UnixStreamServer } from './tcp-server';
import { UDPServer } from './udp-server';

/** A class whose instances are T, as TypeScript's mixin pattern spells it (it requires `any[]`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MixinConstructor<T> = new (...args: any[]) => T;

/** Any server class (the mixin's argument). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ServerClass = MixinConstructor<BaseServer<any>>;

/** The fields ThreadingMixIn adds. */
export interface ThreadingMixInFields {
  /** true: serverClose() does not wait for running handlers (Python's daemon threads). */
  daemonThreads: boolean;
  /** true: serverClose() waits for running handlers unless they are daemon. */
  blockOnClose: boolean;
}

/**
 * Make a server class that handles each request concurrently instead of one at a time:
 * `class MyServer extends ThreadingMixIn(TCPServer) {}` is Python's
 * `class MyServer(ThreadingMixIn, TCPServer): pass`.
 *
 * Node runs handlers on one event loop, so "a thread per request" is a handler per request whose
 * awaits interleave with the others'; handlers that compute for long without awaiting hold the
 * others up (use ForkingMixIn for those).
 *
 * Fields a subclass may set:
 * - `daemonThreads` (false): true makes serverClose() leave running handlers alone.
 * - `blockOnClose` (true): serverClose() waits for the running handlers that are not daemon.
 *
 * Overrides `processRequest()` to start the handler and return at once; the handler's work runs
 * in `processRequestThread()` (finishRequest, handleError on failure, then shutdownRequest).
 * Finished handlers are not kept.
 */
export function ThreadingMixIn<TBase extends ServerClass>(Base: TBase): TBase & MixinConstructor<ThreadingMixInFields> {
  class Threading extends Base implements ThreadingMixInFields {
    daemonThreads = false;
    blockOnClose = true;
    readonly #threads = new Set<Promise<void>>();

    /** Start handling the request and return without waiting for it. */
    protected override async processRequest(request: unknown, clientAddress: ClientAddress): Promise<void> {
      const thread = this.processRequestThread(request, clientAddress).catch(reportHookFailure);
      if (this.daemonThreads || !this.blockOnClose) return;
      this.#threads.add(thread);
      void thread.then(() => this.#threads.delete(thread));
    }

    /** One request's work, as Python's thread target: finish, report errors, shut down. */
    protected async processRequestThread(request: unknown, clientAddress: ClientAddress): Promise<void> {
      try {
        await this.finishRequest(request, clientAddress);
      } catch (error) {
        await this.handleError(request, clientAddress, error);
      } finally {
        await this.shutdownRequest(request);
      }
    }

    /** Close the server, then wait for running handlers if `blockOnClose` (and not daemon). */
    override async serverClose(): Promise<void> {
      await super.serverClose();
      if (this.blockOnClose) await Promise.all(this.#threads);
    }
  }
  return Threading;
}

/** A TCPServer that handles each connection concurrently. */
export class ThreadingTCPServer extends ThreadingMixIn(TCPServer) {}

/** A UDPServer that handles each datagram concurrently. */
export class ThreadingUDPServer extends ThreadingMixIn(UDPServer) {}

/** A UnixStreamServer that handles each connection concurrently. */
export class ThreadingUnixStreamServer extends ThreadingMixIn(UnixStreamServer) {}
