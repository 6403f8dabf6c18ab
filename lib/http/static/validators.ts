/**
 * Validators of a served file (ETag, Last-Modified) and the evaluation of conditional requests,
 * in RFC 9110 §13.2.2's order: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since.
 */
import type { BigIntStats } from 'node:fs';
import { httpDate } from '../dates';
import type { HTTPMessage } from '../http-message';
import { parseHttpDate } from './http-date';

/** What a file's conditional requests are checked against. */
export interface Validators {
  /** A strong entity tag, quoted: `"<mtime ns>-<size>-<inode>-<ctime ns>"` in base 36. */
  readonly etag: string;
  /** Last-Modified as an HTTP date. */
  readonly lastModified: string;
  /** The modification time in whole seconds (HTTP dates have no finer resolution). */
  readonly mtimeSeconds: number;
}

/**
 * The validators of a file. The tag covers the modification time, size and inode as usual, and
 * also the change time, which every write and every `utimes` moves: a file rewritten with the
 * same size and its old mtime restored still gets a new tag.
 */
export function validatorsOf(stat: BigIntStats): Validators {
  const mtimeSeconds = Number(stat.mtimeNs / 1_000_000_000n);
  const etag = `"${stat.mtimeNs.toString(36)}-${stat.size.toString(36)}-${stat.ino.toString(36)}-${stat.ctimeNs.toString(36)}"`;
  return { etag, lastModified: httpDate(mtimeSeconds), mtimeSeconds };
}

/** The outcome of a request's preconditions. */
export type Precondition = 'proceed' | 'not-modified' | 'failed';

const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

/** The opaque tags of an If-Match / If-None-Match list, `W/` kept; `['*']` for `*`. Malformed members are dropped. */
function entityTags(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed === '*') return ['*'];
  const tags: string[] = [];
  for (const member of trimmed.split(',')) {
    const tag = member.trim();
    if (ENTITY_TAG.test(tag)) tags.push(tag);
  }
  return tags;
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** Strong comparison (RFC 9110 §8.8.3.2): both tags strong and the same. */
export function strongMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

/** Weak comparison: the same opaque tag, either of them weak or not. */
function weakMatch(a: string, b: string): boolean {
  return opaque(a) === opaque(b);
}

/** Every value of a header joined as one list (a field may be sent more than once). */
function listHeader(headers: HTTPMessage, name: string): string | undefined {
  const values = headers.getAll(name);
  return values === undefined ? undefined : values.join(',');
}

/**
 * Evaluate the preconditions of a GET or HEAD against a file's validators: 'failed' answers 412,
 * 'not-modified' 304, 'proceed' serves the file.
 */
export function evaluatePreconditions(headers: HTTPMessage, validators: Validators): Precondition {
  const mtimeMs = validators.mtimeSeconds * 1000;
  const ifMatch = listHeader(headers, 'If-Match');
  if (ifMatch !== undefined) {
    const tags = entityTags(ifMatch);
    if (!tags.some((tag) => tag === '*' || strongMatch(tag, validators.etag))) return 'failed';
  } else {
    const since = headers.get('If-Unmodified-Since');
    const date = since === undefined ? null : parseHttpDate(since);
    if (date !== null && mtimeMs > date) return 'failed';
  }
  const ifNoneMatch = listHeader(headers, 'If-None-Match');
  if (ifNoneMatch !== undefined) {
    const tags = entityTags(ifNoneMatch);
    return tags.some((tag) => tag === '*' || weakMatch(tag, validators.etag)) ? 'not-modified' : 'proceed';
  }
  const since = headers.get('If-Modified-Since');
  const date = since === undefined ? null : parseHttpDate(since);
  return date !== null && mtimeMs <= date ? 'not-modified' : 'proceed';
}
