/**
 * HTTPSServer and ThreadingHTTPSServer with the test certificate in spec/fixtures/tls: requests
 * over TLS, ALPN, handshakes that never block the accept loop, plain HTTP on the TLS port, and a
 * bad certificate file.
 */
import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { Connection, RequestHandlerClass } from '../../lib/index';
import { HTTPSServer, ThreadingHTTPSServer } from '../../lib/http/index';
import { connect, readInSips, receiveAll } from '../support/clients';
import { HelloHandler } from '../support/http-handlers';
import { parseResponses, type WireResponse } from '../support/http-wire';
import { rejectionOf } from '../support/rejection';
import { Teardown } from '../support/teardown';
import { within } from '../support/wait';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'tls');
const CERT = { certfile: path.join(FIXTURES, 'cert.pem'), keyfile: path.join(FIXTURES, 'key.pem') };

/** HelloHandler that gives up on a silent client after 0.3 s (instead of 60). */
class ShortTimeoutHandler extends HelloHandler {
  override headersTimeout = 0.3;
}

type HTTPSServerClass = typeof HTTPSServer | typeof ThreadingHTTPSServer;

async function serveHTTPS(
  teardown: Teardown,
  Server: HTTPSServerClass,
  Handler: RequestHandlerClass<Connection> = HelloHandler,
): Promise<HTTPSServer> {
  const server = teardown.server(new Server(['127.0.0.1', 0], Handler, CERT));
  await server.ready();
  void teardown.serve(server, 0.05);
  return server;
}

/** Open a TLS connection (the test certificate is self-signed), send `request`, read until close. */
async function httpsExchange(
  server: HTTPSServer,
  request: string,
): Promise<{ responses: WireResponse[]; alpn: string | false | null }> {
  const [host, port] = server.serverAddress as [string, number];
  const socket = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  const closed = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  closed.catch(() => undefined); // awaited below; a failed handshake must not leave it unhandled
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const alpn = socket.alpnProtocol ?? null;
    socket.write(request);
    const data = await within(closed, 3000, 'the TLS server did not close the connection');
    return { responses: parseResponses(data, { ended: true }).responses, alpn };
  } finally {
    socket.destroy();
  }
}

