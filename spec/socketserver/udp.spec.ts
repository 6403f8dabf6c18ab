import { expect } from 'chai';
import {
  BaseRequestHandler,
  DatagramRequestHandler,
  ThreadingUDPServer,
  UDPServer,
  type DatagramRequest,
} from '../../lib/index';
import { udpClient, udpExchange } from '../support/clients';
import { sleep, waitFor } from '../support/wait';
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

  it('drops datagrams beyond maxQueuedPackets while the handler is busy, answers no more than it kept, and serves on', async () => {
    const handled: string[] = [];
    let release: () => void = () => undefined;
    const busy = new Promise<void>((resolve) => (release = resolve));
    class SlowHandler extends BaseRequestHandler<DatagramRequest> {
      protected override async handle(): Promise<void> {
        const [packet, socket] = this.request;
        handled.push(packet.toString());
        if (packet.toString() === 'first') await busy;
        await socket.sendto(Buffer.from('ok'), this.clientAddress);
      }
    }
    class SmallQueueServer extends UDPServer {
      override maxQueuedPackets = 5;
    }
    const server = teardown.server(new SmallQueueServer(['127.0.0.1', 0], SlowHandler));
    await server.ready();
    void teardown.serve(server);
    const [host, port] = server.serverAddress as [string, number];
    const client = udpClient(host);
    let replies = 0;
    client.on('message', () => (replies += 1));
    client.send('first', port, host);
    await waitFor(() => handled.length === 1, 'the first datagram to reach the handler');
    // A burst while the only handler waits: a 65,507-byte datagram, then 1,000 small ones.
    client.send(Buffer.alloc(65507, 0x61), port, host);
    for (let index = 0; index < 1000; index += 1) client.send(`burst ${index}`, port, host);
    await sleep(300);
    release();
    await waitFor(() => handled.length === 6, 'the kept datagrams to be handled');
    await sleep(200);
    expect(handled, 'the first, then the five the queue kept').to.have.lengthOf(6);
    expect(handled[1], 'the large one, cut to maxPacketSize').to.equal('a'.repeat(8192));
    expect(replies, 'one short reply per handled datagram, none for the dropped').to.equal(6);
    expect((await udpExchange(server.serverAddress, 'after')).toString()).to.equal('ok');
  });

  it('ThreadingUDPServer answers each datagram', async () => {
    const server = teardown.server(new ThreadingUDPServer(['127.0.0.1', 0], LengthEchoHandler));
    await server.ready();
    void teardown.serve(server);
    const replies = await Promise.all(['a', 'bb', 'ccc'].map((text) => udpExchange(server.serverAddress, text)));
    expect(replies.map(String)).to.deep.equal(['1:a', '2:bb', '3:ccc']);
  });
});
