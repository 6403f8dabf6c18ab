/**
 * `this.rfile` inside do_POST reads the current request's body only: sized by Content-Length or
 * de-chunked, with EOF at its end, so ported Python code works and the next request is untouched.
 */
import { expect } from 'chai';
import { BadBodyError } from '../../lib/errors';
import { QuietHandler, serveHTTP } from '../support/http-handlers';
import { WireClient } from '../support/http-wire';
import { Teardown } from '../support/teardown';

/** The ways a handler reads its body, chosen by path; each answers with what it read, as JSON. */
class BodyHandler extends QuietHandler {
  async do_POST(): Promise<void> {
    let result: unknown;
    if (this.path === '/python') {
      // The Python idiom: read exactly Content-Length bytes.
      result = (await this.rfile.read(Number(this.headers.get('Content-Length')))).toString();
    } else if (this.path === '/all') {
      const all = await this.rfile.read();
      const after = await this.rfile.read();
      result = [all.toString(), after.length];
    } else if (this.path === '/more') {
      result = (await this.rfile.read(1000)).toString();
    } else if (this.path === '/lines') {
      const lines: string[] = [];
      for await (const line of this.rfile) lines.push(line.toString());
      result = lines;
    } else if (this.path === '/readline') {
      result = [(await this.rfile.readline()).toString(), (await this.rfile.readline(3)).toString()];
    } else if (this.path === '/read1') {
      const parts: string[] = [];
      for (let part = await this.rfile.read1(4); part.length > 0; part = await this.rfile.read1(4)) {
        parts.push(part.toString());
      }
      result = parts;
    }
    await this.reply(200, JSON.stringify(result), 'application/json');
  }

  async do_GET(): Promise<void> {
    await this.reply(200, `GET ${this.path}`);
  }
}

/** What the last /cut request's handler saw: the bytes it read, or the error its read rejected with. */
const cutRequests: { read: string | null; error: unknown }[] = [];

/** Reads the whole body and records the outcome; the client has half-closed, so it can still get the reply. */
class CutHandler extends QuietHandler {
  async do_POST(): Promise<void> {
    const seen: { read: string | null; error: unknown } = { read: null, error: null };
    cutRequests.push(seen);
    try {
      seen.read = (await this.rfile.read()).toString();
    } catch (error) {
      seen.error = error;
      throw error;
    }
    await this.reply(200, `read ${seen.read.length} bytes`);
  }
}

/** POST `body` to `path` with Content-Length, then a GET on the same connection; both bodies parsed. */
async function postThenGet(address: [string, number] | string, path: string, head: string, body: string) {
  const client = await WireClient.open(address);
  client.write(`POST ${path} HTTP/1.1\r\nHost: t\r\n${head}\r\n${body}GET /next HTTP/1.1\r\nHost: t\r\n\r\n`);
  const [post, get] = await client.responses(2);
  return { read: JSON.parse(post!.body.toString()) as unknown, next: get!.body.toString() };
}

const CHUNKED = 'Transfer-Encoding: chunked\r\n';

