/**
 * The differential spec's corpus: raw requests, good and malformed, each sent on a fresh
 * connection to both the Python server and the sockserve one. Strings are latin-1, so `\xe9` is
 * the byte 0xE9.
 */

/** One raw request. */
export interface CorpusEntry {
  /** Names the case in the spec's output and in the differences table. */
  readonly name: string;
  readonly bytes: Buffer;
  /** Half-close (FIN) after sending: the server sees EOF after these bytes. */
  readonly halfClose?: boolean;
  /** The request is HEAD: responses carry no body whatever Content-Length says. */
  readonly head?: boolean;
}

const HOST = 'Host: example.test';
const CLOSE = 'Connection: close';

/** Header lines joined with CRLF, ended by the empty line, then `body`. */
function request(lines: readonly string[], body = ''): Buffer {
  return Buffer.from(lines.map((line) => `${line}\r\n`).join('') + '\r\n' + body, 'latin1');
}

function entry(
  name: string,
  bytes: Buffer | string,
  options: { halfClose?: boolean; head?: boolean } = {},
): CorpusEntry {
  return { name, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, ...options };
}

function manyHeaders(count: number): string[] {
  return Array.from({ length: count }, (_unused, index) => `X-Filler-${index}: ${index}`);
}

/** The corpus, in the order the spec reports it. */
export const CORPUS: readonly CorpusEntry[] = [
  // Well-formed requests.
  entry('GET with Connection: close', request(['GET /hello HTTP/1.1', HOST, CLOSE])),
  entry('GET with a query string', request(['GET /search?q=a%20b&x=1 HTTP/1.1', HOST, CLOSE])),
  entry('GET HTTP/1.0 (closes by default)', request(['GET /old HTTP/1.0', HOST])),
  entry('GET HTTP/1.0 with Connection: keep-alive', request(['GET /old HTTP/1.0', HOST, 'Connection: keep-alive'])),
  entry('GET HTTP/1.1 (keeps the connection open)', request(['GET /kept HTTP/1.1', HOST])),
  entry('GET without Host', request(['GET /no-host HTTP/1.1', CLOSE])),
  entry('two Host fields', request(['GET /two-hosts HTTP/1.1', HOST, 'Host: other.test', CLOSE])),
  entry('Host with a path in it', request(['GET /bad-host HTTP/1.1', 'Host: example.test/../x', CLOSE])),
  entry('HEAD', request(['HEAD /hello HTTP/1.1', HOST, CLOSE]), { head: true }),
  entry('POST with a body', request(['POST /form HTTP/1.1', HOST, 'Content-Length: 11', CLOSE], 'hello world')),
  entry('POST with Content-Length: 0', request(['POST /form HTTP/1.1', HOST, 'Content-Length: 0', CLOSE])),
  entry('POST without Content-Length', request(['POST /form HTTP/1.1', HOST, CLOSE])),
  entry(
    'POST with binary bytes in the body',
    request(['POST /bin HTTP/1.1', HOST, 'Content-Length: 8', CLOSE], '\x00\x01\r\n\xff\xfe\x80\x7f'),
  ),
  entry(
    'POST with more bytes than Content-Length',
    request(['POST /form HTTP/1.1', HOST, 'Content-Length: 3', CLOSE], 'abcdef'),
  ),
  entry('POST whose body ends early (FIN)', request(['POST /form HTTP/1.1', HOST, 'Content-Length: 10'], 'abcd'), {
    halfClose: true,
  }),
  entry(
    'POST with Expect: 100-continue',
    request(['POST /form HTTP/1.1', HOST, 'Expect: 100-continue', 'Content-Length: 5', CLOSE], 'hello'),
  ),
  entry(
    'POST with Expect: 100-continue over HTTP/1.0',
    request(['POST /form HTTP/1.0', HOST, 'Expect: 100-continue', 'Content-Length: 5'], 'hello'),
  ),
  entry(
    'two pipelined GETs',
    Buffer.concat([request(['GET /first HTTP/1.1', HOST]), request(['GET /second HTTP/1.1', HOST, CLOSE])]),
  ),
  entry(
    'pipelined POST then GET',
    Buffer.concat([
      request(['POST /first HTTP/1.1', HOST, 'Content-Length: 4'], 'data'),
      request(['GET /second HTTP/1.1', HOST, CLOSE]),
    ]),
  ),
  entry('duplicate X-Test headers', request(['GET /dup HTTP/1.1', HOST, 'X-Test: one', 'X-Test: two', CLOSE])),
  entry('header names in mixed case', request(['GET /case HTTP/1.1', 'hOsT: example.test', 'x-TEST: v', CLOSE])),
  entry('header value with inner spaces and tabs', request(['GET /ws HTTP/1.1', HOST, 'X-Test: a b\tc', CLOSE])),
  entry('header value with latin-1 bytes', request(['GET /latin HTTP/1.1', HOST, 'X-Test: \xe9t\xe9', CLOSE])),
  entry('header without a space after the colon', request(['GET /tight HTTP/1.1', 'Host:example.test', CLOSE])),
  entry('bare LF line endings', 'GET /lf HTTP/1.1\nHost: example.test\nX-Test: lf\nConnection: close\n\n'),
  entry('tabs between request-line words', request(['GET\t/tab\tHTTP/1.1', HOST, CLOSE])),
  entry('extra spaces in the request line', request(['  GET   /spaces   HTTP/1.1   ', HOST, CLOSE])),
  entry('target starting with //', request(['GET //evil.example/x HTTP/1.1', HOST, CLOSE])),
  entry('absolute-form target', request(['GET http://example.test/abs?x=1 HTTP/1.1', HOST, CLOSE])),
  entry('latin-1 byte in the target', request(['GET /caf\xe9 HTTP/1.1', HOST, CLOSE])),
  entry('NUL byte in the target', request(['GET /nul\x00byte HTTP/1.1', HOST, CLOSE])),
  entry('version HTTP/01.01 (leading zeros)', request(['GET /zeros HTTP/01.01', HOST, CLOSE])),
  entry('version HTTP/1.9', request(['GET /minor HTTP/1.9', HOST, CLOSE])),
  entry("99 header fields (Python's most)", request(['GET /ninety-nine HTTP/1.1', HOST, ...manyHeaders(97), CLOSE])),
  entry('HTTP/0.9 GET (then an empty line)', 'GET /nine\r\n\r\n'),
  entry('HTTP/0.9 GET of an error (then an empty line)', 'GET /missing\r\n\r\n'),
  entry('empty line before the request line', '\r\nGET /late HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'),
  entry('request line of whitespace only', ' \t \r\n'),
  entry('connection closed without a request', '', { halfClose: true }),

  // Handler routes.
  entry('sendError(404)', request(['GET /missing HTTP/1.1', HOST])),
  entry('sendError(403, message with markup)', request(['GET /forbidden HTTP/1.1', HOST])),
  entry('sendError(400, message, explain) with markup', request(['GET /explained HTTP/1.1', HOST])),
  entry('sendError(404) to HEAD', request(['HEAD /missing HTTP/1.1', HOST]), { head: true }),
  entry('sendError(413)', request(['GET /error/413 HTTP/1.1', HOST])),
  entry('sendError(414)', request(['GET /error/414 HTTP/1.1', HOST])),
  entry('sendError(416)', request(['GET /error/416 HTTP/1.1', HOST])),
  entry('sendError(418)', request(['GET /error/418 HTTP/1.1', HOST])),
  entry('sendError(422)', request(['GET /error/422 HTTP/1.1', HOST])),
  entry('sendError(431)', request(['GET /error/431 HTTP/1.1', HOST])),
  entry('sendError(204) (no body)', request(['GET /error/204 HTTP/1.1', HOST])),
  entry('sendError(599) (unknown code)', request(['GET /error/599 HTTP/1.1', HOST])),
  entry('response without Content-Length, client closes', request(['GET /no-length HTTP/1.1', HOST, CLOSE])),
  entry('204 response on a kept connection', request(['GET /no-content HTTP/1.1', HOST])),
  entry('handler sends Connection: close', request(['GET /close HTTP/1.1', HOST])),

  // Malformed request lines.
  entry('unknown method', request(['BREW /pot HTTP/1.1', HOST])),
  entry('lower-case method', request(['get /lower HTTP/1.1', HOST])),
  entry('OPTIONS * (no do_OPTIONS)', request(['OPTIONS * HTTP/1.1', HOST])),
  entry('four words in the request line', request(['GET /a b HTTP/1.1', HOST])),
  entry('request line of one word', request(['GET', HOST])),
  entry('HTTP/0.9 request with POST', 'POST /nine\r\n'),
  entry('version in lower case', request(['GET / http/1.1', HOST])),
  entry('version HTTP/1 (no minor)', request(['GET / HTTP/1', HOST])),
  entry('version HTTP/1.1.1', request(['GET / HTTP/1.1.1', HOST])),
  entry('version with a superscript digit', request(['GET / HTTP/1.\xb9', HOST])),
  entry('version number over 10 digits', request(['GET / HTTP/12345678901.1', HOST])),
  entry('version HTTP/2.0', request(['GET / HTTP/2.0', HOST])),
  entry('HTTP/0.9 GET and nothing more', 'GET /nine\r\n'),
  entry('bare CR inside the request line', request(['GET / HTTP/1.1\rHost: x', CLOSE])),
  entry('request line over 65536 bytes', request([`GET /${'a'.repeat(65540)} HTTP/1.1`, HOST])),

  // Malformed header blocks and body framing.
  entry('100 header fields', request(['GET /hundred HTTP/1.1', ...manyHeaders(99), CLOSE])),
  entry('101 header fields', request(['GET /too-many HTTP/1.1', ...manyHeaders(100), CLOSE])),
  entry('header line over 65536 bytes', request(['GET /long HTTP/1.1', `X-Long: ${'b'.repeat(65540)}`, CLOSE])),
  entry(
    'header block over 65536 bytes in short lines',
    request(['GET /big HTTP/1.1', ...Array.from({ length: 60 }, (_u, i) => `X-Big-${i}: ${'c'.repeat(1200)}`), CLOSE]),
  ),
  entry('obs-fold continuation line', request(['GET /fold HTTP/1.1', HOST, 'X-Test: a', ' folded', CLOSE])),
  entry('whitespace before the colon', request(['GET /space HTTP/1.1', 'Host : example.test', CLOSE])),
  entry('header line without a colon', request(['GET /nocolon HTTP/1.1', HOST, 'NoColonHere', CLOSE])),
  entry('empty header name', request(['GET /empty-name HTTP/1.1', HOST, ': value', CLOSE])),
  entry('header name that is not a token', request(['GET /token HTTP/1.1', HOST, 'X(Test): 1', CLOSE])),
  entry('NUL in a header value', request(['GET /nul HTTP/1.1', HOST, 'X-Test: a\x00b', CLOSE])),
  entry('bare CR in a header value', request(['GET /cr HTTP/1.1', HOST, 'X-Test: a\rX-Injected: b', CLOSE])),
  entry('trailing whitespace in a header value', request(['GET /trail HTTP/1.1', HOST, 'X-Test: value  \t', CLOSE])),
  entry(
    'Content-Length with Transfer-Encoding',
    request(['POST /smuggle HTTP/1.1', HOST, 'Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
  ),
  entry(
    'two different Content-Lengths',
    request(['POST /cl HTTP/1.1', HOST, 'Content-Length: 3', 'Content-Length: 5', CLOSE], 'abcde'),
  ),
  entry(
    'two equal Content-Lengths',
    request(['POST /cl HTTP/1.1', HOST, 'Content-Length: 3', 'Content-Length: 3', CLOSE], 'abc'),
  ),
  entry('Content-Length not a number', request(['POST /cl HTTP/1.1', HOST, 'Content-Length: abc', CLOSE])),
  entry('negative Content-Length', request(['POST /cl HTTP/1.1', HOST, 'Content-Length: -1'], 'xyz'), {
    halfClose: true,
  }),
  entry('Content-Length with a plus sign', request(['POST /cl HTTP/1.1', HOST, 'Content-Length: +3', CLOSE], 'abc')),
  entry(
    'chunked body (the handler reads Content-Length only)',
    request(['POST /chunked HTTP/1.1', HOST, 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'),
  ),
  entry(
    'chunked body with a bad chunk size',
    request(['POST /chunked HTTP/1.1', HOST, 'Transfer-Encoding: chunked'], 'zz\r\nhello\r\n0\r\n\r\n'),
  ),
  entry(
    'Transfer-Encoding: gzip, chunked',
    request(['POST /te HTTP/1.1', HOST, 'Transfer-Encoding: gzip, chunked', CLOSE], '5\r\nhello\r\n0\r\n\r\n'),
  ),
  entry(
    'Transfer-Encoding in an HTTP/1.0 request',
    request(['POST /te HTTP/1.0', HOST, 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'),
  ),
  entry('handler raises before responding', request(['GET /raise HTTP/1.1', HOST])),
  entry('response without Content-Length on a kept connection', request(['GET /no-length HTTP/1.1', HOST])),
  entry('request head cut short by FIN', 'GET /cut HTTP/1.1\r\nHost: example.test\r\n', { halfClose: true }),
];
