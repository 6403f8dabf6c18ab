/**
 * Probes into this process for specs: open file descriptors, what is written to stderr,
 * unhandled rejections, and how many objects of a kind are alive after garbage collection.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';

/** Entries of /proc/self/fd: the file descriptors this process holds open. */
export function openFdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Run `action` while process.stderr.write is captured; resolve with its result and the text. */
export async function captureStderr<T>(action: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const original = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = await action();
    return { result, stderr: text };
  } finally {
    process.stderr.write = original;
  }
}

/** Run `action` and collect the 'unhandledRejection' events the process emits meanwhile. */
export async function collectUnhandledRejections(action: () => Promise<void>): Promise<unknown[]> {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on('unhandledRejection', listener);
  try {
    await action();
    // Rejections are reported after the microtask queue drains; give them two turns to show up.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return reasons;
}

function post<T>(session: inspector.Session, method: string, params: object): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

/**
 * How many objects whose prototype is `global.<prototypePath>` (e.g. 'Promise.prototype') are
 * alive, counted by V8's inspector after a full garbage collection.
 */
export async function liveObjectCount(prototypePath: string): Promise<number> {
  const session = new inspector.Session();
  session.connect();
  try {
    type Remote = { result: { objectId: string } };
    const prototype = await post<Remote>(session, 'Runtime.evaluate', { expression: prototypePath });
    const { objects } = await post<{ objects: { objectId: string } }>(session, 'Runtime.queryObjects', {
      prototypeObjectId: prototype.result.objectId,
    });
    const length = await post<{ result: { value: number } }>(session, 'Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    return length.result.value;
  } finally {
    session.disconnect();
  }
}
