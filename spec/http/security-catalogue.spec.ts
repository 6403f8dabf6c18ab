/**
 * The black-box cases of shared/security-cases.md §3 (request line, framing, resource exhaustion,
 * lifecycle faults) and the defaults of §4 that no other spec under spec/http covers, each named
 * by its catalogue number. The §3.2 heads that are simply refused with 400 are rows of
 * spec/http/framing.spec.ts's HEAD_CASES.
 */
import { expect } from 'chai';
import type * as net from 'node:net';
import type { ServerAddress } from '../../lib/index';
import { BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer } from '../../lib/http/index';
import { connect } from '../support/clients';
import {
  HelloHandler,
  QuietHandler,
  RecordingHandler,
  RecordingSequentialHTTPServer,
  recordedRequests,
  serveHTTP,
  type HTTPServerClass,
} from '../support/http-handlers';
import { WireClient, exchangeAll, headerOf, parseResponses } from '../support/http-wire';
import { collectUnhandledRejections, openFdCount } from '../support/process-probes';
import { Teardown } from '../support/teardown';
import { sleep, waitFor, within } from '../support/wait';

/** Every request that reached a do_* method (RecordingHandler's list). */
const seen = recordedRequests;

/** POST reads the whole body, then answers with the header fields it sees and the body, as JSON. */
class HeadersAfterBodyHandler extends QuietHandler {
  async do_POST(): Promise<void> {
    const body = (await this.rfile.read()).toString('latin1');
    await this.reply(200, JSON.stringify({ headers: [...this.headers.items()], body }), 'application/json');
  }

  async do_GET(): Promise<void> {
    await this.reply(200, `GET ${this.path}`);
  }
}

/** RecordingHandler with a short wait for a request head. */
class ImpatientHandler extends RecordingHandler {
  override headersTimeout = 0.3;
}

