/**
 * Waiting helpers for specs: sleep, poll a condition, and bound a promise so a hang fails with a
 * message instead of mocha's bare timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** Settle like `promise`, or reject with `message` if it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (not within ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `condition` every 5 ms until it holds; reject with `message` after `ms`. */
export async function waitFor(condition: () => boolean, message: string, ms = 3000): Promise<void> {
  const giveUp = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > giveUp) throw new Error(`${message} (not within ${ms} ms)`);
    await sleep(5);
  }
}

/** 'settled' if `promise` settles within the current turn of the event loop, else 'pending'. */
export async function settledNow(promise: Promise<unknown>): Promise<'settled' | 'pending'> {
  const settled = promise.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  return Promise.race([settled, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

/** A promise with its resolve function, for gates a handler waits on. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
