/**
 * HTTPMessage: a request's headers, read the way Python's http.client.HTTPMessage reads them.
 */
import { BoundedMemo } from './bounded-memo';

/**
 * The lower-case form of field names, made once per name: a request looks up the same dozen
 * names (Host, Connection, Range, If-None-Match…) and receives the same few.
 */
const lowerCaseNames = new BoundedMemo(1024, (name: string) => name.toLowerCase());

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
  /**
   * Each field as three entries: the name as sent, its lower-case form, the value. One array, where
   * a request's headers used to take three (names, lower-case names, values).
   */
  readonly #fields: string[] = [];

  /** Add a field at the end (as `headers[name] = value` does in Python). */
  append(name: string, value: string): void {
    this.#fields.push(name, lowerCaseNames.get(name), value);
  }

  /** The first value of `name`, or `failobj`. */
  get(name: string): string | undefined;
  get<T>(name: string, failobj: T): string | T;
  get<T>(name: string, failobj?: T): string | T | undefined {
    const at = this.#find(lowerCaseNames.get(name), 0);
    return at === -1 ? failobj : this.#fields[at + 2];
  }

  /** Every value of `name` in order; `failobj` (undefined) when there is none. */
  getAll(name: string): string[] | undefined;
  getAll<T>(name: string, failobj: T): string[] | T;
  getAll<T>(name: string, failobj?: T): string[] | T | undefined {
    const lower = lowerCaseNames.get(name);
    let found: string[] | undefined;
    for (let at = this.#find(lower, 0); at !== -1; at = this.#find(lower, at + 3)) {
      (found ??= []).push(this.#fields[at + 2] as string);
    }
    return found ?? failobj;
  }

  /** True if a field called `name` is present. */
  has(name: string): boolean {
    return this.#find(lowerCaseNames.get(name), 0) !== -1;
  }

  /** The number of fields. */
  get size(): number {
    return this.#fields.length / 3;
  }

  /** Field names as sent. */
  keys(): string[] {
    return this.#column(0);
  }

  /** Field values in order. */
  values(): string[] {
    return this.#column(2);
  }

  /** `[name, value]` pairs in order. */
  items(): [string, string][] {
    const fields = this.#fields;
    const pairs: [string, string][] = [];
    for (let at = 0; at < fields.length; at += 3) pairs.push([fields[at] as string, fields[at + 2] as string]);
    return pairs;
  }

  /** The field names as sent, in order (Python's `for name in headers`). */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
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

  /** Where the first field at or after `from` whose lower-case name is `lower` starts, or -1. */
  #find(lower: string, from: number): number {
    const fields = this.#fields;
    for (let at = from; at < fields.length; at += 3) if (fields[at + 1] === lower) return at;
    return -1;
  }

  /** Entry `offset` (0 the name, 2 the value) of every field, in order. */
  #column(offset: number): string[] {
    const fields = this.#fields;
    const column: string[] = [];
    for (let at = offset; at < fields.length; at += 3) column.push(fields[at] as string);
    return column;
  }
}
