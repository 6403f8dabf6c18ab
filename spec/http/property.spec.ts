/**
 * Property-based specs (fast-check) on the HTTP request parser, over real sockets:
 *
 * - whatever bytes a client sends (random bytes, or valid requests with CR, LF, NUL, spaces and
 *   colons inserted, lines duplicated, Content-Length and Transfer-Encoding headers added), the
 *   server answers with well-formed, framed responses or closes cleanly, nothing reaches
 *   handleError, no promise rejection goes unhandled, and the next normal request is served;
 * - a valid pipelined byte stream cut into arbitrary parts, sent with small pauses, gets the same
 *   bytes back as the stream sent in one write (Date values aside).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { BaseHTTPRequestHandler } from '../../lib/http/index';
import { rawExchange, type ExchangeTimings, type RawReply } from '../support/differential-exchange';
import { RecordingHTTPServer } from '../support/differential-handler';
import { readWire, withoutDates } from '../support/differential-wire';
import { Teardown } from '../support/teardown';

/** Answers GET with `ok\n`, POST with the length and bytes of the whole (de-chunked) body. */
class PropertyHandler extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  override headersTimeout = 0.2;
  override keepAliveTimeout = 0.2;
  override requestTimeout = 0.4;

  override logMessage(): void {}

  async do_GET(): Promise<void> {
    await this.reply(Buffer.from('ok\n'));
  }

  async do_POST(): Promise<void> {
    const body = await this.rfile.read();
    await this.reply(Buffer.concat([Buffer.from(`got ${body.length}\n`), body]));
  }

  async reply(body: Buffer): Promise<void> {
    this.sendResponse(200);
    this.sendHeader('Content-Length', String(body.length));
    await this.endHeaders();
    await this.wfile.write(body);
  }
}

/** A request and reply that must always work. */
const NORMAL_REQUEST = Buffer.from('GET /after HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n');

/** Generous windows: an 'open' ending means the server hung, which the properties forbid. */
const HANG_TIMINGS: ExchangeTimings = { idleMs: 2000, firstByteMs: 2000 };

const VALID_REQUESTS: readonly string[] = [
  'GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n',
  'POST /p HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\nhello',
  'POST /c HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=1\r\nabc\r\n0\r\nT: 1\r\n\r\n',
  'GET /k HTTP/1.1\r\nHost: example.test\r\n\r\nGET /second HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
  'POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  'GET /old HTTP/1.0\r\nX-Test: a\r\n\r\n',
];

/** A position in a request as a fraction of its length, spread evenly (no bias to the ends). */
const position = fc.noBias(fc.integer({ min: 0, max: 1000 })).map((permille) => permille / 1000);

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicateLine'; at: number }
  | { kind: 'header'; name: string; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    text: fc.constantFrom('\r', '\n', '\x00', ' ', ':', '\t', '\r\n', '\r\n\r\n', 'HTTP/1.1'),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: position,
    length: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: position }),
  fc.record({
    kind: fc.constant('header' as const),
    name: fc.constantFrom('Content-Length', 'Transfer-Encoding', 'content-length', 'Connection', 'Expect'),
    value: fc.oneof(
      fc.nat({ max: 40 }).map(String),
      fc.constantFrom('-1', 'abc', '1, 1', '+5', ' 7 ', '0x10', '99999999999999999999', '999999999999999', ''),
      fc.constantFrom('chunked', 'gzip', 'chunked, chunked', 'identity', 'CHUNKED', 'gzip, chunked', 'close'),
      fc.constantFrom('keep-alive', '100-continue'),
      fc.string({ unit: 'binary-ascii', maxLength: 8 }),
    ),
  }),
);

function applyMutation(request: string, change: Mutation): string {
  switch (change.kind) {
    case 'insert': {
      const at = Math.floor(change.at * request.length);
      return request.slice(0, at) + change.text + request.slice(at);
    }
    case 'delete': {
      const at = Math.floor(change.at * request.length);
      return request.slice(0, at) + request.slice(at + change.length);
    }
    case 'duplicateLine': {
      const lines = request.split('\n');
      const at = Math.min(lines.length - 1, Math.floor(change.at * lines.length));
      lines.splice(at, 0, lines[at] as string);
      return lines.join('\n');
    }
    case 'header': {
      const lineEnd = request.indexOf('\n') + 1;
      return `${request.slice(0, lineEnd)}${change.name}: ${change.value}\r\n${request.slice(lineEnd)}`;
    }
  }
}

/** A valid request mutated one to four times, as latin-1 bytes. */
const mutatedRequest: fc.Arbitrary<Buffer> = fc
  .tuple(fc.constantFrom(...VALID_REQUESTS), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([request, changes]) => Buffer.from(changes.reduce(applyMutation, request), 'latin1'));

const randomBytes: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes));

