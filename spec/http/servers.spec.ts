/**
 * HTTPServer and ThreadingHTTPServer fields, HTTPStatus, and HTTPMessage (the request headers as
 * a handler reads them).
 */
import { expect } from 'chai';
import {
  HTTPMessage,
  HTTPServer,
  HTTPStatus,
  HTTPStatusAliases,
  ThreadingHTTPServer,
  lookupStatus,
  responses,
} from '../../lib/http/index';
import { QuietHandler, serveHTTP } from '../support/http-handlers';
import { exchangeAll } from '../support/http-wire';
import { Teardown } from '../support/teardown';

/** Answers with what the headers API says about the request's headers, as JSON. */
class HeadersHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    const headers = this.headers;
    const report = {
      get: headers.get('x-dup'),
      getMissing: String(headers.get('X-Missing')),
      getDefault: headers.get('X-Missing', 'fallback'),
      getAll: headers.getAll('X-DUP'),
      getAllMissing: headers.getAll('X-Missing', []),
      has: [headers.has('HOST'), headers.has('x-missing'), headers.has('__proto__'), headers.has('constructor')],
      proto: headers.get('__proto__'),
      keys: headers.keys(),
      size: headers.size,
      contentType: headers.getContentType(),
      charset: headers.getContentCharset() ?? null,
      iterated: [...headers],
    };
    await this.reply(200, JSON.stringify(report), 'application/json');
  }
}

/** Answers /created with sendResponse(HTTPStatus.CREATED) and anything else with sendError(HTTPStatus.NOT_FOUND). */
class StatusHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    if (this.path !== '/created') {
      await this.sendError(HTTPStatus.NOT_FOUND);
      return;
    }
    this.sendResponse(HTTPStatus.CREATED);
    this.sendHeader('Content-Length', 0);
    await this.endHeaders();
  }
}

describe('http HTTPServer and ThreadingHTTPServer', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('after ready(): serverName is the bound address as is (no reverse DNS: not "localhost") and serverPort the real port', async () => {
    const server = teardown.server(new HTTPServer(['127.0.0.1', 0], QuietHandler));
    expect(server.serverName).to.equal('');
    expect(server.serverPort).to.equal(0);
    await server.ready();
    const [, port] = server.serverAddress as [string, number];
    expect(server.serverName).to.equal('127.0.0.1');
    expect(server.serverPort).to.equal(port);
    expect(port).to.be.above(0);
  });

  it('allowReuseAddress is true; ThreadingHTTPServer.daemonThreads is true, HTTPServer has none', async () => {
    const threading = teardown.server(new ThreadingHTTPServer(['127.0.0.1', 0], QuietHandler));
    await threading.ready();
    expect(threading.allowReuseAddress).to.equal(true);
    expect(threading.daemonThreads).to.equal(true);
    const plain = teardown.server(new HTTPServer(['127.0.0.1', 0], QuietHandler));
    await plain.ready();
    expect(plain.allowReuseAddress).to.equal(true);
    expect(plain).not.to.have.property('daemonThreads');
  });
});

describe('http HTTPStatus', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('values, phrases and descriptions are Python 3.14’s', () => {
    expect([HTTPStatus.NOT_FOUND.value, HTTPStatus.NOT_FOUND.phrase, HTTPStatus.NOT_FOUND.description]).to.deep.equal([
      404,
      'Not Found',
      'Nothing matches the given URI',
    ]);
    expect([HTTPStatus.CONTENT_TOO_LARGE.value, HTTPStatus.CONTENT_TOO_LARGE.phrase]).to.deep.equal([
      413,
      'Content Too Large',
    ]);
    expect(HTTPStatus.URI_TOO_LONG.phrase).to.equal('URI Too Long');
    expect(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.phrase).to.equal('Request Header Fields Too Large');
    expect(HTTPStatus.OK.description).to.equal('Request fulfilled, document follows');
  });

  it('the old names are aliases of the same objects; a status is its number in arithmetic and text', () => {
    expect(HTTPStatusAliases.REQUEST_ENTITY_TOO_LARGE).to.equal(HTTPStatus.CONTENT_TOO_LARGE);
    expect(HTTPStatusAliases.REQUEST_URI_TOO_LONG).to.equal(HTTPStatus.URI_TOO_LONG);
    expect(`${HTTPStatus.OK}`).to.equal('200');
    expect(+HTTPStatus.NOT_FOUND).to.equal(404);
    expect(lookupStatus(404)).to.equal(HTTPStatus.NOT_FOUND);
    expect(lookupStatus(599)).to.equal(undefined);
    expect(responses[413]).to.deep.equal(['Content Too Large', 'Content is too large']);
  });

  it('sendResponse and sendError take an HTTPStatus as well as a number', async () => {
    const server = await serveHTTP(teardown, StatusHandler);
    const created = await exchangeAll(
      server.serverAddress,
      'GET /created HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    expect(created.responses[0]!.statusLine).to.equal('HTTP/1.1 201 Created');
    const missing = await exchangeAll(server.serverAddress, 'GET /x HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(missing.responses[0]!.statusLine).to.equal('HTTP/1.1 404 Not Found');
    expect(missing.responses[0]!.body.toString()).to.include('404 - Nothing matches the given URI.');
  });
});

describe('http HTTPMessage', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('over the wire: case-insensitive get/getAll/has, duplicates and order kept, __proto__ is a plain name', async () => {
    const server = await serveHTTP(teardown, HeadersHandler);
    const request =
      'GET / HTTP/1.1\r\nHost: t\r\nX-Dup: 1\r\nContent-Type: Text/HTML; charset="UTF-8"\r\nx-dup: 2\r\n' +
      '__proto__: p\r\nconstructor: c\r\nConnection: close\r\n\r\n';
    const { responses: replies } = await exchangeAll(server.serverAddress, request);
    expect(JSON.parse(replies[0]!.body.toString())).to.deep.equal({
      get: '1',
      getMissing: 'undefined',
      getDefault: 'fallback',
      getAll: ['1', '2'],
      getAllMissing: [],
      has: [true, false, true, true],
      proto: 'p',
      keys: ['Host', 'X-Dup', 'Content-Type', 'x-dup', '__proto__', 'constructor', 'Connection'],
      size: 7,
      contentType: 'text/html',
      charset: 'utf-8',
      iterated: ['Host', 'X-Dup', 'Content-Type', 'x-dup', '__proto__', 'constructor', 'Connection'],
    });
  });

  it('getContentType: text/plain when absent or not type/subtype, else the lower-cased media type', () => {
    const typeOf = (value?: string): string => {
      const message = new HTTPMessage();
      if (value !== undefined) message.append('Content-Type', value);
      return message.getContentType();
    };
    expect(typeOf()).to.equal('text/plain');
    expect(typeOf('garbage')).to.equal('text/plain');
    expect(typeOf('a/b/c')).to.equal('text/plain');
    expect(typeOf('Application/JSON')).to.equal('application/json');
    expect(typeOf(' multipart/form-data ; boundary=x')).to.equal('multipart/form-data');
  });

  it('items(), values() and toString() keep order and names as sent', () => {
    const message = new HTTPMessage();
    message.append('B', '2');
    message.append('a', '1');
    message.append('b', '3');
    expect(message.items()).to.deep.equal([
      ['B', '2'],
      ['a', '1'],
      ['b', '3'],
    ]);
    expect(message.values()).to.deep.equal(['2', '1', '3']);
    expect(message.getAll('b')).to.deep.equal(['2', '3']);
    expect(message.toString()).to.equal('B: 2\r\na: 1\r\nb: 3\r\n\r\n');
  });
});
