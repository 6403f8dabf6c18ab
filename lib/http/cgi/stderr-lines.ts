/**
 * A script's stderr cut into log lines: UTF-8 decoded across chunk boundaries, a trailing CR
 * dropped, and a line longer than MAX_STDERR_LINE logged in pieces, so a script cannot make the
 * server hold more of it.
 */
import { StringDecoder } from 'node:string_decoder';

/** A stderr line longer than this is logged in pieces. */
const MAX_STDERR_LINE = 8192;

/**
 * Takes what a script writes to stderr (`write()`, then `end()`) and calls `onLine` for each
 * line and `onActivity` for each chunk. After `close()` nothing more is logged.
 */
export class StderrLines {
  readonly #onLine: (line: string) => void;
  readonly #onActivity: () => void;
  /** Made with the first chunk: most scripts write nothing to stderr. */
  #decoder: StringDecoder | null = null;
  #pending = '';
  #closed = false;

  constructor(onLine: (line: string) => void, onActivity: () => void) {
    this.#onLine = onLine;
    this.#onActivity = onActivity;
  }

  /** A chunk of stderr. */
  write(chunk: Buffer): void {
    if (this.#closed) return;
    this.#onActivity();
    this.#decoder ??= new StringDecoder('utf8');
    this.#pending += this.#decoder.write(chunk);
    let newline = this.#pending.indexOf('\n');
    while (newline !== -1) {
      this.#onLine(this.#pending.slice(0, newline).replace(/\r$/, ''));
      this.#pending = this.#pending.slice(newline + 1);
      newline = this.#pending.indexOf('\n');
    }
    while (this.#pending.length > MAX_STDERR_LINE) {
      this.#onLine(this.#pending.slice(0, MAX_STDERR_LINE));
      this.#pending = this.#pending.slice(MAX_STDERR_LINE);
    }
  }

  /** The end of stderr: a last line without a newline is logged too. */
  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    const rest = this.#pending + (this.#decoder?.end() ?? '');
    this.#pending = '';
    if (rest !== '') this.#onLine(rest);
  }

  /** Log nothing more. */
  close(): void {
    this.#closed = true;
    this.#pending = '';
  }
}
