import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BaseRequestHandler,
  DatagramRequestHandler,
  StreamRequestHandler,
  TCPServer,
  ThreadingUnixStreamServer,
  UDPServer,
  UnixStreamServer,
  type Connection,
  type DatagramRequest,
} from '../../lib/index';
import { exchange, udpExchange } from '../support/clients';
import { Teardown } from '../support/teardown';
import { gate, within } from '../support/wait';

/** Python's docs example: recv() once, send it back upper-cased. */
class UpperRecvHandler extends BaseRequestHandler<Connection> {
  protected override async handle(): Promise<void> {
    const data = await this.request.recv(1024);
    await this.request.sendall(data.toString('utf8').toUpperCase());
  }
}

/** The StreamRequestHandler variant: one line in, the same line out upper-cased. */
class UpperLineHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    await this.wfile.write(line.toString('utf8').toUpperCase());
  }
}

/** UDP with the raw request: `[data, socket]`, answered with sendto(). */
class UpperDatagramHandler extends BaseRequestHandler<DatagramRequest> {
  protected override async handle(): Promise<void> {
    const [data, socket] = this.request;
    await socket.sendto(data.toString('utf8').toUpperCase(), this.clientAddress);
  }
}

/** UDP through rfile/wfile: the reply is sent by finish(). */
class UpperDatagramFileHandler extends DatagramRequestHandler {
  protected override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    await this.wfile.write(line.toString('utf8').toUpperCase());
  }
}

/** Answers only once `expected` clients are inside handle() at the same moment. */
class RendezvousHandler extends StreamRequestHandler {
  static expected = 4;
  static arrived = 0;
  static all = gate();

  protected override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    RendezvousHandler.arrived += 1;
    if (RendezvousHandler.arrived === RendezvousHandler.expected) RendezvousHandler.all.open();
    await RendezvousHandler.all.promise;
    await this.wfile.write(line.toString('utf8').toUpperCase());
  }
}

function tempSocketPath(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-')), 'echo.sock');
}

describe('socketserver echo', () => {
  const teardown = new Teardown();
  const socketPaths: string[] = [];
  afterEach(async () => {
    await teardown.run();
    for (const socketPath of socketPaths.splice(0)) fs.rmSync(path.dirname(socketPath), { recursive: true });
  });

  describe('over TCP', () => {
    it('echoes with BaseRequestHandler using request.recv and request.sendall', async () => {
      const server = teardown.server(new TCPServer(['127.0.0.1', 0], UpperRecvHandler));
      await server.ready();
      void teardown.serve(server);
      expect((await exchange(server.serverAddress, 'hello tcp')).toString()).to.equal('HELLO TCP');
    });

    it('echoes with StreamRequestHandler using rfile and wfile', async () => {
      const server = teardown.server(new TCPServer(['127.0.0.1', 0], UpperLineHandler));
      await server.ready();
      void teardown.serve(server);
      expect((await exchange(server.serverAddress, 'line one\nline two\n')).toString()).to.equal('LINE ONE\n');
    });
  });

  describe('over UDP', () => {
    it('echoes with BaseRequestHandler using request[1].sendto', async () => {
      const server = teardown.server(new UDPServer(['127.0.0.1', 0], UpperDatagramHandler));
      await server.ready();
      void teardown.serve(server);
      expect((await udpExchange(server.serverAddress, 'hello udp')).toString()).to.equal('HELLO UDP');
    });

    it('echoes with DatagramRequestHandler, the reply sent after finish', async () => {
      const server = teardown.server(new UDPServer(['127.0.0.1', 0], UpperDatagramFileHandler));
      await server.ready();
      void teardown.serve(server);
      expect((await udpExchange(server.serverAddress, 'one\ntwo\n')).toString()).to.equal('ONE\n');
    });
  });

  describe('over a Unix stream socket', () => {
    it('echoes on a temp path, and the path can be bound again after serverClose', async () => {
      const socketPath = tempSocketPath();
      socketPaths.push(socketPath);
      const first = teardown.server(new UnixStreamServer(socketPath, UpperLineHandler));
      await first.ready();
      expect(first.serverAddress).to.equal(socketPath);
      const loop = first.serveForever();
      expect((await exchange(socketPath, 'first\n')).toString()).to.equal('FIRST\n');
      await first.shutdown();
      await loop;
      await first.serverClose();

      const second = teardown.server(new UnixStreamServer(socketPath, UpperRecvHandler));
      await second.ready();
      void teardown.serve(second);
      expect((await exchange(socketPath, 'second')).toString()).to.equal('SECOND');
    });

    it('serves clients concurrently with ThreadingUnixStreamServer', async () => {
      const socketPath = tempSocketPath();
      socketPaths.push(socketPath);
      const server = teardown.server(new ThreadingUnixStreamServer(socketPath, RendezvousHandler));
      await server.ready();
      void teardown.serve(server);
      // Each handler waits until all four are in handle() at once: a sequential server never answers.
      const words = ['alpha', 'beta', 'gamma', 'delta'];
      const replies = await within(
        Promise.all(words.map((word) => exchange(socketPath, `${word}\n`))),
        3000,
        'four handlers never ran at the same time',
      );
      expect(replies.map((reply) => reply.toString())).to.deep.equal(words.map((word) => `${word.toUpperCase()}\n`));
    });
  });
});
