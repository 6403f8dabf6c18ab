/**
 * HTTPMessage: a request's headers, read the way Python's http.client.HTTPMessage reads them.
 */

/**
 * Header fields in the order they arrived, duplicates kept, names matched case-insensitively.
 *
 * - `get(name, failobj?)`: the first value, or `failobj` (undefined) when absent.
 * - `getAll(name, failobj?)`: every value, in order.
 * - `has(name)`: Python's `name in headers`.
 * - `keys()`, `values()`, `items()`, `size`, iteration over names: as sent.
 * - `getContentType()`: the media type in lower case, 'text/plain' when absent or malformed
 *   (as email.message does); `getContentCharset()`: the charset parameter, lower case.
 */
export class HTTPMessage implements Iterable<string> {
  readonly #names: string[] = [];
  readonly #lowerNames: string[] = [];
  readonly #values: string[] = [];

  /** Add a field at the end (as `headers[name] = value` does in Python). */
  append(name: string, value: string): void {
    this.#names.push(name);
    this.#lowerNames.push(name.toLowerCase());
    this.#values.push(value);
  }

  /** The first value of `name`, or `failobj`. */
  get(name: string): string | undefined;
  get<T>(name: string, failobj: T): string | T;
  get<T>(name: string, failobj?: T): string | T | undefined {
    const index = this.#lowerNames.indexOf(name.toLowerCase());
    return index === -1 ? failobj : this.#values[index];
  }

  /** Every value of `name` in order; `failobj` (undefined) when there is none. */
  getAll(name: string): string[] | undefined;
  getAll<T>(name: string, failobj: T): string[] | T;
  getAll<T>(name: string, failobj?: T): string[] | T | undefined {
    const lower = name.toLowerCase();
    let found: string[] | undefined;
    for (let i = 0; i < this.#lowerNames.length; i++) {
      if (this.#lowerNames[i] === lower) (found ??= []).push(this.#values[i] as string);
    }
    return found ?? failobj;
  }

  /** True if a field called `name` is present. */
  has(name: string): boolean {
    return this.#lowerNames.includes(name.toLowerCase());
  }

  /** The number of fields. */
  get size(): number {
    return this.#names.length;
  }

  /** Field names as sent. */
  keys(): string[] {
    return [...this.#names];
  }

  /** Field values in order. */
  values(): string[] {
    return [...this.#values];
  }

  /** `[name, value]` pairs in order. */
  items(): [string, string][] {
    return this.#names.map((name, i) => [name, this.#values[i] as string]);
  }

  /** The field names as sent, in order (Python's `for name in headers`). */
  [Symbol.iterator](): Iterator<string> {
    return this.#names[Symbol.iterator]();
  }

  /** The media type of Content-Type in lower case; 'text/plain' when absent or not type/subtype. */
  getContentType(): string {
    const value = this.get('Content-Type');
    if (value === undefined) return 'text/plain';
    const type = (value.split(';', 1)[0] as string).trim().toLowerCase();
    return /^[^/\s]+\/[^/\s]+$/.test(type) ? type : 'text/plain';
  }

  /** The charset parameter of Content-Type in lower case, or undefined. */
  getContentCharset(): string | undefined {
    const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(this.get('Content-Type') ?? '');
    return match?.[1]?.toLowerCase();
  }

  /** The fields as they would be written, `Name: value` lines ending in CRLF, and a blank line. */
  toString(): string {
    return this.items()
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')
      .concat('\r\n');
  }
}
