/**
 * Small promise helpers shared by the streams and servers. They keep two promises the library
 * hands out from ever becoming an unhandled rejection, whether or not the caller awaits them.
 */

/** A promise that is already resolved; awaiting it costs one microtask and no allocation. */
export const RESOLVED: Promise<void> = Promise.resolve();

function ignore(): void {}

/**
 * A promise of `value` once `pending` has resolved (rejecting as it does). When `pending` is
 * RESOLVED, as most sends return, the promise is made resolved at once: no reaction waits on it.
 */
export function after<T>(pending: Promise<void>, value: T): Promise<T> {
  return pending === RESOLVED ? Promise.resolve(value) : pending.then(() => value);
}

/**
 * Mark `promise` as handled without changing it: a caller that awaits it still sees the rejection,
 * and a caller that drops it does not crash the process.
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}

/** A rejected promise that is already marked as handled. */
export function rejected<T = never>(error: Error): Promise<T> {
  return handled(Promise.reject(error));
}

/** A promise together with the functions that settle it. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

/** Make a Deferred whose promise is marked as handled (see `handled`). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = handled(
    new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
  );
  return { promise, resolve, reject };
}

/** Node's longest timer in milliseconds (2^31 - 1, about 24.8 days); it fires a longer one after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `seconds` (Python's unit for every duration) as a timer's milliseconds, or null for never: null,
 * Infinity, and more than Node can time (about 24.8 days) all mean wait for ever.
 */
export function timerMilliseconds(seconds: number | null): number | null {
  if (seconds === null) return null;
  const ms = Math.max(0, Math.round(seconds * 1000));
  return ms <= MAX_TIMER_MS ? ms : null;
}

/** Call `callback` after `seconds` and return the timer; no timer (null) when that means never. */
export function startTimer(seconds: number | null, callback: () => void): NodeJS.Timeout | null {
  const ms = timerMilliseconds(seconds);
  return ms === null ? null : setTimeout(callback, ms);
}
