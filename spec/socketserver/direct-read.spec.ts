/**
 * Accepted connections read directly into the connection's buffer (lib/socketserver/direct-read.ts):
 * bytes arrive whole and in order over TCP and Unix sockets (without a 'data' listener), and the
 * read-ahead limit still holds back a client whose handler has stopped reading. TLS connections
 * keep the stream path; the HTTPS specs run over it.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StreamRequestHandler, TCPServer, UnixStreamServer, type ServerAddress } from '../../lib/index';
import { connect, receiveAll } from '../support/clients';
import { Teardown } from '../support/teardown';
import { waitFor } from '../support/wait';

const PAYLOAD = randomBytes(8 * 1024 * 1024);
const DIGEST = createHash('sha256').update(PAYLOAD).digest('hex');

/** Set by a test: once the handler has read its first byte, it reads on when this resolves. */
let gate: Promise<void> = Promise.resolve();
/** Resolves `gate`. */
let openGate: () => void = () => undefined;
/** The handlers running, as the test sees them. */
const running = new Set<HashingHandler>();

/** Replies with whether its socket reads directly, then the sha256 of everything until EOF. */
class HashingHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    running.add(this);
    // A direct-reading socket needs no 'data' listener: its bytes reach the reader without one.
    const direct = this.connection.socket.listenerCount('data') === 0 ? 'direct' : 'stream';
    const hash = createHash('sha256').update(await this.rfile.read(1));
    await gate;
    for (let chunk = await this.rfile.read(65536); chunk.length > 0; chunk = await this.rfile.read(65536)) {
      hash.update(chunk);
    }
    await this.wfile.write(`${direct} ${hash.digest('hex')}\n`);
  }

  /** Bytes read from the socket and not yet taken by the handler. */
  get buffered(): number {
    return (this.rfile as unknown as { buffered: number }).buffered;
  }
}

/** Send PAYLOAD, end, and resolve with the server's reply. */
async function sendPayload(address: ServerAddress): Promise<string> {
  const client = await connect(address);
  const reply = receiveAll(client);
  client.end(PAYLOAD);
  return (await reply).data.toString().trim();
}

describe('socketserver: accepted connections read directly', function () {
  this.timeout(20000);
  const teardown = new Teardown();
  afterEach(() => {
    openGate();
    gate = Promise.resolve();
    running.clear();
    return teardown.run();
  });

  it('delivers 8 MiB over TCP whole and in order', async () => {
    const server = teardown.server(new TCPServer(['127.0.0.1', 0], HashingHandler));
    await server.ready();
    void teardown.serve(server);
    expect(await sendPayload(server.serverAddress)).to.equal(`direct ${DIGEST}`);
  });

  it('delivers 8 MiB over a Unix socket whole and in order', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-direct-'));
    try {
      const server = teardown.server(new UnixStreamServer(path.join(directory, 's'), HashingHandler));
      await server.ready();
      void teardown.serve(server);
      expect(await sendPayload(server.serverAddress)).to.equal(`direct ${DIGEST}`);
    } finally {
      await teardown.run();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('holds back a client whose handler stopped reading (read-ahead limit), then delivers everything', async () => {
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const server = teardown.server(new TCPServer(['127.0.0.1', 0], HashingHandler));
    await server.ready();
    void teardown.serve(server);
    const client = await connect(server.serverAddress);
    const reply = receiveAll(client);
    const drained = client.write(PAYLOAD);
    const buffered = (): number => [...running].reduce((sum, handler) => sum + handler.buffered, 0);
    await waitFor(() => buffered() > 0, 'the first bytes to be read');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(drained).to.equal(false);
    // The read-ahead limit (64 KiB) plus at most one read beyond it.
    expect(buffered()).to.be.at.most(128 * 1024);
    expect(client.writableLength).to.be.greaterThan(0);
    openGate();
    client.end();
    expect((await reply).data.toString().trim()).to.equal(`direct ${DIGEST}`);
  });
});
