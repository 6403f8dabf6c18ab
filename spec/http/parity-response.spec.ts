/**
 * Python 3.14 parity on what a response looks like on the wire: the status line, header names and
 * order, the error page and its escaping, which responses carry no body, and the access log.
 */
import { expect } from 'chai';
import { BaseHTTPRequestHandler } from '../../lib/http/index';
import { QuietHandler, serveHTTP } from '../support/http-handlers';
import { WireClient, exchangeAll, headerNames, headerOf } from '../support/http-wire';
import { captureStderr } from '../support/process-probes';
import { Teardown } from '../support/teardown';

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Python 3.14's error page for `code`, with message and explain already escaped. */
function errorPage(code: number, message: string, explain: string): string {
  return (
    '<!DOCTYPE HTML>\n' +
    '<html lang="en">\n' +
    '    <head>\n' +
    '        <meta charset="utf-8">\n' +
    '        <style type="text/css">\n' +
    '            :root {\n' +
    '                color-scheme: light dark;\n' +
    '            }\n' +
    '        </style>\n' +
    '        <title>Error response</title>\n' +
    '    </head>\n' +
    '    <body>\n' +
    '        <h1>Error response</h1>\n' +
    `        <p>Error code: ${code}</p>\n` +
    `        <p>Message: ${message}.</p>\n` +
    `        <p>Error code explanation: ${code} - ${explain}.</p>\n` +
    '    </body>\n' +
    '</html>\n'
  );
}

/**
 * GET /ok: 200 with two headers and a body. GET /error/<code>[?m=…&e=…]: sendError(code, m, e).
 * HEAD: the same as GET (sendError leaves out the body).
 */
class ParityHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    const url = new URL(this.path, 'http://x');
    if (url.pathname.startsWith('/error/')) {
      const code = Number(url.pathname.slice('/error/'.length));
      await this.sendError(code, url.searchParams.get('m') ?? undefined, url.searchParams.get('e') ?? undefined);
      return;
    }
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('X-Custom', 'yes');
    this.sendHeader('Content-Length', 5);
    await this.endHeaders();
    await this.wfile.write('hello');
  }

  async do_HEAD(): Promise<void> {
    await this.do_GET();
  }
}

