/**
 * The request deadline as the body readers see it: every read they make on the connection waits
 * no later than the moment the whole request should have arrived (`requestTimeout`).
 */
import { performance } from 'node:perf_hooks';
import type { BufferedReader } from '../socketserver/buffered-reader';

/**
 * Start one read on `stream` with its timeout set to `seconds`, then put the stream's own timeout
 * back: a read's timer starts when the read does, so the setting only has to hold for the call.
 */
export function startTimedRead<T>(stream: BufferedReader, seconds: number | null, read: () => Promise<T>): Promise<T> {
  const saved = stream.timeout;
  stream.timeout = seconds;
  try {
    return read();
  } finally {
    stream.timeout = saved;
  }
}

/** The reads a request body reader makes on the connection. */
export interface BodySource {
  read(size: number): Promise<Buffer>;
  readline(limit: number): Promise<Buffer>;
  read1(size: number): Promise<Buffer>;
}

/**
 * `stream`'s reads, each rejecting with TimeoutError if it is still waiting at `deadline`
 * (performance.now() milliseconds; Infinity for none) or past the stream's own timeout.
 */
export function readsUntil(stream: BufferedReader, deadline: number): BodySource {
  const timed = (read: () => Promise<Buffer>): Promise<Buffer> => {
    const left = Math.max(0, (deadline - performance.now()) / 1000);
    return startTimedRead(stream, stream.timeout === null ? left : Math.min(stream.timeout, left), read);
  };
  return {
    read: (size) => timed(() => stream.read(size)),
    readline: (limit) => timed(() => stream.readline(limit)),
    read1: (size) => timed(() => stream.read1(size)),
  };
}
