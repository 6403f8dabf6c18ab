/**
 * How-to docs/howto/test-with-mocha.md: mocha tests for samples/greeting_handler.ts, to copy into
 * your own project. Each test talks to a real server on 127.0.0.1, on a port the system picks, and
 * the server is closed after the tests, so mocha exits by itself.
 *
 *   npx mocha samples/greeting_handler.spec.ts
 *
 * (.mocharc.json loads ts-node, so mocha runs TypeScript.)
 */
import { expect } from 'chai';
import { once } from 'node:events';
import * as net from 'node:net';
// In your own project: import { ThreadingHTTPServer } from 'sockserve/http';
import { ThreadingHTTPServer } from '../lib/http/index';
import { GreetingHandler, MAX_NAME_LENGTH } from './greeting_handler';

/** The handler under test, without its access log, so the test output stays readable. */
class QuietGreetingHandler extends GreetingHandler {
  override logMessage(): void {}
}

/** Send `request` as raw bytes and return everything the server sends back before it closes. */
async function exchange(port: number, request: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.end(request);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

describe('GreetingHandler', () => {
  let server: ThreadingHTTPServer;
  let serving: Promise<void>;
  let base: string;

  before(async () => {
    server = new ThreadingHTTPServer(['127.0.0.1', 0], QuietGreetingHandler); // port 0: any free port
    await server.ready();
    base = `http://127.0.0.1:${server.serverPort}`;
    serving = server.serveForever();
  });

  after(async () => {
    await server.shutdown(); // serveForever() returns
    await serving;
    await server.serverClose(); // the port is released
  });

  it('greets the name in the query', async () => {
    const response = await fetch(`${base}/?name=Ada`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('text/plain; charset=utf-8');
    expect(await response.text()).to.equal('Hello, Ada!\n');
  });

  it('greets the world without a name', async () => {
    const response = await fetch(`${base}/`);
    expect(await response.text()).to.equal('Hello, world!\n');
  });

  it(`cuts a name to ${MAX_NAME_LENGTH} characters`, async () => {
    const response = await fetch(`${base}/?name=${'x'.repeat(MAX_NAME_LENGTH + 10)}`);
    expect(await response.text()).to.equal(`Hello, ${'x'.repeat(MAX_NAME_LENGTH)}!\n`);
  });

  it('answers another path with 404', async () => {
    const response = await fetch(`${base}/elsewhere`);
    expect(response.status).to.equal(404);
    await response.body?.cancel();
  });

  it("answers POST with 501, the framework's answer for a method without do_POST", async () => {
    const response = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect(response.status).to.equal(501);
    await response.body?.cancel();
  });

  it('sends an HTTP/1.0 status line and closes the connection (raw bytes)', async () => {
    const reply = await exchange(server.serverPort, 'GET /?name=Bob HTTP/1.0\r\nHost: test\r\n\r\n');
    expect(reply).to.match(/^HTTP\/1\.0 200 OK\r\n/);
    expect(reply.endsWith('\r\n\r\nHello, Bob!\n')).to.equal(true);
  });
});
