/**
 * What sockserve does better than Python when a handler misbehaves: a throwing handler gets a 500
 * (or a closed connection once its response has begun) and handleError hears of it; headers
 * cannot be split; a response that the client could not delimit closes the connection; a HEAD
 * reply never carries a body.
 */
import { expect } from 'chai';
import { ErrorCodes } from '../../lib/index';
import {
  HelloHandler,
  QuietHandler,
  RecordingHTTPServer,
  RecordingSequentialHTTPServer,
  serveHTTP,
  type HTTPServerClass,
} from '../support/http-handlers';
import { WireClient, exchangeAll, headerOf } from '../support/http-wire';
import { Teardown } from '../support/teardown';

/** Fails in the ways chosen by path. */
class ThrowingHandler extends HelloHandler {
  override async do_GET(): Promise<void> {
    if (this.path === '/before') throw new Error('failed before the headers');
    if (this.path === '/queued') {
      // The status line and a header are queued but not sent when it fails.
      this.sendResponse(200);
      this.sendHeader('Content-Length', 5);
      throw new Error('failed with headers queued');
    }
    if (this.path === '/after') {
      this.sendResponse(200);
      this.sendHeader('Content-Length', 100);
      await this.endHeaders();
      await this.wfile.write('partial');
      throw new Error('failed after the headers');
    }
    await super.do_GET();
  }

  async do_POST(): Promise<void> {
    throw new Error('failed after 100 Continue');
  }
}

describe('http handler faults: a handler that throws', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  const servers: HTTPServerClass<RecordingHTTPServer | RecordingSequentialHTTPServer>[] = [
    RecordingHTTPServer,
    RecordingSequentialHTTPServer,
  ];
  for (const Server of servers) {
    it(`before sending headers: 500 with a status line, handleError gets the error, ${Server.name} keeps serving`, async () => {
      const server = await serveHTTP(teardown, ThrowingHandler, Server);
      const { responses } = await exchangeAll(server.serverAddress, 'GET /before HTTP/1.1\r\nHost: t\r\n\r\n');
      expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 500 Internal Server Error']);
      expect(headerOf(responses[0]!, 'Connection')).to.equal('close');
      expect(server.reported).to.have.lengthOf(1);
      expect(server.reported[0]).to.be.instanceOf(Error).with.property('message', 'failed before the headers');
      const next = await exchangeAll(server.serverAddress, 'GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(next.responses[0]!.body.toString()).to.equal('GET /ok');
    });
  }

  it('with headers queued but not sent: the queued ones are dropped and the client gets a 500', async () => {
    const server = await serveHTTP(teardown, ThrowingHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'GET /queued HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 500 Internal Server Error']);
    expect(responses[0]!.headers.filter(([name]) => name === 'Content-Length')).to.have.lengthOf(1);
    expect(server.reported).to.have.lengthOf(1);
  });

  it('after 100 Continue and before the final response: 100, then 500', async () => {
    const server = await serveHTTP(teardown, ThrowingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi');
    const responses = await client.allResponses();
    expect(responses.map((r) => r.statusLine)).to.deep.equal([
      'HTTP/1.1 100 Continue',
      'HTTP/1.1 500 Internal Server Error',
    ]);
    expect(server.reported).to.have.lengthOf(1);
  });

  it('after sending headers: the connection is closed (the client sees a short body), handleError gets the error', async () => {
    const server = await serveHTTP(teardown, ThrowingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /after HTTP/1.1\r\nHost: t\r\n\r\n');
    const text = (await client.closed()).toString('latin1');
    expect(text).to.match(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).to.match(/\r\n\r\npartial$/);
    expect(server.reported).to.have.lengthOf(1);
    expect(server.reported[0]).to.have.property('message', 'failed after the headers');
    const next = await exchangeAll(server.serverAddress, 'GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(next.responses[0]!.body.toString()).to.equal('GET /ok');
  });
});

/** Where each refused sendHeader/sendResponse call is recorded: the error's name and code. */
const refusals: string[] = [];

/** Tries to send each unsafe header or status message of UNSAFE, records the refusals, then answers. */
class InjectingHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    this.sendResponse(200);
    for (const [name, value] of UNSAFE_HEADERS) {
      try {
        this.sendHeader(name, value);
      } catch (error) {
        refusals.push(`${(error as Error).name} ${(error as { code?: string }).code}`);
      }
    }
    this.sendHeader('X-Tab', 'a\tb');
    this.sendHeader('X-Latin', 'caf\xe9');
    this.sendHeader('Content-Length', 2);
    await this.endHeaders();
    await this.wfile.write('ok');
  }

  async do_POST(): Promise<void> {
    for (const message of ['OK\r\nSet-Cookie: a=1', 'OK\nX: y', 'OK\0']) {
      try {
        this.sendResponse(200, message);
      } catch (error) {
        refusals.push(`${(error as Error).name} ${(error as { code?: string }).code}`);
      }
    }
    await this.reply(200, 'ok');
  }
}

