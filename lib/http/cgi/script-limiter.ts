/**
 * The cap on CGI scripts running at once: one limiter per server, a bounded queue of requests
 * waiting for a slot, and a plain "no" when the queue is full (the handler answers 503).
 */
import { RESOLVED } from '../../socketserver/settle';

/** A place among the running scripts, or in the queue for one. */
export interface ScriptSlot {
  /** Resolves once the script may start (at once when a slot was free). */
  readonly granted: Promise<void>;
  /** Give the slot back, or leave the queue. Calling it again does nothing. */
  release(): void;
}

interface Waiter {
  resolve(): void;
  settled: boolean;
}

/**
 * Counts running scripts. `tryAcquire(max, maxQueued)` grants a slot while fewer than `max` run,
 * queues the request while fewer than `maxQueued` wait, and returns null otherwise. Slots are
 * handed to waiters in arrival order. The limits are passed on each call, so a handler class
 * whose fields change takes effect at once.
 */
export class ScriptLimiter {
  #running = 0;
  #queue: Waiter[] = [];
  /** The cap the last caller asked for. */
  #max = 1;

  /** Scripts running now. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** A slot (granted now or queued), or null when `max` scripts run and `maxQueued` wait. */
  tryAcquire(max: number, maxQueued: number): ScriptSlot | null {
    this.#max = max;
    if (this.#running < max && this.#queue.length === 0) {
      this.#running += 1;
      return this.#slot(RESOLVED, null);
    }
    if (this.#queue.length >= maxQueued) return null;
    let resolve!: () => void;
    const granted = new Promise<void>((settle) => {
      resolve = settle;
    });
    const waiter: Waiter = { resolve, settled: false };
    this.#queue.push(waiter);
    this.#wake();
    return this.#slot(granted, waiter);
  }

  #slot(granted: Promise<void>, waiter: Waiter | null): ScriptSlot {
    let released = false;
    return {
      granted,
      release: () => {
        if (released) return;
        released = true;
        if (waiter !== null && !waiter.settled) {
          this.#queue.splice(this.#queue.indexOf(waiter), 1);
          return;
        }
        this.#running -= 1;
        this.#wake();
      },
    };
  }

  /** Hand free slots to the first waiters. */
  #wake(): void {
    while (this.#running < this.#max && this.#queue.length > 0) {
      const waiter = this.#queue.shift() as Waiter;
      waiter.settled = true;
      this.#running += 1;
      waiter.resolve();
    }
  }
}

const limiters = new WeakMap<object, ScriptLimiter>();

/** The limiter shared by every handler of `server`. */
export function limiterFor(server: object): ScriptLimiter {
  let limiter = limiters.get(server);
  if (limiter === undefined) {
    limiter = new ScriptLimiter();
    limiters.set(server, limiter);
  }
  return limiter;
}
