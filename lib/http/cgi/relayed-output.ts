/**
 * A script's stdout as the fork server relays it (fork-server.ts): the payloads of its Output
 * frames, handed to the reader as they arrive, without a stream per script.
 */
import { OUTPUT_WINDOW } from './fork-server-program';
import type { ScriptOutput } from './script-output';

/** What the relay has not handed on yet: chunks, and `null` for the end. */
type Waiting = Buffer | null;

/**
 * The fork server's side of a ScriptOutput. The fork server calls `push()` for each chunk and
 * `end()` once; what arrives while the reader is paused (or before it calls read()) waits here.
 * The fork server sends OUTPUT_WINDOW bytes and then waits to be asked for more: `askForMore` is
 * called once the reader has taken a whole window, so a script is held back as its client is.
 * `close` is called by destroy() while the output has not ended. `finished` says that no more
 * output comes (the end arrived, or the reader destroyed it).
 */
export class RelayedOutput implements ScriptOutput {
  readonly #askForMore: () => void;
  readonly #close: () => void;
  #onData: ((chunk: Buffer) => void) | null = null;
  #onEnd: (() => void) | null = null;
  #waiting: Waiting[] = [];
  #paused = false;
  #destroyed = false;
  /** The end has arrived: no more is asked for. */
  #over = false;
  /** Bytes handed on since more was last asked for. */
  #taken = 0;

  constructor(askForMore: () => void, close: () => void) {
    this.#askForMore = askForMore;
    this.#close = close;
  }

  /** No more output comes to the reader: its end arrived, or the reader destroyed it. */
  get finished(): boolean {
    return this.#over || this.#destroyed;
  }

  /** A chunk of the script's output. */
  push(chunk: Buffer): void {
    this.#arrive(chunk);
  }

  /** The script's output is over (nothing more is handed on after destroy()). */
  end(): void {
    if (this.finished) return;
    this.#over = true;
    this.#arrive(null);
  }

  read(onData: (chunk: Buffer) => void, onEnd: () => void): void {
    this.#onData = onData;
    this.#onEnd = onEnd;
    this.#handOnWaiting();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#handOnWaiting();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#waiting = [];
    if (!this.#over) this.#close();
  }

  #flowing(): boolean {
    return this.#onData !== null && !this.#paused && !this.#destroyed;
  }

  #arrive(item: Waiting): void {
    if (this.#destroyed) return;
    if (this.#waiting.length === 0 && this.#flowing()) this.#handOn(item);
    else this.#waiting.push(item);
  }

  #handOnWaiting(): void {
    while (this.#waiting.length > 0 && this.#flowing()) this.#handOn(this.#waiting.shift() as Waiting);
  }

  #handOn(item: Waiting): void {
    if (item === null) {
      (this.#onEnd as () => void)();
      return;
    }
    (this.#onData as (chunk: Buffer) => void)(item);
    this.#taken += item.length;
    if (this.#taken >= OUTPUT_WINDOW && !this.#over && !this.#destroyed) {
      this.#taken -= OUTPUT_WINDOW;
      this.#askForMore();
    }
  }
}
