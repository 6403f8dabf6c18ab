/**
 * The canonical request-path pipeline of the static handler: every decision (which file, which
 * listing, whether to redirect, its title) starts from the one result this module computes.
 *
 * target → origin-form path (absolute-form `http(s)://host/p` → `/p`) → split off `?query` and
 * `#fragment` → percent-decode exactly once (malformed escapes and invalid UTF-8 rejected) →
 * reject control characters (NUL included) and backslashes → remove dot-segments, clamped at `/`.
 */
import { BoundedMemo } from '../bounded-memo';

/** A request path that passed the pipeline. */
export interface RequestPath {
  /** The path as sent, without query and fragment; a leading run of slashes collapsed to one. */
  readonly raw: string;
  /** What followed `?` (without the fragment), or null when there was no `?`. */
  readonly query: string | null;
  /** What followed `#`, or null. */
  readonly fragment: string | null;
  /** `raw` percent-decoded once (UTF-8). */
  readonly decoded: string;
  /** The path's segments after dot-segment removal: never empty, `.` or `..`. */
  readonly segments: readonly string[];
  /** The decoded path ended with `/` (Python's translate_path keeps that slash). */
  readonly trailingSlash: boolean;
}

/** A request path the pipeline refused, with the reason (a 400's message). */
export interface PathRejection {
  /** Why: the reason phrase of the 400 that answers it, e.g. `Bad request path (control character or backslash)`. */
  readonly rejected: string;
}

/** True when `result` is a rejection. */
export function isRejection(result: RequestPath | PathRejection): result is PathRejection {
  return 'rejected' in result;
}

/** A path that needs no decoding and has nothing to reject: printable ASCII without `%` or `\`. */
const PLAIN_PATH = /^[\x21-\x24\x26-\x5b\x5d-\x7e]*$/;
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;
const HEX = /^[0-9A-Fa-f]{2}$/;
const UNSAFE_DECODED = /[\x00-\x1f\x7f\\]/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Percent-decode `raw` once into UTF-8 text; null if an escape is malformed or the bytes are not UTF-8. */
function percentDecode(raw: string): string | null {
  if (!raw.includes('%') && !/[^\x00-\x7f]/.test(raw)) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (code <= 0xff) {
      // The request line is read as Latin-1: a character up to 0xff is one byte from the wire.
      bytes.push(code);
    } else {
      bytes.push(...Buffer.from(raw[i] as string, 'utf8'));
    }
  }
  try {
    return STRICT_UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/** The segments of a decoded path with `.` and `..` applied (RFC 3986 §5.2.4, clamped at the root). */
function removeDotSegments(decoded: string): string[] {
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments;
}

/** Run a request target through the pipeline. */
function parseRequestPath(target: string): RequestPath | PathRejection {
  let rest = target;
  const absolute = ABSOLUTE_FORM.exec(rest);
  if (absolute !== null) rest = rest.slice(absolute[0].length) || '/';
  if (!rest.startsWith('/')) return { rejected: 'Bad request path' };
  let fragment: string | null = null;
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query: string | null = null;
  const mark = rest.indexOf('?');
  if (mark !== -1) {
    query = rest.slice(mark + 1);
    rest = rest.slice(0, mark);
  }
  // A leading '//' would read as a host to a browser (an open redirect): collapse it.
  const raw = rest.startsWith('//') ? '/' + rest.replace(/^\/+/, '') : rest;
  if (PLAIN_PATH.test(raw)) {
    return { raw, query, fragment, decoded: raw, segments: removeDotSegments(raw), trailingSlash: raw.endsWith('/') };
  }
  const decoded = percentDecode(raw);
  if (decoded === null) return { rejected: 'Bad request path (malformed %-escape or invalid UTF-8)' };
  if (UNSAFE_DECODED.test(decoded)) return { rejected: 'Bad request path (control character or backslash)' };
  return { raw, query, fragment, decoded, segments: removeDotSegments(decoded), trailingSlash: decoded.endsWith('/') };
}

/** Request targets up to this long are remembered by sharedRequestPath(). */
const SHARED_TARGET_LENGTH = 512;
/** Targets sharedRequestPath() remembers at most (well under a few megabytes in all). */
const sharedPaths = new BoundedMemo(1024, (target: string) => frozen(parseRequestPath(target)));

function frozen(result: RequestPath | PathRejection): RequestPath | PathRejection {
  if ('segments' in result) Object.freeze(result.segments);
  return Object.freeze(result);
}

/**
 * parseRequestPath(target), one frozen result shared by every request for the same target: the
 * same paths are asked for again and again, and what is made from the result (the file path) can
 * then be kept for it rather than made anew for each request. Targets longer than
 * SHARED_TARGET_LENGTH are parsed each time; unique targets, such as cache-busting queries, cost
 * only the parse they would cost anyway.
 */
export function sharedRequestPath(target: string): RequestPath | PathRejection {
  return target.length <= SHARED_TARGET_LENGTH ? sharedPaths.get(target) : frozen(parseRequestPath(target));
}