/** The answer to `GET /ok` on a new connection: the server is still alive ("alive" in the catalogue). */
async function expectAlive(address: ServerAddress): Promise<void> {
  const { responses } = await exchangeAll(address, 'GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
  expect(responses.map((r) => r.body.toString())).to.deep.equal(['GET /ok']);
}

/** A response read off the wire: its status and the first bytes of its body. */
interface Received {
  status: number;
  bodyStart: string;
}

/**
 * Reads Content-Length framed responses off a raw socket as they arrive, keeping only the bytes
 * not parsed yet (so megabytes of responses cost no more than one), and tells waiters when `count`
 * responses have come.
 */
class ResponseCounter {
  readonly received: Received[] = [];
  #pending: Buffer = Buffer.alloc(0);
  readonly #waiters = new Set<() => void>();

  constructor(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.#push(chunk));
  }

  /** Resolve once `count` responses have arrived; reject after `ms`. */
  until(count: number, ms: number): Promise<void> {
    const reached = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.received.length < count) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
    return within(reached, ms, `${count} responses (got ${this.received.length})`);
  }

  #push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const headEnd = this.#pending.indexOf('\r\n\r\n');
      if (headEnd === -1) break;
      const head = this.#pending.subarray(0, headEnd).toString('latin1');
      const length = Number(/\r\nContent-Length: (\d+)/i.exec(head)?.[1] ?? 0);
      const end = headEnd + 4 + length;
      if (this.#pending.length < end) break;
      this.received.push({
        status: Number(head.slice(9, 12)),
        bodyStart: this.#pending.subarray(headEnd + 4, headEnd + 4 + 8).toString('latin1'),
      });
      this.#pending = this.#pending.subarray(end);
    }
    for (const waiter of [...this.#waiters]) waiter();
  }
}

describe('security catalogue §3.1 (http): request lines and Host', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    seen.length = 0;
  });
  afterEach(() => teardown.run());

  it('Q3: a million empty lines and nothing else: closed without a request being handled; alive', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('\r\n'.repeat(1_000_000));
    const data = await client.closed();
    const { responses } = parseResponses(data, { ended: true });
    expect(responses.map((r) => r.status).filter((status) => status !== 400)).to.deep.equal([]);
    expect(responses.length).to.be.at.most(1);
    expect(seen).to.deep.equal([]);
    await expectAlive(server.serverAddress);
  });

  it('Q13: a method of 10,000 bytes: 501 with a status line, then the connection closes (not hung)', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(`${'A'.repeat(10000)} / HTTP/1.1\r\nHost: t\r\n\r\n`);
    const responses = await client.allResponses();
    expect(responses.map((r) => r.status)).to.deep.equal([501]);
    expect(headerOf(responses[0]!, 'Connection')).to.equal('close');
    await expectAlive(server.serverAddress);
  });

  for (const version of ['HTTP/1.1x', `HTTP/1.${'1'.repeat(20)}`]) {
    it(`Q14: version ${version.slice(0, 16)}…: 400 Bad request version, then close`, async () => {
      const server = await serveHTTP(teardown, RecordingHandler);
      const { responses } = await exchangeAll(server.serverAddress, `GET /ok ${version}\r\nHost: t\r\n\r\n`);
      expect(responses.map((r) => r.statusLine)).to.deep.equal([`HTTP/1.1 400 Bad request version ('${version}')`]);
      expect(seen).to.deep.equal([]);
    });
  }

  it('Q15: the HTTP/2 preface (PRI * HTTP/2.0 … SM): 505 once, then close; nothing after it is read', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 505 Invalid HTTP version (2.0)']);
    expect(seen).to.deep.equal([]);
  });

  // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
  // request message that lacks a Host header field and to any that contains more than one Host
  // header field line or a Host header field with an invalid field value." Python accepts all of
  // these (requireValidHost = false does too; spec/http/differential.spec.ts shows both).
  it('Q18: an HTTP/1.1 request without Host: 400, then close', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'GET /ok HTTP/1.1\r\n\r\n');
    expect(responses.map((r) => r.status)).to.deep.equal([400]);
    expect(seen).to.deep.equal([]);
  });

  it('Q19: two Host fields (t and u): 400, then close', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'GET /ok HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n');
    expect(responses.map((r) => r.status)).to.deep.equal([400]);
    expect(seen).to.deep.equal([]);
  });

  for (const host of ['../123.org', 'a b', '[::1]/../../', 't:abc', '']) {
    it(`Q20: Host ${JSON.stringify(host)} (not a valid uri-host [":" port]): 400, then close`, async () => {
      const server = await serveHTTP(teardown, RecordingHandler);
      const { responses } = await exchangeAll(server.serverAddress, `GET /ok HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(responses.map((r) => r.status)).to.deep.equal([400]);
      expect(seen).to.deep.equal([]);
    });
  }

  it('Q18-Q20: hosts and ports of every valid form are served, and an HTTP/1.0 request may leave Host out', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const valid = [
      'example.test',
      'example.test:8080',
      'example.test:',
      '127.0.0.1:80',
      '[::1]:8000',
      '[v1.fe]',
      'a%2Db',
      "x!$&'()*+,;=y",
    ];
    for (const host of valid) {
      const { responses } = await exchangeAll(
        server.serverAddress,
        `GET /ok HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(
        responses.map((r) => r.status),
        host,
      ).to.deep.equal([200]);
    }
    const { responses } = await exchangeAll(server.serverAddress, 'GET /old HTTP/1.0\r\n\r\n');
    expect(responses.map((r) => r.status)).to.deep.equal([200]);
  });

  it('Q18-Q20: requireValidHost = false leaves Host unchecked, as Python does', async () => {
    class UncheckedHost extends RecordingHandler {
      override requireValidHost = false;
    }
    const server = await serveHTTP(teardown, UncheckedHost);
    for (const head of ['', 'Host: t\r\nHost: u\r\n', 'Host: a b\r\n']) {
      const { responses } = await exchangeAll(
        server.serverAddress,
        `GET /ok HTTP/1.1\r\n${head}Connection: close\r\n\r\n`,
      );
      expect(
        responses.map((r) => r.status),
        head,
      ).to.deep.equal([200]);
    }
  });

  it('Q32: an expectation other than 100-continue (Expect: bogus) is ignored: no 100, the request is answered', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'GET /ok HTTP/1.1\r\nHost: t\r\nExpect: bogus\r\nConnection: close\r\n\r\n',
    );
    expect(responses.map((r) => `${r.status} ${r.body.toString()}`)).to.deep.equal(['200 GET /ok']);
  });
});

