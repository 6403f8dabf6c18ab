/**
 * Python 3.14 parity on how requests are read: keep-alive rules, Expect: 100-continue, HTTP/0.9,
 * the limits (414, 431), bad request lines, case-sensitive dispatch, the leading '//' collapse,
 * and an empty line or EOF.
 */
import { expect } from 'chai';
import { HelloHandler, QuietHandler, serveHTTP } from '../support/http-handlers';
import { WireClient, exchangeAll, headerOf } from '../support/http-wire';
import { Teardown } from '../support/teardown';

/** HelloHandler on the default protocolVersion, HTTP/1.0. */
class Hello10Handler extends HelloHandler {
  override protocolVersion = 'HTTP/1.0';
}

/** GET /close answers with `Connection: close`; any other GET as HelloHandler. */
class ClosingHandler extends HelloHandler {
  override async do_GET(): Promise<void> {
    if (this.path !== '/close') return super.do_GET();
    this.sendResponse(200);
    this.sendHeader('Connection', 'close');
    this.sendHeader('Content-Length', 2);
    await this.endHeaders();
    await this.wfile.write('ok');
  }
}

/** POST echoes its body (read with Content-Length); counts the calls. */
class EchoPostHandler extends QuietHandler {
  static posts = 0;

  async do_POST(): Promise<void> {
    EchoPostHandler.posts += 1;
    const body = await this.rfile.read(Number(this.headers.get('Content-Length')));
    await this.reply(200, body);
  }
}

/** Refuses every 100-continue with 417, as Python's documented override does. */
class RefusingExpectHandler extends EchoPostHandler {
  protected override async handleExpect100(): Promise<boolean> {
    await this.sendError(417);
    return false;
  }
}

describe('http parity: keep-alive rules', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('protocolVersion HTTP/1.0 (the default): the status line says HTTP/1.0 and the connection closes', async () => {
    const server = await serveHTTP(teardown, Hello10Handler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    const [response] = await client.allResponses();
    expect(response!.statusLine).to.equal('HTTP/1.0 200 OK');
  });

  it('protocolVersion HTTP/1.0 ignores Connection: keep-alive', async () => {
    const server = await serveHTTP(teardown, Hello10Handler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\n\r\n');
    expect(await client.allResponses()).to.have.lengthOf(1);
  });

  it('protocolVersion HTTP/1.1 keeps an HTTP/1.1 connection open for the next request', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /one HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.responses(1);
    expect(await client.stillOpenAfter(50)).to.equal(true);
    client.write('GET /two HTTP/1.1\r\nHost: t\r\n\r\n');
    const [, second] = await client.responses(2);
    expect(second!.body.toString()).to.equal('GET /two');
  });

  it('an HTTP/1.0 request closes, unless it says Connection: keep-alive', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const closing = await WireClient.open(server.serverAddress);
    closing.write('GET / HTTP/1.0\r\n\r\n');
    expect(await closing.allResponses()).to.have.lengthOf(1);

    const keeping = await WireClient.open(server.serverAddress);
    keeping.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await keeping.responses(1);
    expect(await keeping.stillOpenAfter(50)).to.equal(true);
  });

  it('Connection: close from the client closes an HTTP/1.1 connection after the response', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HTTP/1.1\r\nHost: t\r\nConnection: Close\r\n\r\nGET /never HTTP/1.1\r\nHost: t\r\n\r\n');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.body.toString())).to.deep.equal(['GET /']);
  });

  it('a Connection: close header sent by the handler closes the connection', async () => {
    const server = await serveHTTP(teardown, ClosingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /close HTTP/1.1\r\nHost: t\r\n\r\n');
    const responses = await client.allResponses();
    expect(responses).to.have.lengthOf(1);
    expect(headerOf(responses[0]!, 'Connection')).to.equal('close');
  });
});

