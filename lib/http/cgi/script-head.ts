/**
 * The header block a CGI script prints before its body (RFC 3875 §6), read strictly: it must be
 * complete and well formed before anything is sent to the client, so a script can choose its
 * status, redirect, or fail with a 502 instead of a half-sent 200.
 */
import { CONTROL_CHARACTER, TOKEN_CHARACTER } from '../field-syntax';

/** The longest header block a script may print (the same bound as a request's). */
export const MAX_SCRIPT_HEAD_BYTES = 65536;

/** A script's header block, read and checked. */
export interface ScriptHead {
  /** From `Status:`, else 302 for a Location that is not a local path, else 200. */
  readonly status: number;
  /** The reason phrase from `Status:`, or null for the standard one. */
  readonly reason: string | null;
  /** The fields to send on, in order: everything but Status, Content-Length and the server's own. */
  readonly fields: readonly (readonly [string, string])[];
  /** The Location field, or null. */
  readonly location: string | null;
  /** The Content-Length the script declared, or null. */
  readonly contentLength: number | null;
  /** The script declared a Content-Type. */
  readonly hasContentType: boolean;
  /** Where the body starts in the output. */
  readonly bodyStart: number;
}

/** Output that is not (or not yet) a valid header block. */
export type HeadProblem = { readonly incomplete: true } | { readonly invalid: string };

/** True when `result` is a HeadProblem. */
export function isHeadProblem(result: ScriptHead | HeadProblem): result is HeadProblem {
  return 'incomplete' in result || 'invalid' in result;
}

const INCOMPLETE: HeadProblem = { incomplete: true };
const FIELD = new RegExp(`^(${TOKEN_CHARACTER}+):[ \\t]*(.*?)[ \\t]*$`, 's');
const STATUS = /^([1-9]\d\d)(?:[ \t]+(.*))?$/s;
/**
 * Fields the server writes itself or that belong to one connection: a script's own would
 * duplicate them or contradict the framing the server chose.
 */
const SERVER_FIELDS = new Set([
  'status',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'date',
  'server',
]);

/** True when `location` is a path on this server (`/x`), not a URL or a `//host` reference. */
export function isLocalPath(location: string): boolean {
  return location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\');
}

/**
 * Read the header block at the start of `output` (lines ending in LF or CRLF, up to an empty line).
 * Returns the head, `{ incomplete }` while the empty line has not arrived (and `output` is within
 * MAX_SCRIPT_HEAD_BYTES), or `{ invalid: reason }`.
 */
export function parseScriptHead(output: Buffer): ScriptHead | HeadProblem {
  const fields: [string, string][] = [];
  let status: string | null = null;
  let location: string | null = null;
  let contentLength: number | null = null;
  let hasContentType = false;
  let start = 0;
  let lines = 0;
  for (;;) {
    const newline = output.indexOf(0x0a, start);
    if (newline === -1 || newline >= MAX_SCRIPT_HEAD_BYTES) {
      return output.length >= MAX_SCRIPT_HEAD_BYTES
        ? { invalid: `header block longer than ${MAX_SCRIPT_HEAD_BYTES} bytes` }
        : INCOMPLETE;
    }
    const end = newline > start && output[newline - 1] === 0x0d ? newline - 1 : newline;
    const line = output.toString('latin1', start, end);
    start = newline + 1;
    if (line === '') {
      if (lines === 0) return { invalid: 'no header block' };
      break;
    }
    lines += 1;
    const match = FIELD.exec(line);
    if (match === null) return { invalid: `malformed header line ${JSON.stringify(line.slice(0, 80))}` };
    const [, name, value] = match as unknown as [string, string, string];
    if (CONTROL_CHARACTER.test(value)) return { invalid: `control character in header ${JSON.stringify(name)}` };
    const lower = name.toLowerCase();
    if (lower === 'status') {
      if (status !== null) return { invalid: 'more than one Status header' };
      status = value;
    } else if (lower === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return { invalid: `bad Content-Length ${JSON.stringify(value)}` };
      if (contentLength !== null && contentLength !== Number(value)) return { invalid: 'conflicting Content-Length' };
      contentLength = Number(value);
    } else if (lower === 'location') {
      if (location !== null) return { invalid: 'more than one Location header' };
      location = value;
    } else if (lower === 'content-type') {
      hasContentType = true;
    }
    if (!SERVER_FIELDS.has(lower)) fields.push([name, value]);
  }
  let code = location !== null && !isLocalPath(location) ? 302 : 200;
  let reason: string | null = null;
  if (status !== null) {
    const match = STATUS.exec(status);
    const parsed = match === null ? 0 : Number(match[1]);
    if (parsed < 200 || parsed > 599) return { invalid: `bad Status ${JSON.stringify(status)}` };
    code = parsed;
    reason = match?.[2] || null;
  }
  return { status: code, reason, fields, location, contentLength, hasContentType, bodyStart: start };
}