describe('security catalogue §3.2 (http): body framing and smuggling', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    seen.length = 0;
  });
  afterEach(() => teardown.run());

  // RFC 9110 §5.6.1.2 lets a recipient skip empty list elements, but a front end that does not
  // reads this body as the next request: the catalogue asks for a refusal, as for `chunked, chunked`.
  it('B10: Transfer-Encoding ",chunked": 400 or 501, closed, never taken for chunked', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const bytes = 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ,chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
    const { responses } = await exchangeAll(server.serverAddress, bytes);
    expect(responses).to.have.lengthOf(1);
    expect(responses[0]!.statusLine).to.equal("HTTP/1.1 400 Unsupported Transfer-Encoding (',chunked')");
    expect(seen).to.deep.equal([]);
  });

  it('B21: a 17,000-byte chunk extension: 400 Bad chunked body and close, in one write or in two halves', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const head = 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;';
    const whole = await exchangeAll(server.serverAddress, `${head}${'a'.repeat(17000)}\r\nAA\r\n0\r\n\r\n`);
    expect(whole.responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 400 Bad chunked body']);
    const halves = await WireClient.open(server.serverAddress);
    halves.write(`${head}${'a'.repeat(8500)}`);
    halves.write(`${'a'.repeat(8500)}\r\nAA\r\n0\r\n\r\n`);
    expect((await halves.allResponses()).map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 400 Bad chunked body']);
    expect(seen).to.deep.equal([]);
  });

  it('B21: three chunks with a 3,000-byte extension each are accepted (the limit is per chunk line)', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const chunks = ['AA', 'BB', 'CC'].map((data, i) => `2;${'abc'[i]!.repeat(3000)}\r\n${data}\r\n`).join('');
    const { responses } = await exchangeAll(
      server.serverAddress,
      `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks}0\r\n\r\n`,
    );
    expect(responses.map((r) => `${r.status} ${r.body.toString()}`)).to.deep.equal(['200 AABBCC']);
  });

  it('B22: Content-Length, Host and Transfer-Encoding sent as trailers are dropped, never merged into the headers', async () => {
    const server = await serveHTTP(teardown, HeadersAfterBodyHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(
      'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTrailer: X\r\n\r\n' +
        '3\r\nabc\r\n0\r\nContent-Length: 99\r\nHost: evil\r\nTransfer-Encoding: x\r\n\r\n' +
        'GET /next HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const [post, next] = await client.responses(2);
    expect(JSON.parse(post!.body.toString())).to.deep.equal({
      headers: [
        ['Host', 't'],
        ['Transfer-Encoding', 'chunked'],
        ['Trailer', 'X'],
      ],
      body: 'abc',
    });
    expect(next!.body.toString()).to.equal('GET /next');
  });

  it('B25: a good GET, a GET with Content-Length z, a good GET, pipelined: 200, 400, closed; the third is never handled', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /x HTTP/1.1\r\nHost: t\r\nContent-Length: z\r\n\r\nGET /3 HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    expect(responses.map((r) => r.statusLine)).to.deep.equal([
      'HTTP/1.1 200 OK',
      "HTTP/1.1 400 Bad Content-Length ('z')",
    ]);
    expect(responses[0]!.body.toString()).to.equal('GET /1');
    expect(seen).to.deep.equal(['GET /1']);
  });

  it('B27: a head whose last line is a CR and body bytes (no CRLF CRLF): 400 once that line ends, never handled', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('PUT /url HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\rabc');
    expect(await client.stillOpenAfter(50)).to.equal(true);
    expect(client.data).to.have.lengthOf(0);
    client.write('\r\n\r\n');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.statusLine)).to.deep.equal(["HTTP/1.1 400 Bad header name ('\\rabc')"]);
    expect(seen).to.deep.equal([]);
  });

  it('B27: the same head when nothing more comes: 408 at headersTimeout, then close, never handled', async () => {
    const server = await serveHTTP(teardown, ImpatientHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('PUT /url HTTP/1.1\r\nContent-Length: 3\r\n\rabc');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 408 Request Timeout']);
    expect(seen).to.deep.equal([]);
  });
});

/** Answers GET with a 32 KiB body that starts with the path; records the most bytes Node held unsent. */
class LargeReplyHandler extends QuietHandler {
  static mostQueued = 0;

  async do_GET(): Promise<void> {
    const body = Buffer.alloc(32 * 1024, '.');
    body.write(this.path, 'latin1');
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    await this.endHeaders();
    await this.wfile.write(body);
    LargeReplyHandler.mostQueued = Math.max(LargeReplyHandler.mostQueued, this.connection.socket.writableLength);
  }
}

