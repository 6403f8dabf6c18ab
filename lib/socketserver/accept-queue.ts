/**
 * The requests a server's socket has taken in and the serving loop has not yet picked up: the
 * part of an accept loop that Python leaves to the kernel's backlog and select().
 */
import { startTimer } from './settle';

/** Why a wait ended. */
export type WaitResult = 'ready' | 'timeout' | 'interrupted' | 'closed';

interface Waiter {
  readonly interruptible: boolean;
  settle(result: WaitResult): void;
}

/** A FIFO of incoming requests with one waiter at a time, like one thread blocked in select(). */
export class AcceptQueue<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: Waiter | null = null;
  #closed = false;

  /** Requests waiting to be picked up. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Add a request and wake the waiter. Ignored (returns false) once closed. */
  push(item: T): boolean {
    if (this.#closed) return false;
    this.#items.push(item);
    this.#settle('ready');
    return true;
  }

  /** Take the oldest request, if any. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head] as T;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }

  /**
   * Wait until a request is there ('ready'), `seconds` pass ('timeout'; null waits for ever),
   * interrupt() is called while `interruptible` ('interrupted'), or close() ('closed').
   */
  wait(seconds: number | null, interruptible: boolean): Promise<WaitResult> {
    if (this.#closed) return Promise.resolve('closed');
    if (this.length > 0) return Promise.resolve('ready');
    return new Promise<WaitResult>((resolve) => {
      const timer = startTimer(seconds, () => this.#settle('timeout'));
      this.#waiter = {
        interruptible,
        settle: (result) => {
          if (timer !== null) clearTimeout(timer);
          resolve(result);
        },
      };
    });
  }

  /** Wake an interruptible waiter (a serving loop that was asked to shut down). */
  interrupt(): void {
    if (this.#waiter?.interruptible) this.#settle('interrupted');
  }

  /** Stop taking requests, wake the waiter, and hand back the requests nobody picked up. */
  close(): T[] {
    this.#closed = true;
    const left = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    this.#settle('closed');
    return left;
  }

  #settle(result: WaitResult): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    this.#waiter = null;
    waiter.settle(result);
  }
}