const UNSAFE_HEADERS: readonly (readonly [string, string])[] = [
  ['X-Split', 'a\r\nSet-Cookie: a=1'],
  ['X-Split', 'a\nSet-Cookie: a=1'],
  ['X-Split', 'a\rSet-Cookie: a=1'],
  ['X-Split', 'a\0b'],
  ['X-Split\r\nSet-Cookie', 'a=1'],
  ['X Split', 'a'],
  ['', 'a'],
  ['X-Wide', 'snow\u2603man'],
];

/** Answers by path without framing its body, with chunked framing, with 204, or a HEAD with a body. */
class FramingHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    if (this.path === '/unframed') {
      this.sendResponse(200);
      this.sendHeader('Content-Type', 'text/plain');
      await this.endHeaders();
      await this.wfile.write('until close');
      return;
    }
    if (this.path === '/chunked') {
      this.sendResponse(200);
      this.sendHeader('Transfer-Encoding', 'chunked');
      await this.endHeaders();
      await this.wfile.write('2\r\nhi\r\n0\r\n\r\n');
      return;
    }
    if (this.path === '/empty') {
      this.sendResponse(204);
      await this.endHeaders();
      return;
    }
    await this.reply(200, `GET ${this.path}`);
  }

  async do_HEAD(): Promise<void> {
    // Writes a body anyway, and leaves out Content-Length.
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    await this.endHeaders();
    await this.wfile.write('a body HEAD must not carry');
  }
}

describe('http response safety: header injection, unframed responses, HEAD', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    refusals.length = 0;
  });
  afterEach(() => teardown.run());

  it('sendHeader refuses CR, LF, NUL, non-token names and non-Latin-1 values with a TypeError coded SOCKSERVE_ERR_INVALID_HEADER', async () => {
    const server = await serveHTTP(teardown, InjectingHandler);
    const { responses, data } = await exchangeAll(
      server.serverAddress,
      'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    expect(refusals).to.deep.equal(UNSAFE_HEADERS.map(() => `TypeError ${ErrorCodes.INVALID_HEADER}`));
    expect(data.toString('latin1')).not.to.include('Set-Cookie');
    expect(headerOf(responses[0]!, 'X-Tab')).to.equal('a\tb');
    expect(headerOf(responses[0]!, 'X-Latin')).to.equal('caf\xe9');
    expect(responses[0]!.body.toString()).to.equal('ok');
  });

  it('sendResponse refuses a status message with CR, LF or NUL', async () => {
    const server = await serveHTTP(teardown, InjectingHandler);
    const { responses, data } = await exchangeAll(
      server.serverAddress,
      'POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    expect(refusals).to.deep.equal([1, 2, 3].map(() => `TypeError ${ErrorCodes.INVALID_HEADER}`));
    expect(data.toString('latin1')).not.to.include('Set-Cookie');
    expect(responses.map((r) => r.statusLine)).to.deep.equal(['HTTP/1.1 200 OK']);
  });

  it('a response without Content-Length on a keep-alive connection gets Connection: close, and the connection closes', async () => {
    const server = await serveHTTP(teardown, FramingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /unframed HTTP/1.1\r\nHost: t\r\n\r\n');
    const [response] = await client.allResponses();
    expect(headerOf(response!, 'Connection')).to.equal('close');
    expect(response!.body.toString()).to.equal('until close');
  });

  it('chunked and 204 responses keep the connection open', async () => {
    const server = await serveHTTP(teardown, FramingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write(
      'GET /chunked HTTP/1.1\r\nHost: t\r\n\r\nGET /empty HTTP/1.1\r\nHost: t\r\n\r\nGET /last HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    const responses = await client.responses(3);
    expect(responses.map((r) => `${r.status} ${r.body.toString()}`)).to.deep.equal(['200 hi', '204 ', '200 GET /last']);
    expect(responses.every((r) => headerOf(r, 'Connection') === undefined)).to.equal(true);
    expect(await client.stillOpenAfter(30)).to.equal(true);
  });

  it('a do_HEAD that writes a body sends none, and the connection stays usable', async () => {
    const server = await serveHTTP(teardown, FramingHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n');
    const responses = await client.responses(2, { head: [0] });
    expect(responses[0]!.raw.toString('latin1')).to.match(/\r\nContent-Type: text\/plain\r\n\r\n$/);
    expect(responses[1]!.body.toString()).to.equal('GET /after');
    expect(client.text()).not.to.include('must not carry');
  });
});