describe('security catalogue §3.7 (http): resource exhaustion', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('X7: 50 connections that send nothing do not hold up a normal request; each is closed at headersTimeout', async () => {
    const server = await serveHTTP(teardown, ImpatientHandler);
    const baseline = openFdCount();
    const idle = await Promise.all(Array.from({ length: 50 }, () => WireClient.open(server.serverAddress)));
    await expectAlive(server.serverAddress);
    await Promise.all(idle.map((client) => client.closed()));
    expect(idle.filter((client) => client.data.length > 0)).to.deep.equal([]);
    await waitFor(() => openFdCount() <= baseline, `descriptors back to ${baseline}`);
  });

  it('X11: 1,000 pipelined requests from a client that does not read: the output queue stays bounded; then all arrive in order', async () => {
    LargeReplyHandler.mostQueued = 0;
    const server = await serveHTTP(teardown, LargeReplyHandler);
    const socket = await connect(server.serverAddress);
    const counter = new ResponseCounter(socket);
    socket.pause();
    const paths = Array.from({ length: 1000 }, (_, i) => `/r${String(i).padStart(4, '0')}`);
    socket.write(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`).join(''));
    await sleep(300);
    socket.resume();
    await counter.until(paths.length, 15000);
    expect(counter.received.map((r) => `${r.status} ${r.bodyStart.slice(0, 6)}`)).to.deep.equal(
      paths.map((path) => `200 ${path}`),
    );
    // 32 MB were answered; a server that did not wait for the client would have queued most of them.
    expect(LargeReplyHandler.mostQueued).to.be.below(1024 * 1024);
  });

  it('X14: 1,000 requests one after another on one keep-alive connection are all answered, with no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const server = await serveHTTP(teardown, HelloHandler);
      const socket = await connect(server.serverAddress);
      const counter = new ResponseCounter(socket);
      for (let i = 1; i <= 1000; i++) {
        socket.write(`GET /${i % 10} HTTP/1.1\r\nHost: t\r\n\r\n`);
        await counter.until(i, 3000);
      }
      expect(counter.received.filter((r) => r.status !== 200)).to.deep.equal([]);
      expect(counter.received.at(-1)!.bodyStart).to.equal('GET /0');
      expect(server.reported).to.deep.equal([]);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map(String)).to.deep.equal([]);
  });
});

/** Throws from a do_GET that is not async (a synchronous throw, not a rejected promise) for /throw. */
class SyncThrowingHandler extends QuietHandler {
  do_GET(): Promise<void> {
    if (this.path === '/throw') {
      this.sendResponse(200);
      this.sendHeader('X-Discarded', 'yes');
      throw new Error('thrown synchronously');
    }
    return this.reply(200, `GET ${this.path}`);
  }
}

/** Answers, then asks its server to stop: without waiting on a sequential server, waiting on a threading one. */
class StoppingHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    await this.reply(200, 'stopping');
    if (this.server instanceof ThreadingHTTPServer) await this.server.shutdown();
    else void this.server.shutdown();
  }
}

describe('security catalogue §3.8 (http): lifecycle faults', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('F1: a do_GET that throws synchronously: 500 with Connection: close, queued headers dropped, reported; the next request is served', async () => {
    const server = await serveHTTP(teardown, SyncThrowingHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'GET /throw HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 500 Internal Server Error']);
    expect(headerOf(responses[0]!, 'Connection')).to.equal('close');
    expect(headerOf(responses[0]!, 'X-Discarded')).to.equal(undefined);
    expect(server.reported.map((error) => (error as Error).message)).to.deep.equal(['thrown synchronously']);
    await expectAlive(server.serverAddress);
  });

  const servers: HTTPServerClass<HTTPServer>[] = [RecordingSequentialHTTPServer, ThreadingHTTPServer];
  for (const Server of servers) {
    it(`F7: shutdown() from inside a handler (${Server.name}): no deadlock, serveForever returns after that response`, async () => {
      const server = teardown.server(new Server(['127.0.0.1', 0], StoppingHandler));
      await server.ready();
      const loop = teardown.serve(server, 0.05);
      const { responses } = await exchangeAll(
        server.serverAddress,
        'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
      );
      expect(responses.map((r) => r.body.toString())).to.deep.equal(['stopping']);
      await within(loop, 3000, 'serveForever() did not return after shutdown() from the handler');
    });
  }

  it('F9: 50 clients that send a bad request and leave at once: nothing reported, no unhandled rejection; alive', async () => {
    const server = await serveHTTP(teardown, RecordingHandler);
    const rejections = await collectUnhandledRejections(async () => {
      for (let i = 0; i < 50; i++) {
        const client = await WireClient.open(server.serverAddress);
        client.write(i % 2 === 0 ? 'GET / HTTP/1.1\r\nHost: t\r\nX: a\x00b\r\n\r\n' : 'GET / HTTP/9.9\r\n\r\n');
        client.destroy();
      }
      await expectAlive(server.serverAddress);
    });
    expect(rejections).to.deep.equal([]);
    expect(server.reported).to.deep.equal([]);
  });
});

describe('security catalogue §4 (http): default limits and timeouts', () => {
  it("a handler's limits are Node's timeouts and Python's sizes: 60 s for a head, 300 s for a request, 5 s idle, 100 fields, 64 KiB", () => {
    const handler = new BaseHTTPRequestHandler(null as never, ['127.0.0.1', 0], null as never);
    expect({
      headersTimeout: handler.headersTimeout,
      requestTimeout: handler.requestTimeout,
      keepAliveTimeout: handler.keepAliveTimeout,
      maxHeaders: handler.maxHeaders,
      maxHeaderBytes: handler.maxHeaderBytes,
      timeout: handler.timeout,
      protocolVersion: handler.protocolVersion,
    }).to.deep.equal({
      headersTimeout: 60,
      requestTimeout: 300,
      keepAliveTimeout: 5,
      maxHeaders: 100,
      maxHeaderBytes: 65536,
      timeout: null,
      protocolVersion: 'HTTP/1.0',
    });
  });
});
