/**
 * Request framing stricter than Python (RFC 9112 §5, §6, §7): every ambiguous or malformed head or
 * chunked body gets a 400 with a status line and the connection is closed, and nothing a request
 * carries is ever parsed as a request of its own.
 */
import { expect } from 'chai';
import { RecordingHandler, recordedRequests, serveHTTP } from '../support/http-handlers';
import { WireClient, exchangeAll, headerOf } from '../support/http-wire';
import { Teardown } from '../support/teardown';

/** Every request that reached a do_* method (RecordingHandler's list). */
const seen = recordedRequests;

/** POST answers without reading the body. */
class IgnoringBodyHandler extends RecordingHandler {
  override async do_POST(): Promise<void> {
    seen.push(`POST ${this.path} unread`);
    await this.reply(200, 'ignored');
  }
}

/** POST reads the first 3 bytes of the body only. */
class PartReadingHandler extends RecordingHandler {
  override async do_POST(): Promise<void> {
    const part = await this.rfile.read(3);
    seen.push(`POST ${this.path} ${part.toString()}`);
    await this.reply(200, part);
  }
}

/** `[case, bytes after the request line's CRLF (a head and maybe a body), reason phrase of the 400]`. */
type BadCase = readonly [name: string, rest: string, reason: string | RegExp];

