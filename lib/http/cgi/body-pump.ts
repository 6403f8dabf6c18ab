/**
 * The request body streamed to a script's stdin as it arrives: one read at a time from the
 * handler's `rfile` (de-chunked, ending with the body), each written only once the pipe has taken
 * the last, so a 100 MB upload never sits in the server's memory.
 */
import type { Writable } from 'node:stream';
import type { BodyReader } from '../body-reader';

/** Bytes asked of the body per read. */
const READ_SIZE = 65536;

/** How the pump ended. */
export type PumpEnd =
  /** The whole body went to the script (or the script closed its stdin and the rest was left unread). */
  | { readonly done: true; readonly bodyLeft: boolean }
  /** Reading the body failed: the client timed out, broke the chunked framing, or went away. */
  | { readonly failed: unknown };

/** What the pump is waiting for, for the idle timer's verdict: the client or the script. */
export type PumpWait = 'client' | 'script' | 'nothing';

/**
 * Copies a request body into a script's stdin. `ended` settles when it is done; `waitingFor`
 * tells whether it is waiting on the client's bytes or on the script to read. `onActivity` is
 * called for every write.
 */
export class BodyPump {
  readonly ended: Promise<PumpEnd>;
  #waitingFor: PumpWait = 'nothing';
  #stopped = false;

  constructor(rfile: BodyReader, stdin: Writable, initial: Buffer | null, onActivity: () => void) {
    this.ended = this.#run(rfile, stdin, initial, onActivity);
  }

  /** What the pump is waiting for now. */
  get waitingFor(): PumpWait {
    return this.#waitingFor;
  }

  /** Stop after the current read: nothing more is written to the script. */
  stop(): void {
    this.#stopped = true;
  }

  async #run(rfile: BodyReader, stdin: Writable, initial: Buffer | null, onActivity: () => void): Promise<PumpEnd> {
    try {
      if (initial !== null && initial.length > 0 && !(await this.#write(stdin, initial, onActivity))) {
        return { done: true, bodyLeft: !rfile.complete };
      }
      while (!this.#stopped && !rfile.complete) {
        this.#waitingFor = 'client';
        const data = await rfile.read1(READ_SIZE);
        this.#waitingFor = 'nothing';
        if (data.length === 0 || this.#stopped) break;
        if (!(await this.#write(stdin, data, onActivity))) return { done: true, bodyLeft: !rfile.complete };
      }
      stdin.end();
      return { done: true, bodyLeft: !rfile.complete };
    } catch (error) {
      stdin.destroy();
      return { failed: error };
    } finally {
      this.#waitingFor = 'nothing';
    }
  }

  /** Write `data`; resolves true once the pipe can take more, false if the script closed it. */
  #write(stdin: Writable, data: Buffer, onActivity: () => void): Promise<boolean> {
    if (stdin.destroyed || stdin.writableEnded) return Promise.resolve(false);
    onActivity();
    if (stdin.write(data)) return Promise.resolve(true);
    this.#waitingFor = 'script';
    return new Promise<boolean>((resolve) => {
      const settle = (ok: boolean): void => {
        stdin.off('drain', drained);
        stdin.off('close', closed);
        this.#waitingFor = 'nothing';
        resolve(ok);
      };
      const drained = (): void => {
        onActivity();
        settle(true);
      };
      const closed = (): void => settle(false);
      stdin.on('drain', drained);
      stdin.on('close', closed);
    });
  }
}