/** Valid pipelined streams; each ends with a request that closes the connection. */
const PIPELINES: readonly Buffer[] = [
  Buffer.from(
    'GET /one HTTP/1.1\r\nHost: example.test\r\n\r\n' +
      'POST /two HTTP/1.1\r\nHost: example.test\r\nContent-Length: 11\r\n\r\nhello world' +
      'POST /three HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\n\r\n' +
      'GET //four?x=1 HTTP/1.1\r\nHost: t\r\nX-Test: a\r\nX-Test: b\r\n\r\n' +
      'GET /five HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    'latin1',
  ),
  Buffer.from(
    'POST /expect HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody' +
      'BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n',
    'latin1',
  ),
  Buffer.from(
    'GET /lf HTTP/1.1\nHost: example.test\n\n' +
      'POST /empty HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n' +
      'GET /bad HTTP/1.1\r\nHost: t\r\nX-Bad : 1\r\n\r\n',
    'latin1',
  ),
];

/** A pipeline and where to cut it, with the pause before each part. */
const cutPipeline = fc.integer({ min: 0, max: PIPELINES.length - 1 }).chain((index) => {
  const length = (PIPELINES[index] as Buffer).length;
  return fc.record({
    index: fc.constant(index),
    cuts: fc.uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: 12 }),
    pauseMs: fc.integer({ min: 0, max: 3 }),
  });
});

function cut(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i] as number, end));
}

/** Run `action` and return the unhandled rejections and uncaught exceptions seen meanwhile. */
async function processFailuresDuring(action: () => Promise<void>): Promise<unknown[]> {
  const failures: unknown[] = [];
  const record = (reason: unknown): void => {
    failures.push(reason);
  };
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  try {
    await action();
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  }
  return failures;
}

describe('http parser properties', function () {
  this.timeout(60000);
  const teardown = new Teardown();
  let server: RecordingHTTPServer;
  let address: [string, number];

  before(async () => {
    server = teardown.server(new RecordingHTTPServer(['127.0.0.1', 0], PropertyHandler));
    await server.ready();
    void teardown.serve(server);
    address = server.serverAddress as [string, number];
  });
  after(() => teardown.run());

  /** The reply is responses or a clean close, the server is fine, and a normal request still works. */
  async function expectSurvives(input: Buffer, halfClose: boolean): Promise<void> {
    const reply: RawReply = await rawExchange(address, { bytes: input, halfClose }, HANG_TIMINGS);
    const context = `input ${JSON.stringify(input.toString('latin1'))}`;
    expect(reply.ending, `${context}: the server must close, not hang`).to.not.equal('open');
    const wire = readWire(reply.data);
    if (wire.bareBody !== null) expect(wire.bareBody.toString(), `${context}: HTTP/0.9 body`).to.equal('ok\n');
    for (const response of wire.responses) {
      expect(response.status, context).to.be.within(100, 599);
      if (response.status >= 400) expect(response.headers, context).to.deep.include(['Connection', 'close']);
    }
    expect(server.handlerErrors, `${context}: errors reported by handleError`).to.deep.equal([]);
    const after = await rawExchange(address, { bytes: NORMAL_REQUEST }, HANG_TIMINGS);
    const normal = readWire(after.data);
    expect(normal.responses.map((response) => [response.status, response.body.toString()])).to.deep.equal([
      [200, 'ok\n'],
    ]);
  }

  it('answers random bytes with framed responses or a clean close (client half-closes)', async () => {
    const failures = await processFailuresDuring(() =>
      fc.assert(
        fc.asyncProperty(randomBytes, (input) => expectSurvives(input, true)),
        { numRuns: 120 },
      ),
    );
    expect(failures).to.deep.equal([]);
  });

  it('answers mutated requests with framed responses or a clean close (client half-closes)', async () => {
    const failures = await processFailuresDuring(() =>
      fc.assert(
        fc.asyncProperty(mutatedRequest, (input) => expectSurvives(input, true)),
        { numRuns: 200 },
      ),
    );
    expect(failures).to.deep.equal([]);
  });

  it('answers or closes within its timeouts when the client stays connected and silent', async () => {
    const failures = await processFailuresDuring(() =>
      fc.assert(
        fc.asyncProperty(fc.oneof(mutatedRequest, randomBytes), (input) => expectSurvives(input, false)),
        { numRuns: 25 },
      ),
    );
    expect(failures).to.deep.equal([]);
  });

  it('gives the same bytes back however a pipelined stream is cut', async () => {
    const baselines = await Promise.all(
      PIPELINES.map(async (bytes) => withoutDates((await rawExchange(address, { bytes }, HANG_TIMINGS)).data)),
    );
    expect(baselines.map((baseline) => readWire(Buffer.from(baseline, 'latin1')).responses.length)).to.deep.equal([
      5, 3, 3,
    ]);
    await fc.assert(
      fc.asyncProperty(cutPipeline, async ({ index, cuts, pauseMs }) => {
        const bytes = PIPELINES[index] as Buffer;
        const reply = await rawExchange(address, { bytes: cut(bytes, cuts), partDelayMs: pauseMs }, HANG_TIMINGS);
        expect(withoutDates(reply.data)).to.equal(baselines[index]);
        expect(reply.ending).to.not.equal('open');
      }),
      { numRuns: 100 },
    );
  });
});
