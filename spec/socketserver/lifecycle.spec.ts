import { expect } from 'chai';
import {
  BaseRequestHandler,
  ErrorCodes,
  ServerStateError,
  StreamRequestHandler,
  TCPServer,
  type ClientAddress,
  type Connection,
  type InetAddress,
} from '../../lib/index';
import { connect, exchange, receiveAll } from '../support/clients';
import { rejectionOf } from '../support/rejection';
import { Teardown } from '../support/teardown';
import { settledNow, waitFor, within } from '../support/wait';

/** Counts the requests it handles and echoes one line. */
class CountingEchoHandler extends StreamRequestHandler {
  static handled = 0;

  protected override async handle(): Promise<void> {
    CountingEchoHandler.handled += 1;
    await this.wfile.write(await this.rfile.readline());
  }
}

/** A TCPServer that counts handleTimeout() and serviceActions() calls and shows its queue. */
class ObservedServer extends TCPServer {
  timeouts = 0;
  serviceActionCalls = 0;

  get queued(): number {
    return this.queuedRequests;
  }

  protected override handleTimeout(): void {
    this.timeouts += 1;
  }

  protected override serviceActions(): void {
    this.serviceActionCalls += 1;
  }
}

describe('socketserver lifecycle', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());
  beforeEach(() => {
    CountingEchoHandler.handled = 0;
  });

  describe('handleRequest()', () => {
    it('calls handleTimeout() exactly once when no request comes within timeout, then returns', async () => {
      const server = teardown.server(new ObservedServer(['127.0.0.1', 0], CountingEchoHandler));
      server.timeout = 0.05;
      await within(server.handleRequest(), 2000, 'handleRequest() did not return after its timeout');
      expect(server.timeouts).to.equal(1);
      expect(CountingEchoHandler.handled).to.equal(0);
    });

    it('serves exactly one request when clients are waiting', async () => {
      const server = teardown.server(new ObservedServer(['127.0.0.1', 0], CountingEchoHandler));
      server.timeout = 2;
      await server.ready();
      const first = await connect(server.serverAddress);
      const second = await connect(server.serverAddress);
      const firstReply = receiveAll(first);
      const secondReply = receiveAll(second);
      first.write('one\n');
      second.write('two\n');
      await waitFor(() => server.queued === 2, 'the server did not take in both connections');

      await server.handleRequest();
      expect(CountingEchoHandler.handled).to.equal(1);
      expect(server.queued).to.equal(1);
      expect((await firstReply).data.toString()).to.equal('one\n');

      await server.handleRequest();
      expect(CountingEchoHandler.handled).to.equal(2);
      expect((await secondReply).data.toString()).to.equal('two\n');
      expect(server.timeouts).to.equal(0);
    });
  });

  describe('serveForever() and shutdown()', () => {
    it('shutdown() resolves well within a 5 s pollInterval, once serveForever has returned', async () => {
      const server = teardown.server(new ObservedServer(['127.0.0.1', 0], CountingEchoHandler));
      await server.ready();
      const loop = server.serveForever(5);
      // One request proves the loop is running; it then waits again for up to 5 s.
      expect((await exchange(server.serverAddress, 'up\n')).toString()).to.equal('up\n');
      await within(server.shutdown(), 1000, 'shutdown() waited for the poll interval');
      expect(await settledNow(loop)).to.equal('settled');
      await loop;
    });

    it('shutdown() called before serveForever() makes it return at once; the next call serves', async () => {
      const server = teardown.server(new ObservedServer(['127.0.0.1', 0], CountingEchoHandler));
      await server.ready();
      const stopped = server.shutdown();
      await within(server.serveForever(5), 1000, 'serveForever() ignored the earlier shutdown()');
      await stopped;
      void teardown.serve(server, 5);
      expect((await exchange(server.serverAddress, 'again\n')).toString()).to.equal('again\n');
    });

    it('calls serviceActions() while idle, every pollInterval', async () => {
      const server = teardown.server(new ObservedServer(['127.0.0.1', 0], CountingEchoHandler));
      await server.ready();
      void teardown.serve(server, 0.01);
      await waitFor(() => server.serviceActionCalls >= 3, 'serviceActions() was not called while idle');
      expect(CountingEchoHandler.handled).to.equal(0);
    });

    it('rejects serveForever() and handleRequest() after serverClose() with SOCKSERVE_ERR_SERVER_CLOSED', async () => {
      const server = teardown.server(new TCPServer(['127.0.0.1', 0], CountingEchoHandler));
      await server.ready();
      await server.serverClose();
      const loopError = await rejectionOf(server.serveForever());
      expect(loopError).to.be.instanceOf(ServerStateError);
      expect(loopError).to.have.property('code', ErrorCodes.SERVER_CLOSED);
      expect(await rejectionOf(server.handleRequest())).to.have.property('code', ErrorCodes.SERVER_CLOSED);
    });

    it('closes the server at the end of an `await using` block', async () => {
      let closedServer: TCPServer | undefined;
      {
        await using server = new TCPServer(['127.0.0.1', 0], CountingEchoHandler);
        await server.ready();
        closedServer = server;
        expect(server.socket.listening).to.equal(true);
      }
      expect(closedServer.socket.listening).to.equal(false);
      const [host, port] = closedServer.serverAddress as InetAddress;
      expect(await rejectionOf(connect([host, port]))).to.have.property('code', 'ECONNREFUSED');
      expect(await rejectionOf(closedServer.serveForever())).to.have.property('code', ErrorCodes.SERVER_CLOSED);
    });
  });

  describe('verifyRequest()', () => {
    it('returning false closes the connection without running the handler', async () => {
      let handled = 0;
      const shutDown: Connection[] = [];
      class Handler extends BaseRequestHandler<Connection> {
        protected override async handle(): Promise<void> {
          handled += 1;
          await this.request.sendall('served');
        }
      }
      class PickyServer extends TCPServer {
        refused = 0;
        protected override async verifyRequest(_request: Connection, clientAddress: ClientAddress): Promise<boolean> {
          // Refuse the first client only (an async hook: the server awaits it).
          const allow = this.refused > 0;
          if (!allow) this.refused += 1;
          return allow && typeof clientAddress !== 'string';
        }
        protected override shutdownRequest(request: Connection): void {
          shutDown.push(request);
          super.shutdownRequest(request);
        }
      }
      const server = teardown.server(new PickyServer(['127.0.0.1', 0], Handler));
      await server.ready();
      void teardown.serve(server);

      const refused = await connect(server.serverAddress);
      const refusedReply = await within(receiveAll(refused), 3000, 'the refused connection was not closed');
      expect(refusedReply.data).to.have.lengthOf(0);
      expect(handled).to.equal(0);
      expect(shutDown).to.have.lengthOf(1);

      expect((await exchange(server.serverAddress, '')).toString()).to.equal('served');
      expect(handled).to.equal(1);
    });

    it('that throws reports through handleError and still closes the connection', async () => {
      const reported: unknown[] = [];
      class Handler extends BaseRequestHandler<Connection> {
        protected override async handle(): Promise<void> {
          await this.request.sendall('served');
        }
      }
      class BrokenCheckServer extends TCPServer {
        checks = 0;
        protected override verifyRequest(): boolean {
          this.checks += 1;
          if (this.checks === 1) throw new Error('verify failed');
          return true;
        }
        protected override handleError(_request: Connection, _address: ClientAddress, error: unknown): void {
          reported.push(error);
        }
      }
      const server = teardown.server(new BrokenCheckServer(['127.0.0.1', 0], Handler));
      await server.ready();
      void teardown.serve(server);

      const first = await connect(server.serverAddress);
      const reply = await within(receiveAll(first), 3000, 'the connection was left open');
      expect(reply.data).to.have.lengthOf(0);
      expect(reported.map((error) => (error as Error).message)).to.deep.equal(['verify failed']);
      expect((await exchange(server.serverAddress, '')).toString()).to.equal('served');
    });
  });
});
