import { expect } from 'chai';
import {
  BaseRequestHandler,
  Connection,
  StreamRequestHandler,
  TCPServer,
  ThreadingMixIn,
  ThreadingTCPServer,
  UDPServer,
  type ClientAddress,
  type DatagramRequest,
  type InetAddress,
} from '../../lib/index';
import { connect, exchange, receiveAll, udpClient, udpExchange } from '../support/clients';
import { captureStderr } from '../support/process-probes';
import { Teardown } from '../support/teardown';
import { waitFor, within } from '../support/wait';

/** How many times finish() ran. */
let finishes = 0;

/** Throws on the line 'boom', echoes any other line; counts finish(). */
class BoomHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    if (line.toString() === 'boom\n') throw new Error('boom');
    await this.wfile.write(line);
  }

  protected override async finish(): Promise<void> {
    finishes += 1;
    await super.finish();
  }
}

type Reported = [request: unknown, clientAddress: ClientAddress, error: unknown];

/** A TCPServer whose handleError() records its arguments instead of printing them. */
class RecordingTCPServer extends TCPServer {
  reported: Reported[] = [];
  protected override handleError(request: Connection, clientAddress: ClientAddress, error: unknown): void {
    this.reported.push([request, clientAddress, error]);
  }
}

/** The same, handling each connection concurrently. */
class RecordingThreadingTCPServer extends ThreadingMixIn(RecordingTCPServer) {}

/** Connect, send `line`, and resolve with the reply and the client's own [address, port]. */
async function sendLine(address: InetAddress | string, line: string): Promise<{ reply: string; from: InetAddress }> {
  const socket = await connect(address);
  const from: InetAddress = [socket.localAddress ?? '', socket.localPort ?? 0];
  const received = receiveAll(socket);
  socket.write(line);
  const { data } = await within(received, 3000, 'the server did not close the connection');
  return { reply: data.toString(), from };
}

describe('socketserver handleError and a throwing handler', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    finishes = 0;
  });
  afterEach(() => teardown.run());

  for (const Server of [RecordingTCPServer, RecordingThreadingTCPServer]) {
    const kind = Server === RecordingTCPServer ? 'TCPServer' : 'ThreadingMixIn(TCPServer)';
    it(`${kind}: finish() runs, handleError gets (request, clientAddress, error), the next client is served`, async () => {
      const server = teardown.server(new Server(['127.0.0.1', 0], BoomHandler));
      await server.ready();
      void teardown.serve(server);

      const failed = await sendLine(server.serverAddress, 'boom\n');
      expect(failed.reply).to.equal('');
      expect(finishes).to.equal(1);
      expect(server.reported).to.have.lengthOf(1);
      const [request, clientAddress, error] = server.reported[0]!;
      expect(request).to.be.instanceOf(Connection);
      expect(clientAddress).to.deep.equal(failed.from);
      expect(error).to.be.instanceOf(Error).with.property('message', 'boom');

      expect((await sendLine(server.serverAddress, 'next\n')).reply).to.equal('next\n');
      expect(finishes).to.equal(2);
      expect(server.reported).to.have.lengthOf(1);
    });
  }

  it("prints Python's report by default: dashes, the client's address, the stack, dashes", async () => {
    const server = teardown.server(new TCPServer(['127.0.0.1', 0], BoomHandler));
    await server.ready();
    void teardown.serve(server);
    const { result: failed, stderr } = await captureStderr(() => sendLine(server.serverAddress, 'boom\n'));
    const dashes = '-'.repeat(40);
    const lines = stderr.split('\n');
    expect(lines[0]).to.equal(dashes);
    expect(lines[1]).to.equal(`Exception occurred during processing of request from ('127.0.0.1', ${failed.from[1]})`);
    expect(lines[2]).to.equal('Error: boom');
    expect(lines[3]).to.match(/^ {4}at .*BoomHandler\.handle /);
    expect(lines.slice(-2)).to.deep.equal([dashes, '']);
    expect(lines.slice(3, -2).every((line) => line.startsWith('    at '))).to.equal(true);
    expect((await exchange(server.serverAddress, 'still serving\n')).toString()).to.equal('still serving\n');
  });

  for (const Base of [TCPServer, ThreadingTCPServer]) {
    it(`${Base.name}: a handleError() that throws still closes the connection, and serving goes on`, async () => {
      class BrokenReportServer extends Base {
        protected override handleError(): void {
          throw new Error('handleError failed');
        }
      }
      const server = teardown.server(new BrokenReportServer(['127.0.0.1', 0], BoomHandler));
      await server.ready();
      void teardown.serve(server);
      // sendLine fails unless the server closes the connection.
      const { result: failed, stderr } = await captureStderr(() => sendLine(server.serverAddress, 'boom\n'));
      expect(failed.reply).to.equal('');
      expect(stderr).to.contain('Error: handleError failed');
      expect((await exchange(server.serverAddress, 'alive\n')).toString()).to.equal('alive\n');
    });
  }

  it('UDPServer: a throwing handler is reported with the sender address and the next datagram is served', async () => {
    class DatagramBoomHandler extends BaseRequestHandler<DatagramRequest> {
      protected override async handle(): Promise<void> {
        const [packet, socket] = this.request;
        if (packet.toString() === 'boom') throw new Error('datagram boom');
        await socket.sendto(packet, this.clientAddress);
      }
    }
    const reported: ClientAddress[] = [];
    class Server extends UDPServer {
      protected override handleError(_request: DatagramRequest, clientAddress: ClientAddress): void {
        reported.push(clientAddress);
      }
    }
    const server = teardown.server(new Server(['127.0.0.1', 0], DatagramBoomHandler));
    await server.ready();
    void teardown.serve(server);
    const [host, port] = server.serverAddress as InetAddress;
    const sender = udpClient(host);
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    sender.send('boom', port, host);
    await waitFor(() => reported.length > 0, 'handleError was not called');
    expect(reported).to.deep.equal([['127.0.0.1', sender.address().port]]);
    expect((await udpExchange(server.serverAddress, 'ok')).toString()).to.equal('ok');
  });
});
