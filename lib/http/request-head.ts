/**
 * Parsing a request's head: the request line (Python's rules) and the header block and body
 * framing (RFC 9112's rules, stricter than Python so that requests cannot be smuggled).
 */
import { CONTROL_CHARACTER, TOKEN } from './field-syntax';
import { HTTPMessage } from './http-message';

/** What a request head that cannot be served gets: a status and the sendError message. */
export interface HeadError {
  readonly status: number;
  readonly message: string;
  readonly explain?: string;
}

/** How the request body is delimited. */
export type BodyFraming = { readonly chunked: false; readonly length: number } | { readonly chunked: true };

/** True for the Latin-1 characters Python's str.split() treats as whitespace. */
function isPythonWhitespace(code: number): boolean {
  return (
    code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f) || code === 0x85 || code === 0xa0
  );
}

/** Split a request line on whitespace exactly as Python's `requestline.split()`. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    if (!isPythonWhitespace(line.charCodeAt(i))) {
      if (start === -1) start = i;
    } else if (start !== -1) {
      words.push(line.slice(start, i));
      start = -1;
    }
  }
  if (start !== -1) words.push(line.slice(start));
  return words;
}

/** `line` without the CRs and LFs at its end (Python's `rstrip('\r\n')`). */
export function stripLineEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x0a || line.charCodeAt(end - 1) === 0x0d)) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** `HTTP/1.1` → [1, 1]; null unless it is `HTTP/` digits `.` digits (at most 10 digits each), as Python checks. */
export function parseVersion(version: string): [number, number] | null {
  if (version === 'HTTP/1.1') return [1, 1];
  if (version === 'HTTP/1.0') return [1, 0];
  const match = /^HTTP\/(\d{1,10})\.(\d{1,10})$/.exec(version);
  return match === null ? null : [Number(match[1]), Number(match[2])];
}

/** Python's repr() of a str (single quotes unless the text has one and no double quote). */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '\\' || char === quote) out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xad)
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

/** `line` from `start` without the spaces and tabs at either end (RFC 9110's OWS). */
function trimSpaceAndTab(line: string, start: number): string {
  let end = line.length;
  while (start < end && (line.charCodeAt(start) === 0x20 || line.charCodeAt(start) === 0x09)) start++;
  while (end > start && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  return line.slice(start, end);
}

function badRequest(message: string): HeadError {
  return { status: 400, message };
}

/**
 * Parse the header block (the lines after the request line, up to and including the blank line).
 * Rejects what RFC 9112 says a server must reject and Python lets through: obs-fold (a line
 * starting with whitespace), whitespace before the colon, names that are not tokens, and control
 * characters in values. More than `maxHeaders` fields is Python's 431 "Too many headers".
 */
export function parseHeaderBlock(
  block: Buffer,
  maxHeaders: number,
  MessageClass: new () => HTTPMessage = HTTPMessage,
): HTTPMessage | HeadError {
  const headers = new MessageClass();
  const text = block.toString('latin1');
  let start = 0;
  for (;;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    // Python counts the closing empty line too, so it takes at most maxHeaders - 1 fields.
    if (headers.size >= maxHeaders) {
      return { status: 431, message: 'Too many headers', explain: `got more than ${maxHeaders} headers` };
    }
    if (line === '') break;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) return badRequest('Bad header line (obsolete line folding)');
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon);
    if (!TOKEN.test(name)) return badRequest(`Bad header name (${pyRepr(name || line)})`);
    const value = trimSpaceAndTab(line, colon + 1);
    if (CONTROL_CHARACTER.test(value)) return badRequest(`Bad header value for ${pyRepr(name)}`);
    headers.append(name, value);
    if (newline === -1) break;
  }
  return headers;
}

/**
 * A Host field value: uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2), where uri-host is an
 * IP literal in brackets or a non-empty reg-name (which an IPv4 address also matches).
 */
const HOST_VALUE =
  /^(?:\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::[0-9]*)?$/;