describe('http parity: status line, header order, error page', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('a 200 reply is `HTTP/1.1 200 OK`, then Server and Date, then the handler’s headers in order', async () => {
    const server = await serveHTTP(teardown, ParityHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /ok HTTP/1.1\r\nHost: t\r\n\r\n');
    const response = await client.response();
    expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
    expect(headerNames(response)).to.deep.equal(['Server', 'Date', 'Content-Type', 'X-Custom', 'Content-Length']);
    expect(headerOf(response, 'Server')).to.equal(`BaseHTTP/0.6 Node/${process.versions.node}`);
    expect(headerOf(response, 'Date')).to.match(IMF_FIXDATE);
    expect(response.body.toString()).to.equal('hello');
  });

  it('sendError(404): Python 3.14’s page byte for byte, Connection: close, then the connection closes', async () => {
    const server = await serveHTTP(teardown, ParityHandler);
    const { responses, data } = await exchangeAll(server.serverAddress, 'GET /error/404 HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(responses).to.have.lengthOf(1);
    const [response] = responses;
    const page = errorPage(404, 'Not Found', 'Nothing matches the given URI');
    expect(response!.statusLine).to.equal('HTTP/1.1 404 Not Found');
    expect(response!.headers.slice(2)).to.deep.equal([
      ['Connection', 'close'],
      ['Content-Type', 'text/html;charset=utf-8'],
      ['Content-Length', String(Buffer.byteLength(page))],
    ]);
    expect(headerNames(response!).slice(0, 2)).to.deep.equal(['Server', 'Date']);
    expect(response!.body.toString('utf8')).to.equal(page);
    expect(response!.raw.length).to.equal(data.length);
  });

  it('the sendError message is the reason phrase as given; the page escapes <, > and & (not quotes) in message and explain', async () => {
    const server = await serveHTTP(teardown, ParityHandler);
    const query = new URLSearchParams({ m: 'No <b> & "c"', e: "why <i> & 'q'" });
    const { responses } = await exchangeAll(
      server.serverAddress,
      `GET /error/403?${query} HTTP/1.1\r\nHost: t\r\n\r\n`,
    );
    const [response] = responses;
    expect(response!.statusLine).to.equal('HTTP/1.1 403 No <b> & "c"');
    expect(response!.body.toString()).to.equal(errorPage(403, 'No &lt;b&gt; &amp; "c"', "why &lt;i&gt; &amp; 'q'"));
  });

  it('a code Python does not know gets ??? as phrase and explanation', async () => {
    const server = await serveHTTP(teardown, ParityHandler);
    const { responses } = await exchangeAll(server.serverAddress, 'GET /error/599 HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(responses[0]!.statusLine).to.equal('HTTP/1.1 599 ???');
    expect(responses[0]!.body.toString()).to.equal(errorPage(599, '???', '???'));
  });

  it('an error reply to HEAD has Content-Length but no body', async () => {
    const server = await serveHTTP(teardown, ParityHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('HEAD /error/404 HTTP/1.1\r\nHost: t\r\n\r\n');
    const data = await client.closed();
    const text = data.toString('latin1');
    expect(text).to.match(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(text).to.match(/\r\nContent-Length: \d+\r\n\r\n$/);
  });

  for (const [code, phrase] of [
    [100, 'Continue'],
    [204, 'No Content'],
    [205, 'Reset Content'],
    [304, 'Not Modified'],
  ] as const) {
    it(`sendError(${code}) sends no Content-Type, Content-Length or body`, async () => {
      const server = await serveHTTP(teardown, ParityHandler);
      const client = await WireClient.open(server.serverAddress);
      client.write(`GET /error/${code} HTTP/1.1\r\nHost: t\r\n\r\n`);
      const text = (await client.closed()).toString('latin1');
      expect(text).to.match(
        new RegExp(
          `^HTTP/1\\.1 ${code} ${phrase}\\r\\nServer: [^\\r]+\\r\\nDate: [^\\r]+\\r\\nConnection: close\\r\\n\\r\\n$`,
        ),
      );
    });
  }
});

/** A handler with the default access log, answering GET with an empty 200 or /missing with 404. */
class LoggingHandler extends BaseHTTPRequestHandler {
  async do_GET(): Promise<void> {
    if (this.path === '/missing') {
      await this.sendError(404);
      return;
    }
    this.sendResponse(200);
    this.sendHeader('Content-Length', 0);
    await this.endHeaders();
  }
}

const LOG_PREFIX = String.raw`^127\.0\.0\.1 - - \[\d{2}/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4} \d{2}:\d{2}:\d{2}\] `;

describe('http parity: the access log on stderr', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  /** Send `request` to a LoggingHandler server and return what was written to stderr meanwhile. */
  async function logOf(request: string): Promise<string> {
    const server = await serveHTTP(teardown, LoggingHandler);
    const { stderr } = await captureStderr(() => exchangeAll(server.serverAddress, request));
    return stderr;
  }

  it('one line per request: `127.0.0.1 - - [dd/Mon/YYYY hh:mm:ss] "GET / HTTP/1.1" 200 -`', async () => {
    const log = await logOf('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(log).to.match(new RegExp(`${LOG_PREFIX}"GET / HTTP/1\\.1" 200 -\\n$`));
    expect(log.split('\n')).to.have.lengthOf(2);
  });

  it('an error logs `code 404, message Not Found` and then the request line with 404', async () => {
    const lines = (await logOf('GET /missing HTTP/1.1\r\nHost: t\r\n\r\n')).split('\n');
    expect(lines[0]).to.match(new RegExp(`${LOG_PREFIX}code 404, message Not Found$`));
    expect(lines[1]).to.match(new RegExp(`${LOG_PREFIX}"GET /missing HTTP/1\\.1" 404 -$`));
  });

  it('control characters (C0, DEL, C1) become \\xHH and a backslash is doubled', async () => {
    const log = await logOf('GET /a\x1b[31mb\x7fc\x9bd\\e HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(log).to.include(String.raw`"GET /a\x1b[31mb\x7fc\x9bd\\e HTTP/1.1" 200 -`);
    expect(log).not.to.include('\x1b');
  });
});