const HEAD_CASES: readonly BadCase[] = [
  [
    'Content-Length with Transfer-Encoding',
    'Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX',
    'Content-Length with Transfer-Encoding',
  ],
  [
    'Transfer-Encoding with Content-Length',
    'Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n',
    'Content-Length with Transfer-Encoding',
  ],
  [
    'two different Content-Lengths',
    'Content-Length: 5\r\nContent-Length: 10\r\n\r\nhelloworld',
    "Bad Content-Length ('5, 10')",
  ],
  ['two equal Content-Lengths', 'Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello', "Bad Content-Length ('5, 5')"],
  ['a Content-Length list', 'Content-Length: 5, 5\r\n\r\nhello', "Bad Content-Length ('5, 5')"],
  ['Content-Length +5', 'Content-Length: +5\r\n\r\nhello', "Bad Content-Length ('+5')"],
  ['Content-Length -1', 'Content-Length: -1\r\n\r\n', "Bad Content-Length ('-1')"],
  ['Content-Length 0x5', 'Content-Length: 0x5\r\n\r\nhello', "Bad Content-Length ('0x5')"],
  ['Content-Length 5_0', 'Content-Length: 5_0\r\n\r\n', "Bad Content-Length ('5_0')"],
  ['Content-Length 1e1', 'Content-Length: 1e1\r\n\r\n', "Bad Content-Length ('1e1')"],
  ['Content-Length 5.0', 'Content-Length: 5.0\r\n\r\n', "Bad Content-Length ('5.0')"],
  ['Content-Length 4 2', 'Content-Length: 4 2\r\n\r\n', "Bad Content-Length ('4 2')"],
  ['an empty Content-Length', 'Content-Length: \r\n\r\n', "Bad Content-Length ('')"],
  [
    'an overflowing Content-Length',
    'Content-Length: 99999999999999999999\r\n\r\n',
    "Bad Content-Length ('99999999999999999999')",
  ],
  ['Transfer-Encoding gzip', 'Transfer-Encoding: gzip\r\n\r\n', "Unsupported Transfer-Encoding ('gzip')"],
  [
    'Transfer-Encoding chunked, chunked',
    'Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n',
    "Unsupported Transfer-Encoding ('chunked, chunked')",
  ],
  [
    'two Transfer-Encoding fields',
    'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    "Unsupported Transfer-Encoding ('chunked, chunked')",
  ],
  [
    'Transfer-Encoding chunked;x',
    'Transfer-Encoding: chunked;x\r\n\r\n0\r\n\r\n',
    "Unsupported Transfer-Encoding ('chunked;x')",
  ],
  ['Transfer-Encoding identity', 'Transfer-Encoding: identity\r\n\r\n', "Unsupported Transfer-Encoding ('identity')"],
  [
    'Transfer-Encoding xchunked',
    'Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
    "Unsupported Transfer-Encoding ('xchunked')",
  ],
  [
    'Transfer-Encoding chunked + NBSP',
    'Transfer-Encoding: chunked\xa0\r\n\r\n0\r\n\r\n',
    /^Unsupported Transfer-Encoding/,
  ],
  ['obs-fold', 'X-Test: a\r\n folded\r\n\r\n', 'Bad header line (obsolete line folding)'],
  ['obs-fold with a tab', 'X-Test: a\r\n\tfolded\r\n\r\n', 'Bad header line (obsolete line folding)'],
  ['a space-led line right after the request line', ' Host: t\r\n\r\n', 'Bad header line (obsolete line folding)'],
  ['whitespace before the colon', 'Content-Length : 4\r\n\r\nabcd', "Bad header name ('Content-Length ')"],
  ['a tab before the colon', 'Host\t: t\r\n\r\n', "Bad header name ('Host\\t')"],
  ['an empty header name', ': ignored\r\n\r\n', "Bad header name (': ignored')"],
  ['a line without a colon', 'NoColonHere\r\n\r\n', "Bad header name ('NoColonHere')"],
  ['a space in a header name', 'A B: x\r\n\r\n', "Bad header name ('A B')"],
  ['NUL in a header name', 'X\x00Y: 1\r\n\r\n', "Bad header name ('X\\x00Y')"],
  ['a non-ASCII header name', '\xffName: 1\r\n\r\n', /^Bad header name/],
  ['NUL in a header value', 'X-Test: a\x00b\r\n\r\n', "Bad header value for 'X-Test'"],
  ['bare CR in a header value', 'X-Test: a\rSmuggled: 1\r\n\r\n', "Bad header value for 'X-Test'"],
  ['bare CR ending a header line', 'X-Test: a\r\r\n\r\n', "Bad header value for 'X-Test'"],
  ['other controls in a header value', 'X-Test: abc\x07\x08\x0bdef\r\n\r\n', "Bad header value for 'X-Test'"],
  ['a head ended by CR LF CR', 'Host: a\r\n\rZGET /evil: HTTP/1.1\r\nHost: a\r\n\r\n', /^Bad header name/],
  // The security catalogue's cases (shared/security-cases.md §3.2), by number.
  [
    'B7: Content-Length 9007199254740993 (2^53 + 1)',
    'Content-Length: 9007199254740993\r\n\r\n',
    "Bad Content-Length ('9007199254740993')",
  ],
  [
    'B8: Transfer-Encoding chunked, gzip (chunked not last)',
    'Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    "Unsupported Transfer-Encoding ('chunked, gzip')",
  ],
  ['B10: Transfer-Encoding pigeons', 'Transfer-Encoding: pigeons\r\n\r\n', "Unsupported Transfer-Encoding ('pigeons')"],
  [
    'B10: Transfer-Encoding chunkedchunked',
    'Transfer-Encoding: chunkedchunked\r\n\r\n0\r\n\r\n',
    "Unsupported Transfer-Encoding ('chunkedchunked')",
  ],
  [
    'B10: Transfer-Encoding chunked + VT',
    'Transfer-Encoding: chunked\x0b\r\n\r\n0\r\n\r\n',
    "Bad header value for 'Transfer-Encoding'",
  ],
  ['B15: chunk size 0_2e', 'Transfer-Encoding: chunked\r\n\r\n0_2e\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['B15: chunk size 5_', 'Transfer-Encoding: chunked\r\n\r\n5_\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  [
    'B15: chunk size fffffffffffffffff0',
    'Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff0\r\nhello\r\n0\r\n\r\n',
    'Bad chunked body',
  ],
  [
    'B15: chunk size FFFFFFFFFFFFFFFF0',
    'Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF0\r\nhello\r\n0\r\n\r\n',
    'Bad chunked body',
  ],
  [
    'B17: a chunked body without its last chunk',
    'Transfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n\r\n',
    'Bad chunked body',
  ],
];

const CHUNK_CASES: readonly BadCase[] = [
  ['a non-hex chunk size', 'zz\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['a chunk size of 13 hex digits', '1000000000000\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['a chunk size 0x5', '0x5\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['a chunk size +5', '+5\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['a chunk size -5', '-5\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['a space before the chunk size', ' 5\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['a space after the chunk size', '5 \r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['an empty chunk size line', '\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['an empty chunk extension', '5;\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['an unbalanced quote in an extension', '5;a="x\r\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['chunk data longer than its size', '3\r\nabcd\r\n0\r\n\r\n', 'Bad chunked body'],
  ['no CRLF after chunk data', '5\r\nhelloX0\r\n\r\n', 'Bad chunked body'],
  ['bare LF after the chunk size', '5\nhello\r\n0\r\n\r\n', 'Bad chunked body'],
  ['bare LF chunk lines', '5\nhello\n0\n\n', 'Bad chunked body'],
  ['a bare CR in the size line', '5\r\r;ABCD\r\n34\r\nE\r\n0\r\n\r\n', 'Bad chunked body'],
  [
    'a smuggled request behind a bad extension',
    '2;\nxx\r\n4c\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: t\r\n\r\n',
    'Bad chunked body',
  ],
];

describe('http framing: ambiguous or malformed heads get 400 and the connection closes', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    seen.length = 0;
  });
  afterEach(() => teardown.run());

  for (const [name, rest, reason] of HEAD_CASES) {
    it(`${name}: 400, closed, no handler runs, the next request on that connection is never read`, async () => {
      const server = await serveHTTP(teardown, RecordingHandler);
      const bytes = `POST / HTTP/1.1\r\nHost: t\r\n${rest}GET /after HTTP/1.1\r\nHost: t\r\n\r\n`;
      const { responses } = await exchangeAll(server.serverAddress, bytes);
      expect(responses).to.have.lengthOf(1);
      expect(responses[0]!.status).to.equal(400);
      if (typeof reason === 'string') expect(responses[0]!.reason).to.equal(reason);
      else expect(responses[0]!.reason).to.match(reason);
      expect(seen).to.deep.equal([]);
    });
  }

  it('Transfer-Encoding gzip, chunked (well framed, a coding not understood): 501, closed, no handler runs', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nWorld\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    expect(responses.map((r) => r.statusLine)).to.deep.equal([
      "HTTP/1.1 501 Unsupported Transfer-Encoding ('gzip, chunked')",
    ]);
    expect(headerOf(responses[0]!, 'Connection')).to.equal('close');
    expect(seen).to.deep.equal([]);
  });

  it('Transfer-Encoding in an HTTP/1.0 request: 400 and close', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 400 Transfer-Encoding in an HTTP/1.0 request']);
    expect(seen).to.deep.equal([]);
  });

  it('these are accepted: Content-Length 00005, Transfer-Encoding CHUNKED, an OWS-padded Content-Length', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 00005\r\n\r\nhello');
    client.write('POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: CHUNKED\r\n\r\n2\r\nhi\r\n0\r\n\r\n');
    client.write('POST /c HTTP/1.1\r\nHost: t\r\nContent-Length:\t 3 \t\r\n\r\nabc');
    const responses = await client.responses(3);
    expect(responses.map((r) => r.body.toString())).to.deep.equal(['hello', 'hi', 'abc']);
  });
});

