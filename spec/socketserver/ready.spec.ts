import { expect } from 'chai';
import * as net from 'node:net';
import {
  BaseRequestHandler,
  ErrorCodes,
  StreamRequestHandler,
  TCPServer,
  UDPServer,
  UnixStreamServer,
  type AddressFamily,
  type InetAddress,
} from '../../lib/index';
import { exchange } from '../support/clients';
import { openFdCount } from '../support/process-probes';
import { rejectionOf } from '../support/rejection';
import { Teardown } from '../support/teardown';
import { within } from '../support/wait';

class EchoLineHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    await this.wfile.write(await this.rfile.readline());
  }
}

const NoopHandler = BaseRequestHandler;

/** True if this machine can listen on ::1. */
async function hasIpv6Loopback(): Promise<boolean> {
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, '::1', resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    if (probe.listening) probe.close();
  }
}

describe('socketserver ready() and binding', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('puts the real port in serverAddress after binding port 0', async () => {
    const server = teardown.server(new TCPServer(['127.0.0.1', 0], EchoLineHandler));
    await server.ready();
    const [host, port] = server.serverAddress as InetAddress;
    expect(host).to.equal('127.0.0.1');
    expect(port).to.be.within(1, 65535);
    void teardown.serve(server);
    expect((await exchange(['127.0.0.1', port], 'ping\n')).toString()).to.equal('ping\n');
  });

  it("binds 'localhost' to 127.0.0.1 with AF_INET", async () => {
    const server = teardown.server(new TCPServer(['localhost', 0], EchoLineHandler));
    await server.ready();
    expect((server.serverAddress as InetAddress)[0]).to.equal('127.0.0.1');
  });

  it("binds '::1' with AF_INET6 and serves on it", async function () {
    if (!(await hasIpv6Loopback())) this.skip(); // this machine has no IPv6 loopback to bind
    class TCP6Server extends TCPServer {
      override addressFamily: AddressFamily = 'AF_INET6';
    }
    const server = teardown.server(new TCP6Server(['::1', 0], EchoLineHandler));
    await server.ready();
    const [host, port] = server.serverAddress as InetAddress;
    expect(host).to.equal('::1');
    void teardown.serve(server);
    expect((await exchange(['::1', port], 'six\n')).toString()).to.equal('six\n');
  });

  it('rejects ready() with EADDRINUSE when the port is taken, and serveForever with the same error', async () => {
    const holder = teardown.server(new TCPServer(['127.0.0.1', 0], NoopHandler));
    await holder.ready();
    const taken = teardown.server(new TCPServer(holder.serverAddress, NoopHandler));
    const error = await rejectionOf(taken.ready());
    expect(error).to.have.property('code', 'EADDRINUSE');
    expect(await rejectionOf(taken.serveForever())).to.equal(error);
  });

  it('rejects ready() with EADDRINUSE for a UDP port that is taken', async () => {
    const holder = teardown.server(new UDPServer(['127.0.0.1', 0], NoopHandler));
    await holder.ready();
    const taken = teardown.server(new UDPServer(holder.serverAddress, NoopHandler));
    expect(await rejectionOf(taken.ready())).to.have.property('code', 'EADDRINUSE');
  });

  describe('invalid addresses reject ready() with SOCKSERVE_ERR_INVALID_ADDRESS', () => {
    class TCP6Server extends TCPServer {
      override addressFamily: AddressFamily = 'AF_INET6';
    }
    const cases: [string, () => TCPServer | UDPServer][] = [
      ['a port above 65535', () => new TCPServer(['127.0.0.1', 70000], NoopHandler)],
      ['a negative port', () => new UDPServer(['127.0.0.1', -1], NoopHandler)],
      ['a path given to an AF_INET server', () => new TCPServer('/tmp/not-inet.sock', NoopHandler)],
      ['an IPv6 literal given to an AF_INET server', () => new TCPServer(['::1', 0], NoopHandler)],
      ['an IPv4 literal given to an AF_INET6 server', () => new TCP6Server(['127.0.0.1', 0], NoopHandler)],
      ['an empty Unix socket path', () => new UnixStreamServer('', NoopHandler)],
    ];
    for (const [name, make] of cases) {
      it(name, async () => {
        const server = teardown.server(make());
        const error = await rejectionOf(server.ready());
        expect(error).to.be.instanceOf(TypeError);
        expect(error).to.have.property('code', ErrorCodes.INVALID_ADDRESS);
      });
    }
  });

  it('leaks no file descriptors over 1,000 failed binds', async () => {
    const holder = teardown.server(new TCPServer(['127.0.0.1', 0], NoopHandler));
    await holder.ready();
    const failBind = async (): Promise<void> => {
      const error = await rejectionOf(new TCPServer(holder.serverAddress, NoopHandler).ready());
      expect(error).to.have.property('code', 'EADDRINUSE');
    };
    await failBind(); // the first bind may open descriptors Node keeps for good (its event loop's)
    const before = openFdCount();
    for (let attempt = 0; attempt < 1000; attempt += 1) await failBind();
    expect(openFdCount()).to.equal(before);
  });

  describe('fields set as subclass class fields are honoured (binding starts after construction)', () => {
    it('requestQueueSize is the listen backlog', async () => {
      class SmallQueueServer extends TCPServer {
        override requestQueueSize = 2;
      }
      const server = teardown.server(new SmallQueueServer(['127.0.0.1', 0], NoopHandler));
      // Binding has not started yet, so a spy put on listen() now sees the options it is given.
      const listenOptions: net.ListenOptions[] = [];
      const listen = server.socket.listen.bind(server.socket);
      server.socket.listen = ((options: net.ListenOptions) => {
        listenOptions.push(options);
        return listen(options);
      }) as typeof server.socket.listen;
      await server.ready();
      expect(listenOptions).to.have.lengthOf(1);
      expect(listenOptions[0]).to.include({ backlog: 2, host: '127.0.0.1', port: 0 });
    });

    it('timeout makes handleRequest() call handleTimeout()', async () => {
      let timeouts = 0;
      class QuickTimeoutServer extends TCPServer {
        override timeout = 0.05;
        protected override handleTimeout(): void {
          timeouts += 1;
        }
      }
      const server = teardown.server(new QuickTimeoutServer(['127.0.0.1', 0], NoopHandler));
      await within(server.handleRequest(), 2000, 'handleRequest() ignored the timeout field');
      expect(timeouts).to.equal(1);
    });

    it('addressFamily chooses the family host names and literals are bound in', async function () {
      if (!(await hasIpv6Loopback())) this.skip(); // this machine has no IPv6 loopback to bind
      class TCP6Server extends TCPServer {
        override addressFamily: AddressFamily = 'AF_INET6';
      }
      const server = teardown.server(new TCP6Server(['::1', 0], NoopHandler));
      await server.ready();
      expect((server.serverAddress as InetAddress)[0]).to.equal('::1');
      expect(server.socket.address()).to.include({ family: 'IPv6' });
    });
  });
});