describe('http HTTPS servers', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  for (const Server of [HTTPSServer, ThreadingHTTPSServer]) {
    it(`${Server.name} answers over TLS and negotiates ALPN http/1.1`, async () => {
      const server = await serveHTTPS(teardown, Server);
      const { responses, alpn } = await httpsExchange(
        server,
        'GET /tls HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
      );
      expect(alpn).to.equal('http/1.1');
      expect(responses.map((r) => `${r.statusLine} ${r.body.toString()}`)).to.deep.equal(['HTTP/1.1 200 OK GET /tls']);
    });

    it(`${Server.name}: plain HTTP sent to the TLS port closes that connection and the server goes on`, async () => {
      const server = await serveHTTPS(teardown, Server);
      const plain = await connect(server.serverAddress);
      const received = receiveAll(plain);
      plain.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
      const { data } = await within(received, 3000, 'the TLS server did not close the plain connection');
      expect(data.toString('latin1')).not.to.include('HTTP/1.1 200');
      const { responses } = await httpsExchange(server, 'GET /after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(responses[0]!.body.toString()).to.equal('GET /after');
    });
  }

  it('ThreadingHTTPSServer: a client that connects and never handshakes does not hold up a second client', async () => {
    const server = await serveHTTPS(teardown, ThreadingHTTPSServer);
    const silent = await connect(server.serverAddress);
    const { responses } = await httpsExchange(server, 'GET /second HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(responses[0]!.body.toString()).to.equal('GET /second');
    expect(silent.destroyed).to.equal(false);
  });

  it('HTTPSServer (sequential): a client that never handshakes holds the server until headersTimeout, then the next client is served', async () => {
    const server = await serveHTTPS(teardown, HTTPSServer, ShortTimeoutHandler);
    const silent = await connect(server.serverAddress);
    const silentClosed = receiveAll(silent);
    const started = Date.now();
    const { responses } = await httpsExchange(server, 'GET /second HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(responses[0]!.body.toString()).to.equal('GET /second');
    const { data } = await within(silentClosed, 3000, 'the silent client was not closed');
    expect(data).to.have.lengthOf(0);
    expect(Date.now() - started).to.be.at.least(250);
  });

  it('sendTimeout: a TLS client that keeps taking a 32 MiB response a little at a time is not cut off, one that stops is', async () => {
    const body = crypto.randomBytes(32 * 1024 * 1024);
    const failures: unknown[] = [];
    class LargeBodyHandler extends HelloHandler {
      override sendTimeout = 0.5;
      override async do_GET(): Promise<void> {
        this.sendResponse(200);
        this.sendHeader('Content-Length', body.length);
        await this.endHeaders();
        await this.wfile.write(body).catch((error: unknown) => failures.push(error));
      }
    }
    const server = await serveHTTPS(teardown, ThreadingHTTPSServer, LargeBodyHandler);
    const [host, port] = server.serverAddress as [string, number];
    const open = async (): Promise<{ socket: tls.TLSSocket; received: () => number; closed: Promise<Buffer> }> => {
      const socket = tls.connect({ host, port, rejectUnauthorized: false });
      const chunks: Buffer[] = [];
      let count = 0;
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        count += chunk.length;
      });
      const closed = new Promise<Buffer>((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks))));
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
      socket.write('GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      return { socket, received: () => count, closed };
    };
    const slow = await open();
    const stalled = await open();
    stalled.socket.pause();
    // A few milliseconds of reading every 100 ms for 1.5 s: three times sendTimeout in all.
    await readInSips(slow.socket, 15);
    expect(slow.received(), 'the slow client took some of the body').to.be.above(0);
    expect(failures, 'one write timed out: the stalled client').to.have.lengthOf(1);
    slow.socket.resume();
    stalled.socket.resume();
    const whole = await within(slow.closed, 10000, 'the slow client did not get the whole response');
    expect(whole.subarray(whole.length - body.length).equals(body)).to.equal(true);
    expect((await within(stalled.closed, 3000, 'the stalled client was not closed')).length).to.be.below(body.length);
  });

  it('a certfile that does not exist rejects ready() (ENOENT)', async () => {
    const server = new HTTPSServer(['127.0.0.1', 0], HelloHandler, { certfile: path.join(FIXTURES, 'missing.pem') });
    teardown.server(server);
    const error = await rejectionOf(server.ready());
    expect(error).to.have.property('code', 'ENOENT');
  });

  it('a certfile that is not a certificate rejects ready()', async () => {
    const server = new HTTPSServer(['127.0.0.1', 0], HelloHandler, {
      certfile: path.join(FIXTURES, 'README.md'),
      keyfile: CERT.keyfile,
    });
    teardown.server(server);
    const error = await rejectionOf(server.ready());
    expect(error).to.be.instanceOf(Error);
  });

  it('HTTPSServer without a certfile throws TypeError', () => {
    expect(() => new HTTPSServer(['127.0.0.1', 0], HelloHandler, {} as { certfile: string })).to.throw(
      TypeError,
      /^HTTPSServer needs options with a certfile$/,
    );
  });

  describe('a certfile that holds the key too, encrypted', () => {
    let directory = '';
    let combined = '';
    before(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-tls-'));
      combined = path.join(directory, 'combined.pem');
      const key = crypto.createPrivateKey(fs.readFileSync(CERT.keyfile));
      const encrypted = key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' });
      fs.writeFileSync(combined, `${fs.readFileSync(CERT.certfile, 'latin1')}${String(encrypted)}`);
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    it('keyfile omitted and the password given (as a string or a function): the server answers', async () => {
      for (const password of ['secret', () => 'secret']) {
        const server = teardown.server(
          new HTTPSServer(['127.0.0.1', 0], HelloHandler, { certfile: combined, password }),
        );
        await server.ready();
        void teardown.serve(server, 0.05);
        const { responses } = await httpsExchange(server, 'GET /key HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
        expect(responses[0]!.body.toString()).to.equal('GET /key');
      }
    });

    it('a wrong password rejects ready()', async () => {
      const server = teardown.server(
        new HTTPSServer(['127.0.0.1', 0], HelloHandler, { certfile: combined, password: 'nope' }),
      );
      expect(await rejectionOf(server.ready())).to.be.instanceOf(Error);
    });
  });
});
