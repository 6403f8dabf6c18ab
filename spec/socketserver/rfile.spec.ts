import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import {
  ErrorCodes,
  StreamRequestHandler,
  TCPServer,
  TimeoutError,
  type ClientAddress,
  type Connection,
} from '../../lib/index';
import { connect, exchange, receiveAll } from '../support/clients';
import { Teardown } from '../support/teardown';
import { sleep, waitFor, within } from '../support/wait';

/** What the handler of the current test does; set by each test. */
let script: (handler: ScriptedHandler) => Promise<void> = async () => {};

/** Runs `script` (rfile and wfile are public, so a test can drive them). */
class ScriptedHandler extends StreamRequestHandler {
  protected override handle(): Promise<void> {
    return script(this);
  }
}

/** Collects the errors handleError() receives instead of printing them. */
class RecordingTCPServer extends TCPServer {
  reported: unknown[] = [];
  protected override handleError(_request: Connection, _clientAddress: ClientAddress, error: unknown): void {
    this.reported.push(error);
  }
}

/** Write `chunks` one by one, each only after the one before has gone out, so each is its own segment. */
async function writeEachSeparately(socket: net.Socket, chunks: Buffer[]): Promise<void> {
  socket.setNoDelay(true);
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => socket.write(chunk, (error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function strings(buffers: Buffer[]): string[] {
  return buffers.map((buffer) => buffer.toString('latin1'));
}

describe('socketserver rfile (StreamRequestHandler)', () => {
  const teardown = new Teardown();
  let server: RecordingTCPServer;
  beforeEach(async () => {
    server = teardown.server(new RecordingTCPServer(['127.0.0.1', 0], ScriptedHandler));
    await server.ready();
    void teardown.serve(server);
  });
  afterEach(() => teardown.run());

  it('readline() returns one line with its newline, readline(limit) at most limit bytes, an empty Buffer at EOF', async () => {
    script = async ({ rfile, wfile }) => {
      const lines = [
        await rfile.readline(0),
        await rfile.readline(3),
        await rfile.readline(),
        await rfile.readline(2),
        await rfile.readline(-1),
        await rfile.readline(100),
        await rfile.readline(),
      ];
      await wfile.write(JSON.stringify(strings(lines)));
    };
    const reply = await exchange(server.serverAddress, 'abcdef\nxyz\nlast', { halfClose: true });
    expect(JSON.parse(reply.toString())).to.deep.equal(['', 'abc', 'def\n', 'xy', 'z\n', 'last', '']);
  });

  it('read(n) gathers exactly n bytes from many small TCP segments, and fewer only at EOF', async () => {
    const sent = randomBytes(300);
    script = async ({ rfile, wfile }) => {
      const parts = [await rfile.read(7), await rfile.read(200), await rfile.read(93)];
      const atEof = await rfile.read(10);
      await wfile.write(JSON.stringify({ lengths: parts.map((part) => part.length), atEof: atEof.length }));
      await wfile.write(Buffer.concat(parts));
    };
    const client = await connect(server.serverAddress);
    const reply = receiveAll(client);
    const segments = Array.from({ length: 100 }, (_unused, index) => sent.subarray(index * 3, index * 3 + 3));
    await writeEachSeparately(client, segments);
    client.end();
    const { data } = await within(reply, 5000, 'no reply');
    const header = '{"lengths":[7,200,93],"atEof":0}';
    expect(data.subarray(0, header.length).toString()).to.equal(header);
    expect(data.subarray(header.length).equals(sent)).to.equal(true);
  });

  it('read() with no size returns everything until EOF, beyond the read-ahead limit', async () => {
    const sent = randomBytes(300 * 1024);
    script = async ({ rfile, wfile }) => {
      const everything = await rfile.read();
      await wfile.write(`${everything.length} ${createHash('sha256').update(everything).digest('hex')}`);
    };
    const reply = await exchange(server.serverAddress, sent, { halfClose: true });
    expect(reply.toString()).to.equal(`${sent.length} ${createHash('sha256').update(sent).digest('hex')}`);
  });

  it('read1(n) returns what has arrived (at most n bytes) without waiting for more, and empty at EOF', async () => {
    script = async ({ rfile, wfile }) => {
      // The client sends 'hello' and nothing more until it sees the answer: read1 must not wait for 100 bytes.
      const hello = await rfile.read1(100);
      await wfile.write(`got ${hello.toString()}\n`);
      const rest: Buffer[] = [];
      for (let chunk = await rfile.read1(4); chunk.length > 0; chunk = await rfile.read1(4)) rest.push(chunk);
      await wfile.write(JSON.stringify(strings(rest)));
    };
    const client = await connect(server.serverAddress);
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = receiveAll(client);
    client.write('hello');
    await waitFor(() => Buffer.concat(received).toString() === 'got hello\n', 'read1(100) waited for more bytes');
    client.end(' world, and more');
    await within(closed, 3000, 'no close');
    const rest = JSON.parse(Buffer.concat(received).toString().slice('got hello\n'.length)) as string[];
    expect(rest.join('')).to.equal(' world, and more');
    expect(rest.every((chunk) => chunk.length >= 1 && chunk.length <= 4)).to.equal(true);
  });

  it('for await (const line of rfile) yields each line until EOF, the last one without its newline', async () => {
    script = async ({ rfile, wfile }) => {
      const lines: Buffer[] = [];
      for await (const line of rfile) lines.push(line);
      await wfile.write(JSON.stringify(strings(lines)));
    };
    const reply = await exchange(server.serverAddress, 'one\ntwo\n\nthree', { halfClose: true });
    expect(JSON.parse(reply.toString())).to.deep.equal(['one\n', 'two\n', '\n', 'three']);
  });

  describe('timeout', () => {
    it('a read that waits past the handler timeout rejects with TimeoutError, reported through handleError', async () => {
      class ImpatientHandler extends ScriptedHandler {
        override timeout = 0.2;
      }
      server.RequestHandlerClass = ImpatientHandler;
      let reached = false;
      script = async ({ rfile }) => {
        await rfile.readline();
        reached = true;
      };
      const client = await connect(server.serverAddress); // and says nothing
      const { data } = await within(receiveAll(client), 3000, 'the server did not give up on the silent client');
      expect(data).to.have.lengthOf(0);
      expect(reached).to.equal(false);
      expect(server.reported).to.have.lengthOf(1);
      expect(server.reported[0]).to.be.instanceOf(TimeoutError);
      expect(server.reported[0]).to.have.property('code', ErrorCodes.TIMEOUT);
    });

    it('applies to each read, so a client that keeps sending within it is served', async () => {
      class ImpatientHandler extends ScriptedHandler {
        override timeout = 0.2;
      }
      server.RequestHandlerClass = ImpatientHandler;
      script = async ({ rfile, wfile }) => {
        let count = 0;
        for await (const line of rfile) count += line.length > 0 ? 1 : 0;
        await wfile.write(`${count} lines`);
      };
      const client = await connect(server.serverAddress);
      const reply = receiveAll(client);
      for (const line of ['a\n', 'b\n', 'c\n', 'd\n', 'e\n']) {
        client.write(line);
        await sleep(60); // each wait is well under 0.2 s, the total is over it
      }
      client.end();
      expect((await within(reply, 3000, 'no reply')).data.toString()).to.equal('5 lines');
      expect(server.reported).to.deep.equal([]);
    });

    it("counts from each read's own start, not from an earlier read that was answered", async () => {
      class ImpatientHandler extends ScriptedHandler {
        override timeout = 0.3;
      }
      server.RequestHandlerClass = ImpatientHandler;
      let secondReadStarted = 0;
      script = async ({ rfile }) => {
        await rfile.readline(); // answered 0.2 s into its 0.3 s
        secondReadStarted = performance.now();
        await rfile.readline(); // never answered
      };
      const client = await connect(server.serverAddress);
      const closed = receiveAll(client);
      await sleep(200);
      client.write('first\n');
      await within(closed, 3000, 'the second read never timed out');
      const waited = performance.now() - secondReadStarted;
      expect(server.reported[0]).to.be.instanceOf(TimeoutError);
      expect(waited).to.be.at.least(280); // the first read's deadline (0.1 s after the second began) did not end it
    });

    it('a shorter timeout set after a longer wait applies at once', async () => {
      script = async (handler) => {
        handler.request.settimeout(30);
        await handler.rfile.readline();
        handler.request.settimeout(0.2);
        await handler.rfile.readline(); // never answered: must end in 0.2 s, not 30
      };
      const client = await connect(server.serverAddress);
      const closed = receiveAll(client);
      client.write('first\n');
      await within(closed, 3000, 'the shorter timeout was not applied');
      expect(server.reported[0]).to.be.instanceOf(TimeoutError);
    });
  });
});
