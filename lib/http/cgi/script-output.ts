/**
 * A script's stdout as the output relay reads it: one reader, chunks in order, then the end. The
 * fork server's relay (fork-server.ts) implements it directly, without a stream per script; a
 * script spawned by Node reads from its stdout pipe through readableOutput().
 */
import type { Readable } from 'node:stream';

/**
 * What a script writes to stdout. `read()` names the one reader: each chunk goes to `onData`,
 * then `onEnd` is called once the output is over (never after `destroy()`). While paused, chunks
 * wait and the script is held back once enough of them do.
 */
export interface ScriptOutput {
  /** Start handing the output to `onData` and `onEnd` (called once, by the relay). */
  read(onData: (chunk: Buffer) => void, onEnd: () => void): void;
  /** Hand on nothing until resume(): the client has not taken the last chunk yet. */
  pause(): void;
  resume(): void;
  /** No more output is wanted: nothing more is handed on, and the script's stdout is closed. */
  destroy(): void;
}

/** The stdout pipe of a script that Node spawned, as a ScriptOutput. */
export function readableOutput(stdout: Readable): ScriptOutput {
  // The script may close its stdout early or be killed: a pipe error is no error here.
  stdout.on('error', () => undefined);
  return {
    read(onData, onEnd) {
      stdout.on('data', onData);
      stdout.once('end', onEnd);
    },
    pause: () => stdout.pause(),
    resume: () => stdout.resume(),
    destroy: () => stdout.destroy(),
  };
}
