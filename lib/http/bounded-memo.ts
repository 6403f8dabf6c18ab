/**
 * A memo with a bound: what `make(key)` gave, for at most `limit` keys. When full it forgets them
 * all and starts again, so keys that never come back (unique request targets) cost only what
 * making them costs, and memory stays bounded without bookkeeping on every hit.
 */
export class BoundedMemo<K, V> {
  readonly #values = new Map<K, V>();
  readonly #limit: number;
  readonly #make: (key: K) => V;

  constructor(limit: number, make: (key: K) => V) {
    this.#limit = limit;
    this.#make = make;
  }

  /** make(key), made at most once while the memo remembers `key`. */
  get(key: K): V {
    let value = this.#values.get(key);
    if (value === undefined) {
      value = this.#make(key);
      if (this.#values.size >= this.#limit) this.#values.clear();
      this.#values.set(key, value);
    }
    return value;
  }
}
