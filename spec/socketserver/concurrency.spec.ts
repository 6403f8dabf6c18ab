import { expect } from 'chai';
import {
  StreamRequestHandler,
  TCPServer,
  ThreadingTCPServer,
  type ClientAddress,
  type Connection,
} from '../../lib/index';
import { connect, exchange, receiveAll } from '../support/clients';
import { liveObjectCount } from '../support/process-probes';
import { Teardown } from '../support/teardown';
import { gate, sleep, waitFor, within } from '../support/wait';

/** What the handlers below did, in order. */
let events: string[] = [];
/** Holds the handler of the client that sends 'first' until opened. */
let firstClientGate = gate();

/** Reads a line, logs it, waits for the gate if the line is 'first', answers '<line> done'. */
class GatedHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    const line = (await this.rfile.readline()).toString().trim();
    events.push(`read ${line}`);
    if (line === 'first') await firstClientGate.promise;
    await this.wfile.write(`${line} done\n`);
    events.push(`done ${line}`);
  }
}

/** A TCPServer that shows the connections it has taken in, served or not. */
class QueueVisibleTCPServer extends TCPServer {
  readonly takenIn: Connection[] = [];

  get queued(): number {
    return this.queuedRequests;
  }

  protected override enqueueRequest(request: Connection, clientAddress: ClientAddress): boolean {
    this.takenIn.push(request);
    return super.enqueueRequest(request, clientAddress);
  }
}

/** How far a slow handler got. */
let slowHandler = { started: false, finished: false };

/** Reads a line, then takes ~300 ms before it answers. */
class SlowHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    await this.rfile.readline();
    slowHandler.started = true;
    await sleep(300);
    await this.wfile.write('late\n');
    slowHandler.finished = true;
  }
}

class EchoLineHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    await this.wfile.write(await this.rfile.readline());
  }
}

/**
 * Takes bursts of 50 simultaneous connections. The default backlog (requestQueueSize = 5, as in
 * Python) drops the SYNs of such a burst beyond the sixth, and clients retry only after 1 s, 2 s, ….
 */
class BurstTCPServer extends ThreadingTCPServer {
  override requestQueueSize = 128;
}

describe('socketserver concurrency', () => {
  const teardown = new Teardown();
  beforeEach(() => {
    events = [];
    firstClientGate = gate();
    slowHandler = { started: false, finished: false };
  });
  afterEach(() => {
    firstClientGate.open();
    return teardown.run();
  });

  it('TCPServer serves a second client only after the first has finished, leaving its data unread', async () => {
    const server = teardown.server(new QueueVisibleTCPServer(['127.0.0.1', 0], GatedHandler));
    await server.ready();
    void teardown.serve(server);

    const first = await connect(server.serverAddress);
    const firstReply = receiveAll(first);
    first.write('first\n');
    await waitFor(() => events.includes('read first'), 'the first client was not served');

    const second = await connect(server.serverAddress);
    const secondReply = receiveAll(second);
    second.write('second\n');
    await waitFor(() => server.queued === 1, 'the second connection was not taken in');
    await sleep(100); // room for a wrong server to read the second client meanwhile
    expect(events).to.deep.equal(['read first']);
    // Not even read from the socket: the bytes wait in the kernel, as with Python's listen queue.
    expect(server.takenIn).to.have.lengthOf(2);
    expect(server.takenIn[0]!.socket.bytesRead).to.equal('first\n'.length);
    expect(server.takenIn[1]!.socket.bytesRead).to.equal(0);

    firstClientGate.open();
    expect((await firstReply).data.toString()).to.equal('first done\n');
    expect((await secondReply).data.toString()).to.equal('second done\n');
    expect(events).to.deep.equal(['read first', 'done first', 'read second', 'done second']);
  });

  it('ThreadingTCPServer serves a second client while the first is still being handled', async () => {
    const server = teardown.server(new ThreadingTCPServer(['127.0.0.1', 0], GatedHandler));
    await server.ready();
    void teardown.serve(server);

    const first = await connect(server.serverAddress);
    const firstReply = receiveAll(first);
    first.write('first\n');
    await waitFor(() => events.includes('read first'), 'the first client was not served');

    const secondReply = await within(
      exchange(server.serverAddress, 'second\n'),
      3000,
      'the second client waited for the first',
    );
    expect(secondReply.toString()).to.equal('second done\n');
    expect(events).to.deep.equal(['read first', 'read second', 'done second']);

    firstClientGate.open();
    expect((await firstReply).data.toString()).to.equal('first done\n');
  });

  describe('serverClose() with handlers running: blockOnClose and daemonThreads', () => {
    const cases = [
      { daemonThreads: false, blockOnClose: true, waits: true },
      { daemonThreads: true, blockOnClose: true, waits: false },
      { daemonThreads: false, blockOnClose: false, waits: false },
    ];
    for (const { daemonThreads, blockOnClose, waits } of cases) {
      const title = `daemonThreads = ${daemonThreads}, blockOnClose = ${blockOnClose}: serverClose() ${
        waits ? 'waits for the running handler' : 'returns while the handler still runs'
      }`;
      it(title, async () => {
        class Server extends ThreadingTCPServer {
          override daemonThreads = daemonThreads;
          override blockOnClose = blockOnClose;
        }
        const server = teardown.server(new Server(['127.0.0.1', 0], SlowHandler));
        await server.ready();
        void teardown.serve(server);
        const client = await connect(server.serverAddress);
        const reply = receiveAll(client);
        client.write('go\n');
        await waitFor(() => slowHandler.started, 'the handler did not start');

        await server.shutdown();
        await server.serverClose();
        expect(slowHandler.finished).to.equal(waits);
        // Either way the handler runs to its end and its client gets the answer.
        expect((await within(reply, 3000, 'the handler never answered')).data.toString()).to.equal('late\n');
        expect(slowHandler.finished).to.equal(true);
      });
    }
  });

  it('keeps no trace of finished handlers (live Promise count does not grow with requests)', async function () {
    // Counting live objects walks the whole heap, which in a full run holds every spec's modules.
    this.timeout(60_000);
    const server = teardown.server(new BurstTCPServer(['127.0.0.1', 0], EchoLineHandler));
    await server.ready();
    void teardown.serve(server);
    const serveBatch = async (clients: number): Promise<void> => {
      const replies = await Promise.all(
        Array.from({ length: clients }, (_unused, index) => exchange(server.serverAddress, `${index}\n`)),
      );
      expect(replies.map(String)).to.deep.equal(Array.from({ length: clients }, (_unused, index) => `${index}\n`));
    };
    await serveBatch(20); // warm up: first use creates objects that live for good
    const before = await liveObjectCount('Promise.prototype');
    for (let batch = 0; batch < 4; batch += 1) await serveBatch(50);
    const after = await liveObjectCount('Promise.prototype');
    // 200 requests served; a server that kept one promise per handler would hold 200 more.
    expect(after - before).to.be.below(50);
  });
});
