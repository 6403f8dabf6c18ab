/**
 * The request deadline as the body readers see it: every read they make on the connection waits
 * no later than the moment the whole request should have arrived (`requestTimeout`).
 */
import type { BufferedReader } from '../socketserver/buffered-reader';

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
    const saved = stream.timeout;
    const left = Math.max(0, (deadline - performance.now()) / 1000);
    stream.timeout = saved === null ? left : Math.min(saved, left);
    try {
      return read(); // the read's timer starts here, so the stream's own setting can be restored
    } finally {
      stream.timeout = saved;
    }
  };
  return {
    read: (size) => timed(() => stream.read(size)),
    readline: (limit) => timed(() => stream.readline(limit)),
    read1: (size) => timed(() => stream.read1(size)),
  };
}