describe('http parity: Expect: 100-continue', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    EchoPostHandler.posts = 0;
  });
  afterEach(() => teardown.run());

  it('sends exactly `HTTP/1.1 100 Continue\\r\\n\\r\\n` before the body is sent, then the final response', async () => {
    const server = await serveHTTP(teardown, EchoPostHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    const [interim] = await client.responses(1);
    expect(interim!.raw.toString('latin1')).to.equal('HTTP/1.1 100 Continue\r\n\r\n');
    client.write('hello');
    const [, final] = await client.responses(2);
    expect(final!.statusLine).to.equal('HTTP/1.1 200 OK');
    expect(final!.body.toString()).to.equal('hello');
  });

  it('no 100 Continue for an HTTP/1.0 request', async () => {
    const server = await serveHTTP(teardown, EchoPostHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi',
    );
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 200 OK']);
  });

  it('a handleExpect100 override that sends 417 and returns false: only the 417, do_POST never runs, the connection closes', async () => {
    const server = await serveHTTP(teardown, RefusingExpectHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 417 Expectation Failed']);
    expect(EchoPostHandler.posts).to.equal(0);
  });
});

describe('http parity: HTTP/0.9, limits and bad request lines', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('an HTTP/0.9 simple request `GET /path` gets the body only (no status line, no headers), then close', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /nine\r\n');
    expect((await client.closed()).toString()).to.equal('GET /nine');
  });

  it('a request line of 65,536 bytes is served; one byte more is 414 URI Too Long', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const line = (length: number): string => {
      const frame = 'GET / HTTP/1.1\r\n';
      return `GET /${'a'.repeat(length - frame.length)} HTTP/1.1\r\n`;
    };
    expect(line(65536)).to.have.lengthOf(65536);
    const fits = await exchangeAll(server.serverAddress, `${line(65536)}Host: t\r\nConnection: close\r\n\r\n`);
    expect(fits.responses[0]!.statusLine).to.equal('HTTP/1.1 200 OK');

    const client = await WireClient.open(server.serverAddress);
    client.write(line(65537));
    const response = await client.response();
    expect(response.statusLine).to.equal('HTTP/1.1 414 URI Too Long');
    expect(headerOf(response, 'Connection')).to.equal('close');
    await client.closed();
  });

  it('a 1 MiB request line still gets its 414 before the connection closes (no reset)', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(`GET /${'a'.repeat(1024 * 1024)} HTTP/1.1\r\nHost: t\r\n\r\n`);
    const responses = await client.allResponses();
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 414 URI Too Long']);
    expect(client.error).to.equal(null);
  });

  it('99 header fields are served; 100 are 431 Too many headers (Python counts the blank line as one)', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const headers = (count: number): string => Array.from({ length: count }, (_, i) => `X-H-${i}: v\r\n`).join('');
    const fits = await exchangeAll(
      server.serverAddress,
      `GET / HTTP/1.1\r\nHost: t\r\n${headers(97)}Connection: close\r\n\r\n`,
    );
    expect(fits.responses[0]!.statusLine).to.equal('HTTP/1.1 200 OK');

    const { responses } = await exchangeAll(server.serverAddress, `GET / HTTP/1.1\r\nHost: t\r\n${headers(99)}\r\n`);
    expect(responses[0]!.statusLine).to.equal('HTTP/1.1 431 Too many headers');
    expect(responses[0]!.body.toString()).to.include('431 - got more than 100 headers.');
  });

  it('a header line over 65,536 bytes is 431 Line too long, as Python words it', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(`GET / HTTP/1.1\r\nCookie: ${'a'.repeat(70000)}\r\nHost: t\r\n\r\n`);
    const response = await client.response();
    expect(response.statusLine).to.equal('HTTP/1.1 431 Line too long');
    expect(response.body.toString()).to.include('431 - got more than 65536 bytes when reading header line.');
    await client.closed();
  });

  it('a header block over 65,536 bytes in short lines is 431 too (sockserve bounds the block, Python each line)', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    const lines = Array.from({ length: 50 }, (_, i) => `X-H-${i}: ${'v'.repeat(2000)}\r\n`).join('');
    client.write(`GET / HTTP/1.1\r\nHost: t\r\n${lines}\r\n`);
    const response = await client.response();
    expect(response.statusLine).to.equal('HTTP/1.1 431 Line too long');
    expect(response.body.toString()).to.include('431 - header block over 65536 bytes.');
    await client.closed();
  });

  for (const version of ['HTTP/1', 'http/1.1', 'HTTP/1.1.1', 'HTTP/1.x', 'HTTP/1.12345678901']) {
    it(`version ${version}: 400 Bad request version ('${version}')`, async () => {
      const server = await serveHTTP(teardown, HelloHandler);
      const { responses } = await exchangeAll(server.serverAddress, `GET / ${version}\r\n\r\n`);
      expect(responses.map((r) => r.statusLine)).to.deep.equal([`HTTP/1.1 400 Bad request version ('${version}')`]);
    });
  }

  it('HTTP/2.0: 505 Invalid HTTP version (2.0)', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'GET / HTTP/2.0\r\n\r\n');
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 505 Invalid HTTP version (2.0)']);
  });

  it("four words: 400 Bad request syntax ('GET / x HTTP/1.1'); one word: 400 Bad request syntax ('GET')", async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const four = await exchangeAll(server.serverAddress, 'GET / x HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(four.responses[0]!.statusLine).to.equal("HTTP/1.1 400 Bad request syntax ('GET / x HTTP/1.1')");
    const one = await exchangeAll(server.serverAddress, 'GET\r\n\r\n');
    expect(one.responses[0]!.statusLine).to.equal("HTTP/1.1 400 Bad request syntax ('GET')");
  });

  it("`POST /` without a version: 400 Bad HTTP/0.9 request type ('POST'), with a status line", async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'POST /\r\n');
    expect(responses.map((r) => r.statusLine)).to.deep.equal(["HTTP/1.1 400 Bad HTTP/0.9 request type ('POST')"]);
  });
});