describe('http request body: rfile reads the body only', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it("rfile.read(Number(headers.get('Content-Length'))) returns the body", async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const result = await postThenGet(server.serverAddress, '/python', 'Content-Length: 11\r\n', 'hello world');
    expect(result).to.deep.equal({ read: 'hello world', next: 'GET /next' });
  });

  it('rfile.read() ends at the end of a Content-Length body (and reads empty after it)', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const result = await postThenGet(server.serverAddress, '/all', 'Content-Length: 5\r\n', 'hello');
    expect(result).to.deep.equal({ read: ['hello', 0], next: 'GET /next' });
  });

  it('rfile.read(1000) on a 5-byte body returns the 5 bytes, not the next request', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const result = await postThenGet(server.serverAddress, '/more', 'Content-Length: 5\r\n', 'hello');
    expect(result).to.deep.equal({ read: 'hello', next: 'GET /next' });
  });

  it('a request without a body: rfile.read() is empty at once', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const result = await postThenGet(server.serverAddress, '/all', '', '');
    expect(result).to.deep.equal({ read: ['', 0], next: 'GET /next' });
  });

  it('iterating rfile yields the body’s lines, the last one without a newline', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const result = await postThenGet(server.serverAddress, '/lines', 'Content-Length: 8\r\n', 'a\nbb\nccc');
    expect(result).to.deep.equal({ read: ['a\n', 'bb\n', 'ccc'], next: 'GET /next' });
  });

  it('rfile.readline() and readline(limit) stay inside the body', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const result = await postThenGet(server.serverAddress, '/readline', 'Content-Length: 6\r\n', 'one\ntw');
    expect(result).to.deep.equal({ read: ['one\n', 'tw'], next: 'GET /next' });
  });

  it('chunked: rfile.read() returns the de-chunked body, with extensions ignored and trailers dropped', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const body =
      '5;name=value\r\nhello\r\n' +
      '6 ; q="a \\"b\\";c" ; flag\r\n world\r\n' +
      '0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n';
    const result = await postThenGet(server.serverAddress, '/all', CHUNKED, body);
    expect(result).to.deep.equal({ read: ['hello world', 0], next: 'GET /next' });
  });

  it('chunked: read1() returns pieces within chunks; lines can span chunks', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const body = '3\r\nabc\r\n6\r\ndefghi\r\n0\r\n\r\n';
    const pieces = await postThenGet(server.serverAddress, '/read1', CHUNKED, body);
    expect((pieces.read as string[]).join('')).to.equal('abcdefghi');
    expect((pieces.read as string[]).every((piece) => piece.length <= 4)).to.equal(true);
    const lines = await postThenGet(server.serverAddress, '/lines', CHUNKED, '3\r\na\nb\r\n3\r\nc\nd\r\n0\r\n\r\n');
    expect(lines.read).to.deep.equal(['a\n', 'bc\n', 'd']);
  });

  it('chunked with the Python idiom: Content-Length is absent, so read(NaN) reads the whole body', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const result = await postThenGet(server.serverAddress, '/python', CHUNKED, '4\r\nabcd\r\n0\r\n\r\n');
    expect(result).to.deep.equal({ read: 'abcd', next: 'GET /next' });
  });

  it('a body that arrives in pieces over time is read whole', async () => {
    const server = await serveHTTP(teardown, BodyHandler);
    const client = await WireClient.open(server.serverAddress);
    client.write('POST /python HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhel');
    await new Promise((resolve) => setTimeout(resolve, 30));
    client.write('lo wo');
    await new Promise((resolve) => setTimeout(resolve, 30));
    client.write('rl');
    expect(await client.stillOpenAfter(30)).to.equal(true);
    expect(client.data).to.have.lengthOf(0);
    client.write('d');
    const response = await client.response();
    expect(JSON.parse(response.body.toString())).to.equal('hello world');
  });

  it('a chunked body cut short by the client rejects the read with BadBodyError (never a silent partial upload)', async () => {
    const server = await serveHTTP(teardown, CutHandler);
    const client = await WireClient.open(server.serverAddress);
    cutRequests.length = 0;
    client.write(`POST /cut HTTP/1.1\r\nHost: t\r\n${CHUNKED}\r\n5\r\nhello\r\n6\r\n wo`);
    client.socket.end();
    const response = await client.response();
    expect(response.status).to.equal(400);
    expect(cutRequests).to.have.lengthOf(1);
    expect(cutRequests[0]!.read).to.equal(null);
    expect(cutRequests[0]!.error).to.be.instanceOf(BadBodyError);
    expect(server.reported).to.deep.equal([]);
  });

  it('a chunked body cut short between chunks rejects too; one cut after the last chunk is whole', async () => {
    const server = await serveHTTP(teardown, CutHandler);
    cutRequests.length = 0;
    const between = await WireClient.open(server.serverAddress);
    between.write(`POST /cut HTTP/1.1\r\nHost: t\r\n${CHUNKED}\r\n5\r\nhello\r\n`);
    between.socket.end();
    expect((await between.response()).status).to.equal(400);
    const whole = await WireClient.open(server.serverAddress);
    whole.write(`POST /cut HTTP/1.1\r\nHost: t\r\n${CHUNKED}\r\n5\r\nhello\r\n0\r\n`);
    whole.socket.end();
    const response = await whole.response();
    expect(response.status).to.equal(200);
    expect(response.body.toString()).to.equal('read 5 bytes');
    expect(cutRequests.map((seen) => seen.error instanceof BadBodyError)).to.deep.equal([true, false]);
  });

  it('a Content-Length body cut short reads short, as in Python (the handler compares the length)', async () => {
    const server = await serveHTTP(teardown, CutHandler);
    cutRequests.length = 0;
    const client = await WireClient.open(server.serverAddress);
    client.write('POST /cut HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello');
    client.socket.end();
    const response = await client.response();
    expect(response.body.toString()).to.equal('read 5 bytes');
    expect(cutRequests[0]!.error).to.equal(null);
  });
});
