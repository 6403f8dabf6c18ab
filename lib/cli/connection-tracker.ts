/**
 * The connections a server has open, and which of them are answering a request, so that stopping
 * the server lets responses in flight finish, closes idle keep-alive connections at once, and
 * never waits longer than a grace period.
 */
import type * as net from 'node:net';

/**
 * The server adds each connection it takes (`add`); its handler says when a request starts
 * (`requestStarted`) and when its response is done (`requestFinished`, which answers whether the
 * connection may wait for another request). `drain(graceSeconds)` then closes the idle
 * connections, lets the busy ones finish their response and close, and after `graceSeconds`
 * destroys whatever is left; `closeAll()` destroys everything at once.
 */
export class ConnectionTracker {
  readonly #open = new Set<net.Socket>();
  readonly #busy = new Set<net.Socket>();
  /** Connections this tracker closed itself: their handlers' failures are expected. */
  readonly #cut = new WeakSet<net.Socket>();
  #draining = false;
  #onEmpty: (() => void) | null = null;

  /** How many connections are open. */
  get size(): number {
    return this.#open.size;
  }

  /** True once drain() has begun: no connection is kept for another request. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Track a connection the server has taken in; while draining it is closed at once. */
  add(socket: net.Socket): void {
    if (this.#draining) {
      this.#cut.add(socket);
      socket.destroy();
      return;
    }
    this.#open.add(socket);
    socket.once('close', () => this.#forget(socket));
  }

  /** A request has arrived on `socket`: it is busy until requestFinished(). */
  requestStarted(socket: net.Socket): void {
    this.#busy.add(socket);
  }

  /** The response on `socket` is done. Returns false when the connection must close now. */
  requestFinished(socket: net.Socket): boolean {
    this.#busy.delete(socket);
    return !this.#draining;
  }

  /**
   * Close idle connections now, let busy ones finish their response (their handler then closes
   * them), and destroy what is still open after `graceSeconds`. Resolves once none is open.
   */
  async drain(graceSeconds: number): Promise<void> {
    this.#draining = true;
    for (const socket of this.#open) {
      if (this.#busy.has(socket)) continue;
      this.#cut.add(socket);
      closeIdle(socket);
    }
    if (this.#open.size === 0) return;
    const empty = new Promise<void>((resolve) => (this.#onEmpty = resolve));
    const timer = setTimeout(() => this.closeAll(), graceSeconds * 1000);
    try {
      await empty;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Destroy every open connection now. */
  closeAll(): void {
    for (const socket of this.#open) {
      this.#cut.add(socket);
      socket.destroy();
    }
  }

  /** True if this tracker closed `socket` (while draining), so a handler's error on it is expected. */
  wasCut(socket: net.Socket): boolean {
    return this.#cut.has(socket);
  }

  #forget(socket: net.Socket): void {
    this.#open.delete(socket);
    this.#busy.delete(socket);
    if (this.#open.size === 0 && this.#onEmpty !== null) this.#onEmpty();
  }
}

/**
 * Close a connection that waits for its next request. Bytes of the last response still queued
 * in Node are sent first (FIN after them); otherwise the socket is destroyed at once.
 */
function closeIdle(socket: net.Socket): void {
  if (socket.writableLength === 0) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end();
}
