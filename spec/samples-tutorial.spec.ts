/**
 * Runs the samples added for the tutorial (docs/tutorial/) as child processes, the way a reader
 * runs them, on port 0: samples/tcpserver_http_server.ts (chapter 4, the hand-made HTTP server
 * on TCPServer) answers raw requests written byte for byte, including requests that arrive in
 * pieces and bodies it refuses, and exits with code 0 on SIGTERM and on SIGINT.
 *
 * Children run through ts-node in transpile-only mode (`tsc --noEmit` does the type check); both
 * start together in `before`, so the file costs about one ts-node start-up.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { connect, destroyClients } from './support/clients';
import { WireClient, headerNames, headerOf, type WireResponse } from './support/http-wire';
import { RunningSample, SAMPLE_START_MS } from './support/running-sample';
import { sleep } from './support/wait';

const ROOT = path.resolve(__dirname, '..');
const PICTURE = readFileSync(path.join(ROOT, 'samples', 'static', 'test.jpg'));

/** What Chromium sent for the tutorial's page (captured from Chromium 156; Sec-* headers left out). */
const BROWSER_GET =
  'GET / HTTP/1.1\r\n' +
  'Host: 127.0.0.1:8000\r\n' +
  'Connection: keep-alive\r\n' +
  'Upgrade-Insecure-Requests: 1\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n' +
  'Accept-Encoding: gzip, deflate, br, zstd\r\n' +
  'Accept-Language: en-US,en;q=0.9\r\n' +
  '\r\n';

/** The head of a form POST whose body is `body`, as a browser sends it. */
function postHead(body: Buffer, contentType = 'application/x-www-form-urlencoded'): string {
  return (
    'POST / HTTP/1.1\r\n' +
    'Host: 127.0.0.1:8000\r\n' +
    `Content-Length: ${body.length}\r\n` +
    `Content-Type: ${contentType}\r\n` +
    'Origin: http://127.0.0.1:8000\r\n' +
    '\r\n'
  );
}

function formBody(firstname: string): Buffer {
  return Buffer.from(new URLSearchParams({ firstname }).toString(), 'latin1');
}