describe('http framing: malformed chunked bodies get 400 and the connection closes', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    seen.length = 0;
  });
  afterEach(() => teardown.run());

  for (const [name, body, reason] of CHUNK_CASES) {
    it(`${name}: 400 ${String(reason)}, closed, nothing after it is read as a request`, async () => {
      const server = await serveHTTP(teardown, RecordingHandler);
      const bytes = `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${body}GET /after HTTP/1.1\r\nHost: t\r\n\r\n`;
      const { responses } = await exchangeAll(server.serverAddress, bytes);
      expect(responses.map((r) => `${r.status} ${r.reason}`)).to.deep.equal([`400 ${String(reason)}`]);
      expect(seen).to.deep.equal([]);
    });
  }

  it('a chunked body the handler does not read is checked too: a bad one closes the connection after the response', async () => {
    const server = await serveHTTP(teardown, IgnoringBodyHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 200 OK']);
    expect(seen).to.deep.equal(['POST / unread']);
  });
});

describe('http framing: what a request carries is never read as a request', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    seen.length = 0;
  });
  afterEach(() => teardown.run());

  it('a body that holds a whole second request is body, read or not', async () => {
    for (const Handler of [RecordingHandler, IgnoringBodyHandler]) {
      seen.length = 0;
      const server = await serveHTTP(teardown, Handler);
      const smuggled = 'GET /admin HTTP/1.1\r\nHost: t\r\n\r\n';
      const client = await WireClient.open(server.serverAddress);
      client.write(
        `POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}GET /next HTTP/1.1\r\nHost: t\r\n\r\n`,
      );
      const responses = await client.responses(2);
      expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
      expect(responses[1]!.body.toString()).to.equal('GET /next');
      expect(seen.filter((entry) => entry.includes('/admin') && !entry.startsWith('POST'))).to.deep.equal([]);
      expect(seen.at(-1)).to.equal('GET /next');
    }
  });

  it('a handler that reads none of a 10-byte body on keep-alive: the next pipelined request is answered', async () => {
    const server = await serveHTTP(teardown, IgnoringBodyHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(
      'POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nGET /x\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const responses = await client.responses(2);
    expect(responses.map((r) => r.body.toString())).to.deep.equal(['ignored', 'GET /next']);
    expect(seen).to.deep.equal(['POST /p unread', 'GET /next']);
    expect(await client.stillOpenAfter(30)).to.equal(true);
  });

  it('a handler that reads part of the body: the rest is dropped and the next request is answered', async () => {
    const server = await serveHTTP(teardown, PartReadingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(
      'POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabcGET /\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const responses = await client.responses(2);
    expect(responses.map((r) => r.body.toString())).to.deep.equal(['abc', 'GET /next']);
    expect(seen).to.deep.equal(['POST /p abc', 'GET /next']);
  });

  it('a chunked body the handler does not read is drained: a request inside it is never answered', async () => {
    const server = await serveHTTP(teardown, IgnoringBodyHandler);
    const client = await WireClient.open(server.serverAddress);
    const smuggled = 'GET /admin HTTP/1.1\r\nHost: t\r\n\r\n';
    const chunk = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    client.write(
      `POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}GET /next HTTP/1.1\r\nHost: t\r\n\r\n`,
    );
    const responses = await client.responses(2);
    expect(responses.map((r) => r.body.toString())).to.deep.equal(['ignored', 'GET /next']);
    expect(seen).to.deep.equal(['POST /c unread', 'GET /next']);
  });

  it('a handler that leaves a 1 MB body unread: the response arrives, then the connection is closed', async () => {
    const server = await serveHTTP(teardown, IgnoringBodyHandler);
    const client = await WireClient.open(server.serverAddress);
    const size = 1024 * 1024;
    client.write(`POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`);
    client.write(Buffer.alloc(size, 'G'));
    const [response] = await client.allResponses();
    expect(response!.statusLine).to.equal('HTTP/1.1 200 OK');
    expect(response!.body.toString()).to.equal('ignored');
    expect(seen).to.deep.equal(['POST /big unread']);
  });
});
