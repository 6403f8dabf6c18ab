/**
 * HeaderBlock and sendHeaderBlock(): fields checked and written out once, queued as sendHeader()
 * would queue them one by one. The bytes on the wire are the same, an override of sendHeader()
 * still sees every field (the file handler's and sendResponse()'s Server and Date among them),
 * and a block can no more split a response than sendHeader() can.
 */
import { expect } from 'chai';
import { ErrorCodes } from '../../lib/index';
import { HeaderBlock } from '../../lib/http/index';
import { buildStaticTree, type StaticTree } from '../fixtures/static-tree';
import { QuietHandler, serveHTTP } from '../support/http-handlers';
import { WireClient, exchangeAll, headerNames, headerOf, type WireResponse } from '../support/http-wire';
import { QuietStaticHandler, request, serveStatic } from '../support/static-server';
import { Teardown } from '../support/teardown';
import { sleep } from '../support/wait';

const FIELDS: [string, string | number][] = [
  ['Content-Type', 'text/plain'],
  ['X-Latin', 'caf\xe9'],
  ['Content-Length', 2],
];
const BLOCK = new HeaderBlock(FIELDS);

/** GET /block: the fields as one block; GET /fields: the same by sendHeader(); GET /close: a block with Connection: close. */
class BlockHandler extends QuietHandler {
  async do_GET(): Promise<void> {
    this.sendResponse(200);
    if (this.path === '/fields') for (const [name, value] of FIELDS) this.sendHeader(name, value);
    else if (this.path === '/close') this.sendHeaderBlock(new HeaderBlock([...FIELDS, ['Connection', 'close']]));
    else this.sendHeaderBlock(BLOCK);
    await this.endHeaders();
    await this.wfile.write('ok');
  }
}

/** Records every sendHeader() call, and drops X-Latin. */
class OverridingHandler extends BlockHandler {
  static readonly seen: string[] = [];

  override sendHeader(keyword: string, value: string | number): void {
    OverridingHandler.seen.push(keyword);
    if (keyword !== 'X-Latin') super.sendHeader(keyword, value);
  }
}

/** The response's head without its Date line (it may change between two responses). */
function headWithoutDate(response: WireResponse): string {
  return response.raw
    .toString('latin1')
    .split('\r\n\r\n')[0]!
    .split('\r\n')
    .filter((line) => !line.startsWith('Date: '))
    .join('\r\n');
}

describe('HeaderBlock and sendHeaderBlock()', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('a block goes on the wire as sendHeader() for each of its fields would put it', async () => {
    const server = await serveHTTP(teardown, BlockHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'GET /block HTTP/1.1\r\nHost: t\r\n\r\nGET /fields HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    expect(responses).to.have.lengthOf(2);
    expect(headerNames(responses[0]!)).to.deep.equal(['Server', 'Date', 'Content-Type', 'X-Latin', 'Content-Length']);
    expect(headWithoutDate(responses[0]!)).to.equal(headWithoutDate(responses[1]!));
    expect(headerOf(responses[0]!, 'X-Latin')).to.equal('caf\xe9');
    expect(responses[0]!.body.toString()).to.equal('ok');
  });

  it('a Content-Length in a block frames the response (the connection stays open); a Connection: close in it closes the connection', async () => {
    const server = await serveHTTP(teardown, BlockHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /block HTTP/1.1\r\nHost: t\r\n\r\n');
    const [framed] = await client.responses(1);
    expect(headerOf(framed!, 'Connection')).to.equal(undefined);
    expect(await client.stillOpenAfter(30)).to.equal(true);
    client.write('GET /close HTTP/1.1\r\nHost: t\r\n\r\n');
    const responses = await client.allResponses();
    expect(responses).to.have.lengthOf(2);
    expect(headerOf(responses[1]!, 'Connection')).to.equal('close');
  });

  it('a subclass that overrides sendHeader() gets a call for each field of a block, Server and Date included', async () => {
    OverridingHandler.seen.length = 0;
    const server = await serveHTTP(teardown, OverridingHandler);
    const { responses } = await exchangeAll(
      server.serverAddress,
      'GET /block HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    expect(OverridingHandler.seen).to.deep.equal(['Server', 'Date', 'Content-Type', 'X-Latin', 'Content-Length']);
    expect(headerNames(responses[0]!)).to.deep.equal(['Server', 'Date', 'Content-Type', 'Content-Length']);
  });

  it('a block refuses CR, LF, NUL, non-token names and non-Latin-1 values with a TypeError coded SOCKSERVE_ERR_INVALID_HEADER', () => {
    const unsafe: [string, string][] = [
      ['X-Split', 'a\r\nSet-Cookie: x=1'],
      ['X-Nul', 'a\0b'],
      ['Bad Name', 'v'],
      ['X-Wide', 'snow \u2603'],
    ];
    for (const field of unsafe) {
      expect(() => new HeaderBlock([['Content-Length', 1], field]))
        .to.throw(TypeError)
        .with.property('code', ErrorCodes.INVALID_HEADER);
    }
  });

  it('Date moves on with the clock although Server and Date are made once for the same second', async function () {
    this.timeout(5000);
    const server = await serveHTTP(teardown, BlockHandler);
    const first = (await exchangeAll(server.serverAddress, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'))
      .responses[0]!;
    await sleep(1100);
    const second = (await exchangeAll(server.serverAddress, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'))
      .responses[0]!;
    const seconds = [first, second].map((response) => Date.parse(headerOf(response, 'Date')!) / 1000);
    expect(seconds[1]! - seconds[0]!).to.be.at.least(1);
  });
});

describe('SimpleHTTPRequestHandler: a file’s headers go out as one block', () => {
  const teardown = new Teardown();
  let tree: StaticTree;
  before(() => {
    tree = buildStaticTree();
  });
  after(() => tree.remove());
  afterEach(() => teardown.run());

  /** Drops Last-Modified, as a Python subclass overriding send_header() might. */
  class NoLastModified extends QuietStaticHandler {
    override sendHeader(keyword: string, value: string | number): void {
      if (keyword !== 'Last-Modified') super.sendHeader(keyword, value);
    }
  }

  it('a subclass that overrides sendHeader() still sees (and may drop) each of a file’s headers', async () => {
    const plain = await serveStatic(teardown, { directory: tree.root });
    const overriding = await serveStatic(teardown, { directory: tree.root }, NoLastModified);
    for (let round = 0; round < 2; round++) {
      // The second round is answered from the file cache, with the block made in the first.
      const full = await request(plain.serverAddress, '/hello.txt');
      const trimmed = await request(overriding.serverAddress, '/hello.txt');
      expect(headerNames(full)).to.include('Last-Modified');
      expect(headerNames(trimmed)).to.deep.equal(headerNames(full).filter((name) => name !== 'Last-Modified'));
      expect(trimmed.body).to.deep.equal(full.body);
    }
  });
});