/**
 * What RFC 9112 §3.2 requires a server to refuse with 400: an HTTP/1.1 request without Host, a
 * request with more than one Host field, or a Host value that is not a host and optional port.
 * Null when Host is fine.
 */
export function hostProblem(headers: HTTPMessage, requestVersion: string): HeadError | null {
  const hosts = headers.getAll('Host');
  if (hosts === undefined) return requestVersion >= 'HTTP/1.1' ? badRequest('Missing Host header') : null;
  if (hosts.length > 1) return badRequest('More than one Host header');
  const [host = ''] = hosts;
  if (host === lastValidHost) return null;
  if (!HOST_VALUE.test(host)) return badRequest(`Bad Host header (${pyRepr(host)})`);
  lastValidHost = host;
  return null;
}

/** The Host value last found valid: a server's requests mostly repeat one, and HOST_VALUE is long. */
let lastValidHost: string | null = null;

/**
 * Decide how the body is delimited (RFC 9112 §6.3), refusing every ambiguous case with 400:
 * Content-Length together with Transfer-Encoding, more than one Content-Length, a length that is
 * not plain digits, transfer codings whose last is not `chunked` or that name it twice or hold
 * an empty element (as in `,chunked`: a front end that does not skip it reads the body as the
 * next request), and chunked in HTTP/1.0. Codings before a final `chunked` (`gzip, chunked`)
 * are well framed but not understood here: 501, as RFC 9112 §6.1 recommends (then close).
 */
export function bodyFraming(headers: HTTPMessage, requestVersion: string): BodyFraming | HeadError {
  const codings = headers.getAll('Transfer-Encoding');
  const lengths = headers.getAll('Content-Length');
  if (codings !== undefined) {
    if (lengths !== undefined) return badRequest('Content-Length with Transfer-Encoding');
    if (requestVersion === 'HTTP/1.0') return badRequest('Transfer-Encoding in an HTTP/1.0 request');
    const list = codings
      .join(',')
      .split(',')
      // Only SP and HTAB are whitespace here (RFC 9110 §5.6.3): String.trim() would also strip
      // NBSP, \v and \f, so `chunked\xa0` would pass as chunked while a proxy may not agree.
      .map((coding) => coding.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase());
    if (list.length === 1 && list[0] === 'chunked') return { chunked: true };
    const message = `Unsupported Transfer-Encoding (${pyRepr(codings.join(', '))})`;
    if (list.indexOf('chunked') !== list.length - 1 || list.includes('')) return badRequest(message);
    return { status: 501, message };
  }
  if (lengths === undefined) return { chunked: false, length: 0 };
  const [length] = lengths;
  if (lengths.length > 1 || length === undefined || !/^\d{1,15}$/.test(length)) {
    return badRequest(`Bad Content-Length (${pyRepr(lengths.join(', '))})`);
  }
  return { chunked: false, length: Number(length) };
}

/** True for a parse result that is an error. */
export function isHeadError(value: object): value is HeadError {
  return 'status' in value;
}

/** Length of the longest line in `block`, counting its line ending (an unfinished line counts whole). */
export function longestLine(block: Buffer): number {
  let longest = 0;
  let start = 0;
  for (let newline = block.indexOf(0x0a); newline !== -1; newline = block.indexOf(0x0a, start)) {
    longest = Math.max(longest, newline + 1 - start);
    start = newline + 1;
  }
  return Math.max(longest, block.length - start);
}

/** True for a line that is only its line ending (CR LF or LF). */
export function isEmptyLine(line: Buffer): boolean {
  return (line.length === 1 && line[0] === 0x0a) || (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a);
}

/** True when `block` ends with an empty line (LF or CRLF): the header block is complete. */
export function endsWithBlankLine(block: Buffer): boolean {
  const n = block.length;
  if (n === 0 || block[n - 1] !== 0x0a) return false;
  if (n === 1 || block[n - 2] === 0x0a) return true;
  return block[n - 2] === 0x0d && (n === 2 || block[n - 3] === 0x0a);
}
