/**
 * The fields a ForkingMixIn worker's server takes over from its primary's bound server.
 *
 * Python's forked child is a copy of the bound server, so its handlers read what server_bind()
 * recorded there: `server_address`, HTTPServer's `server_name` and `server_port`, anything a
 * subclass's own server_bind() stored. A worker here runs the script again and must not bind, so
 * the server classes below ForkingMixIn cannot run their serverBind() (or serverActivate()) in it.
 * Instead the primary notes which of the server's own fields those calls changed and carries the
 * ones holding plain data (they travel as JSON in the worker's environment marker); the worker's
 * server is given the same values where the primary's was bound. Fields holding anything else
 * (a socket, a TLS context) belong to the primary and are not carried.
 */

import type { Awaitable } from './base-server';

/** Field name → value, as JSON can carry it. */
export type BoundFields = Record<string, unknown>;

/** Each own enumerable field of a server, as JSON text (null for a value that is not plain data). */
type FieldSnapshot = ReadonlyMap<string, string | null>;

/** Strings, booleans, null, finite numbers, and arrays and plain objects of these (no cycles). */
function isPlainData(value: unknown, ancestors: readonly object[] = []): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || ancestors.includes(value)) return false;
  const inside = [...ancestors, value];
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, inside));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((item) => isPlainData(item, inside));
}

/** The server's own enumerable fields now. */
function snapshot(server: object): FieldSnapshot {
  const fields = new Map<string, string | null>();
  for (const [name, value] of Object.entries(server)) {
    fields.set(name, isPlainData(value) ? JSON.stringify(value) : null);
  }
  return fields;
}

/**
 * Run `step` (the base class's serverBind() or serverActivate(), in the primary) and return the
 * server's own fields it changed that hold plain data, with their new values.
 */
export async function fieldsSetBy(server: object, step: () => Awaitable<void>): Promise<BoundFields> {
  const before = snapshot(server);
  await step();
  const changed: BoundFields = {};
  for (const [name, text] of snapshot(server)) {
    if (text !== null && text !== before.get(name)) changed[name] = JSON.parse(text) as unknown;
  }
  return changed;
}
