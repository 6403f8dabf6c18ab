import { expect } from 'chai';
import {
  BaseRequestHandler,
  DatagramRequestHandler,
  ThreadingUDPServer,
  UDPServer,
  type DatagramRequest,
} from '../../lib/index';
import { udpExchange } from '../support/clients';
import { Teardown } from '../support/teardown';

/** Answers with the length of the packet it got, then the packet itself. */
class LengthEchoHandler extends BaseRequestHandler<DatagramRequest> {
  protected override async handle(): Promise<void> {
    const [packet, socket] = this.request;
    await socket.sendto(Buffer.concat([Buffer.from(`${packet.length}:`), packet]), this.clientAddress);
  }
}

/** Writes nothing: finish() still answers, with an empty datagram. */
class SilentDatagramHandler extends DatagramRequestHandler {}

describe('socketserver UDP specifics', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('cuts a datagram longer than maxPacketSize to that many bytes, as recvfrom() does', async () => {
    class SmallPacketServer extends UDPServer {
      override maxPacketSize = 16;
    }
    const server = teardown.server(new SmallPacketServer(['127.0.0.1', 0], LengthEchoHandler));
    await server.ready();
    void teardown.serve(server);
    const long = 'abcdefghijklmnopqrstuvwxyz';
    expect((await udpExchange(server.serverAddress, long)).toString()).to.equal(`16:${long.slice(0, 16)}`);
    expect((await udpExchange(server.serverAddress, 'short')).toString()).to.equal('5:short');
  });

  it('keeps datagrams up to the default maxPacketSize of 8192 bytes whole', async () => {
    const server = teardown.server(new UDPServer(['127.0.0.1', 0], LengthEchoHandler));
    await server.ready();
    void teardown.serve(server);
    const reply = await udpExchange(server.serverAddress, Buffer.alloc(9000, 0x78));
    expect(reply.subarray(0, 5).toString()).to.equal('8192:');
    expect(reply.length).to.equal(5 + 8192);
  });

  it('DatagramRequestHandler sends an empty datagram when the handler wrote nothing (as Python does)', async () => {
    const server = teardown.server(new UDPServer(['127.0.0.1', 0], SilentDatagramHandler));
    await server.ready();
    void teardown.serve(server);
    const reply = await udpExchange(server.serverAddress, 'anything');
    expect(reply).to.have.lengthOf(0);
  });

  it('ThreadingUDPServer answers each datagram', async () => {
    const server = teardown.server(new ThreadingUDPServer(['127.0.0.1', 0], LengthEchoHandler));
    await server.ready();
    void teardown.serve(server);
    const replies = await Promise.all(['a', 'bb', 'ccc'].map((text) => udpExchange(server.serverAddress, text)));
    expect(replies.map(String)).to.deep.equal(['1:a', '2:bb', '3:ccc']);
  });
});
