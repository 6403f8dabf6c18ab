import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import {
  BaseRequestHandler,
  StreamRequestHandler,
  TCPServer,
  ThreadingTCPServer,
  TimeoutError,
  ErrorCodes,
  type ClientAddress,
  type Connection,
} from '../../lib/index';
import { connect, exchange, firstData, readInSips, receiveAll } from '../support/clients';
import { collectUnhandledRejections } from '../support/process-probes';
import { Teardown } from '../support/teardown';
import { sleep, within } from '../support/wait';

/** What the handler of the current test does; set by each test. */
let script: (handler: ScriptedHandler) => Promise<void> = async () => {};

/** Runs `script` (rfile and wfile are public, so a test can drive them). */
class ScriptedHandler extends StreamRequestHandler {
  protected override handle(): Promise<void> {
    return script(this);
  }
}

/** The same with wfile buffering up to 64 KiB. */
class BufferedScriptedHandler extends ScriptedHandler {
  override wbufsize = 64 * 1024;
}

const SIXTEEN_MIB = 16 * 1024 * 1024;

describe('socketserver wfile (StreamRequestHandler)', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  async function startServer(Handler: typeof ScriptedHandler): Promise<TCPServer> {
    const server = teardown.server(new TCPServer(['127.0.0.1', 0], Handler));
    await server.ready();
    void teardown.serve(server);
    return server;
  }

  it('a 16 MiB write arrives whole and byte-exact at a client that pauses reading, and waits for it', async () => {
    const body = randomBytes(SIXTEEN_MIB);
    let writeDone = false;
    script = async ({ rfile, wfile }) => {
      await rfile.readline();
      await wfile.write(body);
      writeDone = true;
    };
    const server = await startServer(ScriptedHandler);
    const client = await connect(server.serverAddress);
    const received = receiveAll(client);
    client.write('send\n');
    await firstData(client);
    client.pause();
    await sleep(300);
    // The client has read almost nothing; no socket buffer holds 16 MiB, so the write still waits.
    expect(writeDone).to.equal(false);
    client.resume();
    const { data, error } = await within(received, 8000, 'the body did not arrive');
    expect(error).to.equal(null);
    expect(data.length).to.equal(SIXTEEN_MIB);
    expect(data.equals(body)).to.equal(true);
    expect(writeDone).to.equal(true);
  });

  describe('timeout covers writes', () => {
    class TimedHandler extends ScriptedHandler {
      override timeout = 0.5;
    }

    it('a write the client takes none of rejects with TimeoutError after `timeout`, and the connection is closed', async () => {
      let failure: unknown = null;
      script = async ({ rfile, wfile }) => {
        await rfile.readline();
        try {
          await wfile.write(Buffer.alloc(32 * 1024 * 1024));
        } catch (error) {
          failure = error;
        }
      };
      const server = await startServer(TimedHandler);
      const client = await connect(server.serverAddress);
      const received = receiveAll(client);
      client.write('send\n');
      await firstData(client);
      client.pause();
      await within(
        (async () => {
          while (failure === null) await sleep(20);
        })(),
        3000,
        'the write did not time out',
      );
      expect(failure).to.be.instanceOf(TimeoutError);
      expect((failure as TimeoutError).code).to.equal(ErrorCodes.TIMEOUT);
      client.resume();
      const { data } = await within(received, 3000, 'the connection was not closed');
      expect(data.length).to.be.below(32 * 1024 * 1024);
    });

    it('one large write to a client that keeps taking a little at a time is not cut off, however long it takes', async () => {
      const body = randomBytes(32 * 1024 * 1024);
      let failure: unknown = null;
      script = async ({ rfile, wfile }) => {
        await rfile.readline();
        await wfile.write(body).catch((error: unknown) => (failure = error));
      };
      const server = await startServer(TimedHandler);
      const client = await connect(server.serverAddress);
      const received = receiveAll(client);
      client.write('send\n');
      await firstData(client);
      // A few milliseconds of reading every 100 ms for 1.5 s: three times the timeout in all, and
      // the queue shrinks between every two checks.
      await readInSips(client, 15);
      expect(failure).to.equal(null);
      client.resume();
      const { data, error } = await within(received, 8000, 'the body did not arrive');
      expect(error).to.equal(null);
      expect(data.equals(body)).to.equal(true);
      expect(failure).to.equal(null);
    });
  });

  describe('wbufsize', () => {
    const writeSlowly = async (handler: ScriptedHandler): Promise<void> => {
      for (const letter of 'abcdefghij') {
        await handler.wfile.write(letter);
        await sleep(10);
      }
    };

    it('> 0 collects several writes and sends them together (one read at the client)', async () => {
      script = writeSlowly;
      const server = await startServer(BufferedScriptedHandler);
      const client = await connect(server.serverAddress);
      const { data, reads } = await within(receiveAll(client), 3000, 'no reply');
      expect(data.toString()).to.equal('abcdefghij');
      expect(reads).to.equal(1);
    });

    it('0 (the default) sends each write at once (several reads at the client)', async () => {
      script = writeSlowly;
      const server = await startServer(ScriptedHandler);
      const client = await connect(server.serverAddress);
      const { data, reads } = await within(receiveAll(client), 3000, 'no reply');
      expect(data.toString()).to.equal('abcdefghij');
      expect(reads).to.be.above(1);
    });

    it('flush() sends what is buffered before the handler goes on', async () => {
      script = async ({ rfile, wfile }) => {
        await wfile.write('ping\n');
        await wfile.flush();
        const answer = await rfile.readline(); // the client answers only once it has the ping
        await wfile.write(`got ${answer.toString()}`);
      };
      const server = await startServer(BufferedScriptedHandler);
      const client = await connect(server.serverAddress);
      const received = receiveAll(client);
      expect((await within(firstData(client), 3000, 'flush() did not send')).toString()).to.equal('ping\n');
      client.write('pong\n');
      expect((await within(received, 3000, 'no reply')).data.toString()).to.equal('ping\ngot pong\n');
    });

    it('a write that fills the buffer is sent without flush()', async () => {
      class SmallBufferHandler extends ScriptedHandler {
        override wbufsize = 8;
      }
      script = async ({ rfile, wfile }) => {
        await wfile.write('0123');
        await wfile.write('456789\n'); // 11 bytes >= 8: both go out now
        await wfile.write(`got ${(await rfile.readline()).toString()}`);
      };
      const server = await startServer(SmallBufferHandler);
      const client = await connect(server.serverAddress);
      const received = receiveAll(client);
      expect((await within(firstData(client), 3000, 'the full buffer was not sent')).toString()).to.equal(
        '0123456789\n',
      );
      client.write('ack\n');
      expect((await within(received, 3000, 'no reply')).data.toString()).to.equal('0123456789\ngot ack\n');
    });
  });

  it('1,000 clients that disconnect mid-response leave the server serving, with no unhandled rejection', async function () {
    this.timeout(30000);
    const chunk = Buffer.alloc(64 * 1024, 0x2e);
    const reportedCodes = new Set<string>();
    let reported = 0;
    class CountingServer extends ThreadingTCPServer {
      // Clients come 50 at a time; the default backlog of 5 would drop most of each burst's SYNs.
      override requestQueueSize = 128;
      protected override handleError(_request: Connection, _clientAddress: ClientAddress, error: unknown): void {
        reported += 1;
        reportedCodes.add(String((error as { code?: unknown }).code));
      }
    }
    // 'awaited': each write awaited; 'dropped': writes never awaited; 'echo': a normal client.
    script = async ({ rfile, wfile }) => {
      const mode = (await rfile.readline()).toString();
      if (mode === 'echo\n') {
        await wfile.write(mode);
        return;
      }
      // Up to 64 MiB, more than any socket buffers hold: the writes must meet the client's reset.
      for (let index = 0; index < 1024; index += 1) {
        if (mode === 'awaited\n') await wfile.write(chunk);
        else void wfile.write(chunk);
      }
    };
    const server = teardown.server(new CountingServer(['127.0.0.1', 0], ScriptedHandler));
    await server.ready();
    const loop = server.serveForever();

    const rudeClient = async (index: number): Promise<void> => {
      const client = await connect(server.serverAddress);
      const closed = receiveAll(client);
      client.write(index % 2 === 0 ? 'awaited\n' : 'dropped\n');
      await firstData(client);
      client.destroy();
      await closed;
    };
    const unhandled = await collectUnhandledRejections(async () => {
      for (let batch = 0; batch < 20; batch += 1) {
        await Promise.all(Array.from({ length: 50 }, (_unused, index) => rudeClient(batch * 50 + index)));
      }
      expect((await exchange(server.serverAddress, 'echo\n')).toString()).to.equal('echo\n');
      await server.shutdown();
      await loop;
      await server.serverClose(); // waits for every handler (blockOnClose)
    });
    expect(unhandled).to.deep.equal([]);
    // Each handler whose awaited write failed reported it through handleError; the others stay quiet.
    expect(reported).to.equal(500);
    for (const code of reportedCodes) expect(['EPIPE', 'ECONNRESET', 'SOCKSERVE_ERR_SOCKET_CLOSED']).to.include(code);
  });

  describe('a client that half-closes after its request (nc -N) still gets the reply', () => {
    it('StreamRequestHandler reading to EOF', async () => {
      script = async ({ rfile, wfile }) => {
        const request = await rfile.read();
        await wfile.write(`read ${request.length} bytes: ${request.toString()}`);
      };
      const server = await startServer(ScriptedHandler);
      const reply = await exchange(server.serverAddress, 'hello\n', { halfClose: true });
      expect(reply.toString()).to.equal('read 6 bytes: hello\n');
    });

    it('BaseRequestHandler calling recv until it returns empty', async () => {
      class RecvUntilEofHandler extends BaseRequestHandler<Connection> {
        protected override async handle(): Promise<void> {
          const parts: Buffer[] = [];
          for (let part = await this.request.recv(4); part.length > 0; part = await this.request.recv(4))
            parts.push(part);
          await this.request.sendall(Buffer.concat(parts).toString().toUpperCase());
        }
      }
      const server = teardown.server(new TCPServer(['127.0.0.1', 0], RecvUntilEofHandler));
      await server.ready();
      void teardown.serve(server);
      const reply = await exchange(server.serverAddress, 'half closed', { halfClose: true });
      expect(reply.toString()).to.equal('HALF CLOSED');
    });
  });
});