describe('tutorial samples (samples/tcpserver_http_server.ts)', () => {
  const samples = new Map<string, RunningSample>();
  let port = 0;

  before(async function () {
    this.timeout(SAMPLE_START_MS + 5000);
    // `after` kills whatever is still running, even if a start fails.
    samples.set('SIGTERM', new RunningSample('tcpserver_http_server'));
    samples.set('SIGINT', new RunningSample('tcpserver_http_server'));
    const [first] = await Promise.all([...samples.values()].map((sample) => sample.port()));
    port = first ?? 0;
  });

  after(async () => {
    destroyClients();
    await Promise.all([...samples.values()].map((sample) => sample.kill()));
  });

  function sampleOf(key: 'SIGTERM' | 'SIGINT'): RunningSample {
    const sample = samples.get(key);
    if (sample === undefined) throw new Error(`the ${key} sample was not started`);
    return sample;
  }

  /** Send `pieces` one after another (pausing between them) and return the one response once the server closed. */
  async function ask(...pieces: (string | Buffer)[]): Promise<{ response: WireResponse; client: WireClient }> {
    const client = await WireClient.open(['127.0.0.1', port]);
    for (const [index, piece] of pieces.entries()) {
      if (index > 0) await sleep(30);
      client.write(piece);
    }
    const responses = await client.allResponses({}, 5000);
    expect(responses, 'one response, then the server closes').to.have.length(1);
    return { response: responses[0]!, client };
  }

  it("answers a browser's GET / with the page, as HTTP/1.0 framed by Content-Length, and closes", async () => {
    const { response, client } = await ask(BROWSER_GET);
    expect(response.statusLine).to.equal('HTTP/1.0 200 OK');
    expect(headerNames(response)).to.deep.equal(['Content-Type', 'Content-Length', 'Connection']);
    expect(headerOf(response, 'Content-Type')).to.equal('text/html; charset=utf-8');
    expect(headerOf(response, 'Content-Length')).to.equal(String(response.body.length));
    expect(headerOf(response, 'Connection')).to.equal('close');
    const page = response.body.toString('utf8');
    expect(page).to.match(/^<!DOCTYPE html>/);
    expect(page).to.include('<img src="test.jpg"').and.include('<form name="input" action="/" method="post">');
    expect(client.error).to.equal(null);
  });

  it('answers GET /test.jpg with the bytes of samples/static/test.jpg as image/jpeg', async () => {
    const { response } = await ask('GET /test.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(response.status).to.equal(200);
    expect(headerOf(response, 'Content-Type')).to.equal('image/jpeg');
    expect(response.body.equals(PICTURE), 'the picture arrives byte for byte').to.equal(true);
  });

  it('waits for a request head that arrives in pieces (readline, not one recv)', async () => {
    const pieces = ['GE', 'T /test.jpg HT', 'TP/1.1\r', '\nHost: 127.0.0.1\r\n', '\r', '\n'];
    const { response } = await ask(...pieces);
    expect(response.status).to.equal(200);
    expect(response.body.equals(PICTURE)).to.equal(true);
  });

  it('takes lines ended by a bare LF, as typed into nc', async () => {
    const { response } = await ask('GET / HTTP/1.0\n\n');
    expect(response.statusLine).to.equal('HTTP/1.0 200 OK');
  });

  it('reads a POST body that arrives after its head, and shows the name decoded and UTF-8', async () => {
    const body = formBody('张三 Li+1');
    const { response } = await ask(postHead(body), body);
    expect(response.status).to.equal(200);
    expect(headerOf(response, 'Content-Type')).to.equal('text/html; charset=utf-8');
    expect(response.body.toString('utf8')).to.include('<p>张三 Li+1</p>');
  });

  it('HTML-escapes the submitted value, so a <script> is shown, not run', async () => {
    const body = formBody('<script>alert("pwned")</script>');
    const page = (await ask(postHead(body) + body.toString('latin1'))).response.body.toString('utf8');
    expect(page).to.include('<p>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;</p>');
    expect(page).not.to.include('<script');
  });

  it('refuses a form over 64 KiB with 413, and the client gets the answer, not a reset', async () => {
    // Closed with the body unread, the connection would be reset about every other time: try five.
    const body = formBody('x'.repeat(200_000));
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const { response, client } = await ask(postHead(body) + body.toString('latin1'));
      expect(response.statusLine, `attempt ${attempt}`).to.equal('HTTP/1.0 413 Content Too Large');
      expect(client.error, `attempt ${attempt}`).to.equal(null);
    }
  });

  it('answers what it cannot serve with 411, 415, 501 and 400', async () => {
    const plain = Buffer.from('firstname=x');
    const cases: [string, string][] = [
      ['POST / HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.0 411 Length Required'],
      [postHead(plain, 'text/plain') + plain.toString('latin1'), 'HTTP/1.0 415 Unsupported Media Type'],
      ['DELETE / HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.0 501 Not Implemented'],
      ['HELLO\r\n\r\n', 'HTTP/1.0 400 Bad Request'],
      ['GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nxx', 'HTTP/1.0 400 Bad Request'],
    ];
    for (const [request, statusLine] of cases) {
      expect((await ask(request)).response.statusLine, JSON.stringify(request)).to.equal(statusLine);
    }
  });

  it('goes on serving after a client that connects and leaves without a word', async () => {
    const silent = await connect(['127.0.0.1', port]);
    silent.destroy();
    expect((await ask(BROWSER_GET)).response.status).to.equal(200);
  });

  it('logs each request it answers on stdout, with the client address as Python prints it', () => {
    const log = sampleOf('SIGTERM').stdout;
    expect(log).to.match(/^Connected by \('127\.0\.0\.1', \d+\) {2}request: GET \/$/m);
    expect(log).to.match(/^Connected by \('127\.0\.0\.1', \d+\) {2}request: POST \/$/m);
  });

  it('exits with code 0 on SIGTERM, having written nothing on stderr', async () => {
    const sample = sampleOf('SIGTERM');
    expect(await sample.stop('SIGTERM')).to.include({ code: 0, signal: null });
    expect(sample.stderr).to.equal('');
  });

  it('exits with code 0 on SIGINT (Ctrl-C)', async () => {
    expect(await sampleOf('SIGINT').stop('SIGINT')).to.include({ code: 0, signal: null });
  });
});
