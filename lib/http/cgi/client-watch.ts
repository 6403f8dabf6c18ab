/**
 * Noticing that the client of a CGI request has gone while its script waits or runs, so the script
 * can be killed (nginx does the same: a client that closes its side is taken to have left).
 */
import type { Socket } from 'node:net';

/**
 * Watches `socket` for the client's FIN or the connection's close from construction until
 * dispose(). `gone` is true once either happened (or had happened already); `onGone(callback)`
 * calls back then (at once if it already has).
 */
export class ClientWatch {
  readonly #socket: Socket;
  #gone: boolean;
  #callbacks: (() => void)[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    this.#gone = socket.readableEnded || socket.destroyed;
    if (!this.#gone) {
      socket.once('end', this.#leave);
      socket.once('close', this.#leave);
    }
  }

  /** True once the client has closed its side or the connection is closed. */
  get gone(): boolean {
    return this.#gone;
  }

  /** Call `callback` when the client goes (now, if it has). */
  onGone(callback: () => void): void {
    if (this.#gone) callback();
    else this.#callbacks.push(callback);
  }

  /** Stop watching. */
  dispose(): void {
    this.#callbacks = [];
    this.#socket.off('end', this.#leave);
    this.#socket.off('close', this.#leave);
  }

  readonly #leave = (): void => {
    if (this.#gone) return;
    this.#gone = true;
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) callback();
  };
}
