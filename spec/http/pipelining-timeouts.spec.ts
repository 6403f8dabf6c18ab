/**
 * Pipelined requests are answered in order; what a handler writes leaves at the end of the
 * event loop's turn, not when the handler returns; slow clients cannot hold a handler:
 * headersTimeout bounds the whole request head (408), keepAliveTimeout closes an idle kept-alive
 * connection.
 */
import { expect } from 'chai';
import { HelloHandler, serveHTTP } from '../support/http-handlers';
import { WireClient, headerOf } from '../support/http-wire';
import { Teardown } from '../support/teardown';
import { sleep, waitFor } from '../support/wait';

/** HelloHandler with small limits, as a test can afford. */
class ImpatientHandler extends HelloHandler {
  override headersTimeout = 0.3;
  override keepAliveTimeout = 0.2;
}

/** Drip `bytes` one at a time every `everyMs` until the connection closes or the bytes run out. */
async function drip(client: WireClient, bytes: string, everyMs: number): Promise<number> {
  let sent = 0;
  for (const byte of bytes) {
    if (client.ended) break;
    client.write(byte);
    sent += 1;
    await sleep(everyMs);
  }
  return sent;
}

describe('http pipelining', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('10 requests in one write get 10 responses, in order', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    const paths = Array.from({ length: 10 }, (_, i) => `/r${i}`);
    client.write(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`).join(''));
    const responses = await client.responses(10);
    expect(responses.map((r) => r.body.toString())).to.deep.equal(paths.map((path) => `GET ${path}`));
    expect(client.data.length).to.equal(responses.reduce((total, r) => total + r.raw.length, 0));
  });

  it('GET, HEAD and an unsupported POST with a body, pipelined: answered in order; the 501 closes, so the GET after it is not', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(
      'GET /a HTTP/1.1\r\nHost: t\r\n\r\nHEAD /b HTTP/1.1\r\nHost: t\r\n\r\nPOST /c HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyzGET /d HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const responses = await client.allResponses({ head: [1] });
    expect(responses.map((r) => r.statusLine)).to.deep.equal([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
      "HTTP/1.1 501 Unsupported method ('POST')",
    ]);
    expect(responses[0]!.body.toString()).to.equal('GET /a');
    expect(headerOf(responses[1]!, 'Content-Length')).to.equal('7');
    expect(responses[1]!.body).to.have.lengthOf(0);
  });
});

/** Sends its head and half its body, waits 600 ms, then sends the other half. */
class TwoPartHandler extends HelloHandler {
  override async do_GET(): Promise<void> {
    this.sendResponse(200);
    this.sendHeader('Content-Length', 10);
    await this.endHeaders();
    await this.wfile.write('first');
    await sleep(600);
    await this.wfile.write('last!');
  }
}

describe('http responses leave at the end of the turn', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('what a handler wrote before it waits reaches the client while it waits', async () => {
    const server = await serveHTTP(teardown, TwoPartHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    // Held until the handler returned, the two halves would arrive together and this never holds.
    await waitFor(() => client.text().endsWith('first'), 'the first half did not arrive on its own', 3000);
    const [response] = await client.responses(1);
    expect(response!.body.toString()).to.equal('firstlast!');
  });

  it('the requests of 30 connections sent at once all get their own whole response', async () => {
    const server = await serveHTTP(teardown, HelloHandler);
    const clients = await Promise.all(Array.from({ length: 30 }, () => WireClient.open(server.serverAddress)));
    clients.forEach((client, i) =>
      client.write(`GET /c${i} HTTP/1.1\r\nHost: t\r\n\r\nGET /d${i} HTTP/1.1\r\nHost: t\r\n\r\n`),
    );
    const answered = await Promise.all(clients.map((client) => client.responses(2)));
    answered.forEach((responses, i) => {
      expect(responses.map((r) => r.body.toString())).to.deep.equal([`GET /c${i}`, `GET /d${i}`]);
    });
  });
});

describe('http slow clients', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('headersTimeout: a partial head gets 408 Request Timeout with a status line, then close', async () => {
    const server = await serveHTTP(teardown, ImpatientHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HTTP/1.1\r\nHost: t\r\n');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 408 Request Timeout']);
    expect(headerOf(responses[0]!, 'Connection')).to.equal('close');
  });

  it('headersTimeout: half a request line gets 408 too', async () => {
    const server = await serveHTTP(teardown, ImpatientHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HT');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.status)).to.deep.equal([408]);
  });

  it('a client that connects and sends nothing is closed at headersTimeout without a response', async () => {
    const server = await serveHTTP(teardown, ImpatientHandler);
    const client = await WireClient.open(server.serverAddress);
    expect(await client.closed()).to.have.lengthOf(0);
  });

  it('requestTimeout: a body that stops arriving makes the read time out; the connection is closed and the log says why', async () => {
    const logged: string[] = [];
    class BodyReader extends ImpatientHandler {
      override requestTimeout = 0.3;
      override logError(format: string, ...args: unknown[]): void {
        logged.push(`${format} ${args.map(String).join(' ')}`);
      }
      async do_POST(): Promise<void> {
        const body = await this.rfile.read();
        await this.reply(200, `got ${body.length}`);
      }
    }
    const server = await serveHTTP(teardown, BodyReader);
    const client = await WireClient.open(server.serverAddress);
    const started = Date.now();
    client.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc');
    expect(await client.closed()).to.have.lengthOf(0);
    expect(Date.now() - started).to.be.within(250, 2500);
    expect(logged).to.deep.equal(['Request timed out: %r TimeoutError: timed out']);
  });

  it('keepAliveTimeout: an idle kept-alive connection is closed silently after its response', async () => {
    const server = await serveHTTP(teardown, ImpatientHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    const [response] = await client.responses(1);
    await client.closed();
    expect(client.data.length).to.equal(response!.raw.length);
  });

  it('a slowloris sending one header byte every 50 ms is cut off with 408 at headersTimeout', async () => {
    const server = await serveHTTP(teardown, ImpatientHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET / HTTP/1.1\r\nHost: t\r\n');
    const sent = await drip(client, 'X-Slow: ' + 'a'.repeat(200), 50);
    expect(client.ended).to.equal(true);
    expect(sent).to.be.below(200);
    const responses = await client.allResponses();
    expect(responses.map((r) => r.status)).to.deep.equal([408]);
  });

  it('headersTimeout bounds the request line and the headers together, not each', async () => {
    // The line takes 0.4 s of the 0.5 s; the headers then have what is left, not another 0.5 s.
    class SlowHeadHandler extends HelloHandler {
      override headersTimeout = 0.5;
    }
    const server = await serveHTTP(teardown, SlowHeadHandler);
    const client = await WireClient.open(server.serverAddress);
    const started = Date.now();
    client.write('GET / HT');
    await sleep(400);
    client.write('TP/1.1\r\n');
    void drip(client, 'X-Slow: ' + 'a'.repeat(100), 20);
    const responses = await client.allResponses();
    expect(responses.map((r) => r.status)).to.deep.equal([408]);
    // A full headersTimeout for the headers alone would end at 0.9 s or later.
    expect(Date.now() - started).to.be.below(800);
  });

  it('on a kept-alive connection, headersTimeout runs from the first byte of the next request', async () => {
    class SlowSecondHandler extends HelloHandler {
      override headersTimeout = 0.3;
      override keepAliveTimeout = 5;
    }
    const server = await serveHTTP(teardown, SlowSecondHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /first HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.responses(1);
    await sleep(100);
    client.write('GET /second HTTP/1.1\r\nHost: t\r\n');
    void drip(client, 'X-Slow: ' + 'a'.repeat(200), 50);
    const responses = await client.allResponses();
    expect(responses.map((r) => r.status)).to.deep.equal([200, 408]);
  });

  it('keepAliveTimeout is only the idle wait: once the next request has begun, its head has headersTimeout', async () => {
    class ShortIdleHandler extends HelloHandler {
      override headersTimeout = 3;
      override keepAliveTimeout = 0.3;
    }
    const server = await serveHTTP(teardown, ShortIdleHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /first HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.responses(1);
    await sleep(100);
    // About 0.7 s for the whole head, more than keepAliveTimeout.
    await drip(client, 'GET /second HTTP/1.1\r\nHost: t\r\n\r\n', 30);
    const responses = await client.responses(2);
    expect(responses[1]!.body.toString()).to.equal('GET /second');
  });

  for (const seconds of [Infinity, 1e7]) {
    it(`headersTimeout and keepAliveTimeout of ${seconds} s mean no limit (not Node's 1 ms overflow timer)`, async () => {
      class UnlimitedHandler extends HelloHandler {
        override headersTimeout = seconds;
        override keepAliveTimeout = seconds;
      }
      const server = await serveHTTP(teardown, UnlimitedHandler);
      const client = await WireClient.open(server.serverAddress);
      await sleep(20);
      client.write('GET /one HTTP/1.1\r\nHost: t\r\n');
      await sleep(20);
      client.write('\r\n');
      await client.responses(1);
      await sleep(20);
      client.write('GET /two HTTP/1.1\r\nHost: t\r\n\r\n');
      const responses = await client.responses(2);
      expect(responses.map((r) => r.body.toString())).to.deep.equal(['GET /one', 'GET /two']);
    });
  }
});
