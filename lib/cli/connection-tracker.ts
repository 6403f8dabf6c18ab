/**
 * The connections a server has open, and which of them are answering a request, so that stopping
 * the server lets responses in flight finish, closes idle keep-alive connections at once, and
 * never waits longer than a grace period.
 */
import type { Connection } from '../socketserver/connection';

/**
 * The server adds each connection it takes (`add`); its handler says when a request starts
 * (`requestStarted`) and when the connection waits for the next one, its response done
 * (`awaitingRequest`, which answers whether it may). `drain(graceSeconds)` then closes the idle
 * connections (Connection.close(): what the last response left unsent goes first), lets the busy
 * ones finish their response and close, and after `graceSeconds` destroys whatever is left;
 * `closeAll()` destroys everything at once.
 */
export class ConnectionTracker {
  /**
   * Each open connection, and whether it is answering a request. A flag per connection rather
   * than a Set of the busy ones: every request would add its connection to the Set and take it
   * out again, and the Set's table grew and shrank with them.
   */
  readonly #open = new Map<Connection, { busy: boolean }>();
  /** Connections this tracker closed itself: their handlers' failures are expected. */
  readonly #cut = new WeakSet<Connection>();
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
  add(connection: Connection): void {
    if (this.#draining) {
      this.#cut.add(connection);
      connection.socket.destroy();
      return;
    }
    this.#open.set(connection, { busy: false });
    connection.socket.once('close', () => this.#forget(connection));
  }

  /** A request has arrived on `connection`: it is busy until awaitingRequest(). */
  requestStarted(connection: Connection): void {
    const state = this.#open.get(connection);
    if (state !== undefined) state.busy = true;
  }

  /**
   * `connection` is about to wait for a request (its response to the one before, if any, is done):
   * it is idle. Returns false when it must close instead, because the server is stopping.
   */
  awaitingRequest(connection: Connection): boolean {
    const state = this.#open.get(connection);
    if (state !== undefined) state.busy = false;
    return !this.#draining;
  }

  /**
   * Close idle connections now, let busy ones finish their response (their handler then closes
   * them), and destroy what is still open after `graceSeconds`. Resolves once none is open.
   */
  async drain(graceSeconds: number): Promise<void> {
    this.#draining = true;
    for (const [connection, { busy }] of this.#open) {
      if (busy) continue;
      this.#cut.add(connection);
      connection.close();
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
    for (const connection of this.#open.keys()) {
      this.#cut.add(connection);
      connection.socket.destroy();
    }
  }

  /** True if this tracker closed `connection` (while draining), so a handler's error on it is expected. */
  wasCut(connection: Connection): boolean {
    return this.#cut.has(connection);
  }

  #forget(connection: Connection): void {
    this.#open.delete(connection);
    if (this.#open.size === 0 && this.#onEmpty !== null) this.#onEmpty();
  }
}
