/**
 * Range requests (RFC 9110 §14): one byte range is answered with 206, an unsatisfiable one with
 * 416, and anything else — no Range, another unit, a malformed header, several ranges, or an
 * If-Range that does not match — with the whole file (200). Several ranges get the whole file
 * rather than multipart/byteranges: the body costs at most the file's size and no client has to
 * parse multipart (RFC 9110 §14.2 allows ignoring Range).
 */
import type { HTTPMessage } from '../http-message';
import { parseHttpDate } from './http-date';
import { strongMatch, type Validators } from './validators';

/** What to send for a request's Range. */
export type RangeAnswer =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const WHOLE: RangeAnswer = { kind: 'whole' };
const UNSATISFIABLE: RangeAnswer = { kind: 'unsatisfiable' };
const BYTES_UNIT = /^bytes=/i;
const FIRST_LAST = /^(\d+)-(\d*)$/;
const SUFFIX = /^-(\d+)$/;

/** The range a `Range` value asks of a body of `size` bytes; `end` is inclusive. */
export function parseRange(value: string, size: number): RangeAnswer {
  const trimmed = value.trim();
  if (!BYTES_UNIT.test(trimmed)) return WHOLE;
  const specs = trimmed
    .slice('bytes='.length)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length !== 1) return WHOLE;
  const spec = specs[0] as string;
  const suffix = SUFFIX.exec(spec);
  if (suffix !== null) {
    const length = Number(suffix[1]);
    if (length === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const firstLast = FIRST_LAST.exec(spec);
  if (firstLast === null) return WHOLE;
  const first = Number(firstLast[1]);
  const last = firstLast[2] === '' ? Infinity : Number(firstLast[2]);
  if (last < first) return WHOLE;
  if (first >= size) return UNSATISFIABLE;
  return { kind: 'partial', start: first, end: Math.min(last, size - 1) };
}

/** True when an If-Range (absent, or naming the current file strongly) lets the Range apply. */
function ifRangeHolds(ifRange: string | undefined, validators: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return strongMatch(value, validators.etag);
  const date = parseHttpDate(value);
  return date !== null && date === validators.mtimeSeconds * 1000;
}

/** The range to send for a GET of a file (Range is defined for GET only, so other methods get 'whole'). */
export function requestedRange(
  command: string | null,
  headers: HTTPMessage,
  size: number,
  validators: Validators,
): RangeAnswer {
  if (command !== 'GET') return WHOLE;
  const range = headers.get('Range');
  if (range === undefined || !ifRangeHolds(headers.get('If-Range'), validators)) return WHOLE;
  return parseRange(range, size);
}