/** Defines only do_get and do_FOO_BAR (no do_GET). */
class LowercaseHandler extends QuietHandler {
  async do_get(): Promise<void> {
    await this.reply(200, 'lower');
  }
}

/** Answers with the parsed path. */
class PathHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    await this.reply(200, this.path);
  }
}

describe('http parity: dispatch, path, empty requests', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it("an unknown method: 501 Unsupported method ('FOO')", async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'FOO / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(responses.map((r) => r.statusLine)).to.deep.equal(["HTTP/1.1 501 Unsupported method ('FOO')"]);
  });

  it('dispatch is case-sensitive: do_get does not answer GET, but answers `get`', async () => {
    const server = await serveHTTP(teardown, LowercaseHandler);
    const upper = await exchangeAll(server.serverAddress, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(upper.responses[0]!.statusLine).to.equal("HTTP/1.1 501 Unsupported method ('GET')");
    const lower = await exchangeAll(server.serverAddress, 'get / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(lower.responses[0]!.body.toString()).to.equal('lower');
  });

  for (const [target, path] of [
    ['//evil.example/x', '/evil.example/x'],
    ['////a//b', '/a//b'],
    ['/a//b', '/a//b'],
  ] as const) {
    it(`the path ${target} reaches do_GET as ${path}`, async () => {
      const server = await serveHTTP(teardown, PathHandler);
      const { responses } = await exchangeAll(
        server.serverAddress,
        `GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`,
      );
      expect(responses[0]!.body.toString()).to.equal(path);
    });
  }

  it('empty lines before a request line are skipped (RFC 9112 §2.2), also between keep-alive requests', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('\r\n\n\r\nGET /one HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.responses(1);
    // A client that ends a body with an extra CRLF: the next request is still read.
    client.write('\r\nGET /two HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  });

  it('empty lines and then EOF close the connection without a response', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('\r\n\r\n');
    client.socket.end();
    expect(await client.closed()).to.have.lengthOf(0);
  });

  it('more than 65,536 bytes of empty lines close the connection without a response', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('\r\n'.repeat(40000));
    expect(await client.closed()).to.have.lengthOf(0);
  });

  it('EOF before any request closes the connection without a response', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.socket.end();
    expect(await client.closed()).to.have.lengthOf(0);
  });
});
