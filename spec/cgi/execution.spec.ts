/**
 * Running scripts (issue 6 §2 and §5, security cases C11, C12, C15–C18, X12): request bodies
 * stream to stdin (100 MiB without the server holding it; chunked de-chunked; a huge
 * Content-Length with a tiny body allocates nothing), output is read only as fast as the client
 * takes it, the idle timeout kills and reaps a script (504 when nothing was sent), a client that
 * leaves kills its script, stderr and the exit status reach the log, a cap with a bounded queue
 * answers 503 with Retry-After, and many runs leave no zombie and no descriptor behind.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import { limiterFor } from '../../lib/http/cgi/script-limiter';
import { scriptProcesses, isRunning, writtenPid } from '../support/cgi-tree';
import { cgiExchange, cgiGet, serveCgi, useCgiFixture, type CgiServer } from '../support/cgi-server';
import { headerOf, WireClient } from '../support/http-wire';
import { openFdCount } from '../support/process-probes';
import { Teardown } from '../support/teardown';
import { waitFor } from '../support/wait';

/**
 * How many runs the leak test makes: CGI_RUNS, or 300. Each run with Node's spawn() forks the test
 * process (a large one, with ts-node loaded), which takes milliseconds here, so 10,000 runs take minutes:
 * `CGI_RUNS=10000 npx mocha spec/cgi/execution.spec.ts` for the full count.
 */
const RUNS = Number(process.env['CGI_RUNS'] ?? 300);

/** Write `count` copies of `block` to `socket`, waiting for each to drain (the client holds one block). */
async function writeRepeated(socket: net.Socket, block: Buffer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (!socket.write(block)) await new Promise<void>((resolve) => socket.once('drain', resolve));
  }
}

/** Run `action` while sampling this process's RSS; resolve with its result and the growth over the start. */
async function rssGrowth<T>(action: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    const result = await action();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - start };
  } finally {
    clearInterval(timer);
  }
}

/** Wait until none of this process's children runs `command`. */
function noChild(command: string, ms = 4000): Promise<void> {
  return waitFor(() => !scriptProcesses().some((child) => child.command === command), `no ${command} left`, ms);
}

/** Both ways scripts start: through the fork server (the default) and with Node's spawn(). */
for (const cgiForkServer of [true, false]) {
  describe(`CGIHTTPRequestHandler: running scripts (${cgiForkServer ? 'fork server' : "Node's spawn()"})`, function () {
    this.timeout(30000);
    const teardown = new Teardown();
    const fixture = useCgiFixture(teardown, (tree) => ({
      cgiTimeout: 1,
      cgiEnvironment: { PIDDIR: tree.pids },
      cgiForkServer,
    }));

    describe('request bodies', () => {
      it('streams a 100 MiB upload to stdin without holding it in memory', async () => {
        const block = Buffer.alloc(1 << 20, 'sockserve-');
        const blocks = 100;
        const digest = createHash('sha256');
        for (let i = 0; i < blocks; i++) digest.update(block);
        const { result: response, growth } = await rssGrowth(async () => {
          const client = await WireClient.open(fixture.cgi.address);
          client.write(
            `POST /cgi-bin/count.py HTTP/1.1\r\nHost: t\r\nContent-Length: ${blocks * block.length}\r\n\r\n`,
          );
          await writeRepeated(client.socket, block, blocks);
          return client.response({}, 20000);
        });
        expect(response.body.toString()).to.equal(
          `${blocks * block.length} ${digest.digest('hex')} '${blocks * block.length}'\n`,
        );
        expect(growth).to.be.lessThan(40 * 1024 * 1024);
      });

      it('de-chunks a chunked upload; a small one gets its CONTENT_LENGTH', async () => {
        const response = await cgiExchange(
          fixture.cgi.address,
          'POST /cgi-bin/count.py HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked',
          '2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n',
        );
        const hello = createHash('sha256').update('hello').digest('hex');
        expect(response.body.toString()).to.equal(`5 ${hello} '5'\n`);
      });

      it('streams a large chunked upload with no CONTENT_LENGTH (the script reads to EOF)', async () => {
        const piece = Buffer.alloc(50000, 'c');
        const chunks = 6;
        const client = await WireClient.open(fixture.cgi.address);
        client.write('POST /cgi-bin/count.py HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (let i = 0; i < chunks; i++)
          client.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
        client.write('0\r\n\r\n');
        const digest = createHash('sha256');
        for (let i = 0; i < chunks; i++) digest.update(piece);
        const response = await client.response({}, 10000);
        expect(response.body.toString()).to.equal(`${chunks * piece.length} ${digest.digest('hex')} ''\n`);
      });

      it('relays megabytes both ways byte for byte: the body to stdin, stdout back to the client', async () => {
        const body = randomBytes(3 * 1024 * 1024 + 7);
        const client = await WireClient.open(fixture.cgi.address);
        client.write(`POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
        client.write(body);
        const response = await client.response({}, 10000);
        expect(response.status).to.equal(200);
        expect(response.body.length).to.equal(body.length);
        expect(response.body.equals(body)).to.equal(true);
      });

      it('allocates nothing for a huge Content-Length with a tiny body; the idle script is killed (408)', async () => {
        const { result: response, growth } = await rssGrowth(() =>
          cgiExchange(
            fixture.cgi.address,
            'POST /cgi-bin/count.py HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000',
            'tiny body.',
          ),
        );
        expect(response.status).to.equal(408);
        expect(growth).to.be.lessThan(20 * 1024 * 1024);
        await noChild('python3');
      });

      it('keeps a pipelined request out of the body: stdin is exactly the body, the next request answered', async () => {
        const client = await WireClient.open(fixture.cgi.address);
        client.write(
          'POST /cgi-bin/count.py HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello' +
            'GET /ok.txt HTTP/1.1\r\nHost: t\r\n\r\n',
        );
        const [post, get] = await client.responses(2, {}, 5000);
        expect(post!.body.toString()).to.match(/^5 /);
        expect(get!.body.toString()).to.equal('ok');
      });

      it('answers Expect: 100-continue before the script reads the body', async () => {
        const client = await WireClient.open(fixture.cgi.address);
        client.write('POST /cgi-bin/count.py HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
        const [interim] = await client.responses(1);
        expect(interim!.status).to.equal(100);
        client.write('abc');
        const [, final] = await client.responses(2);
        expect(final!.body.toString()).to.match(/^3 /);
      });
    });

    describe('timeouts and clients that leave', () => {
      it('kills and reaps a script that never answers, with 504', async () => {
        const response = await cgiGet(fixture.cgi.address, '/cgi-bin/sleep.sh?forever');
        expect(response.statusLine).to.equal('HTTP/1.1 504 Gateway Timeout');
        const pid = writtenPid(fixture.tree, 'sleep.forever');
        expect(pid).to.be.a('number');
        await waitFor(() => !isRunning(pid!), 'the script to be killed');
        expect(fixture.cgi.log.some((line) => line.startsWith('CGI script timed out after 1 seconds'))).to.equal(true);
        // Ended by SIGTERM: Python's exit code for a signal, minus its number.
        await waitFor(() => fixture.cgi.log.includes('CGI script exit code -15'), 'the signal in the log');
      });

      it('closes the connection when a script hangs after its head was sent', async () => {
        const client = await WireClient.open(fixture.cgi.address);
        client.write('GET /cgi-bin/hang.sh HTTP/1.1\r\nHost: t\r\n\r\n');
        const data = (await client.closed(5000)).toString('latin1');
        expect(data).to.match(/^HTTP\/1\.1 200 OK\r\n/);
        expect(data).to.include('Transfer-Encoding: chunked');
        expect(data).to.include('partial');
        expect(data.endsWith('0\r\n\r\n')).to.equal(false);
      });

      it('kills the script when its client disconnects', async () => {
        const client = await WireClient.open(fixture.cgi.address);
        client.write('GET /cgi-bin/sleep.sh?leaver HTTP/1.1\r\nHost: t\r\n\r\n');
        await waitFor(() => writtenPid(fixture.tree, 'sleep.leaver') !== null, 'the script to start');
        const pid = writtenPid(fixture.tree, 'sleep.leaver')!;
        expect(isRunning(pid)).to.equal(true);
        client.destroy();
        await waitFor(() => !isRunning(pid), 'the script to be killed', 2000);
        expect(fixture.cgi.log).to.include('client went away; CGI script killed');
      });

      it('reads a flooding script only as fast as a client that does not read, then kills it', async () => {
        const client = await WireClient.open(fixture.cgi.address);
        const { growth } = await rssGrowth(async () => {
          client.socket.pause();
          client.write('GET /cgi-bin/flood.sh HTTP/1.1\r\nHost: t\r\n\r\n');
          await waitFor(
            () => fixture.cgi.log.some((line) => line.startsWith('CGI script timed out')),
            'the idle timeout',
            5000,
          );
        });
        expect(growth).to.be.lessThan(40 * 1024 * 1024);
        await noChild('head');
        client.socket.resume();
        const received = await client.closed(5000);
        expect(received.length)
          .to.be.greaterThan(0)
          .and.lessThan(64 * 1024 * 1024);
      });
    });

    describe('logging', () => {
      it('logs stderr line by line and a non-zero exit status', async () => {
        const response = await cgiGet(fixture.cgi.address, '/cgi-bin/stderr.sh');
        expect(response.body.toString()).to.equal('bad\n');
        await waitFor(() => fixture.cgi.log.includes('CGI script exit code 3'), 'the exit status in the log');
        expect(fixture.cgi.log).to.include.members(['first problem', 'second problem']);
      });
    });

    describe('the cap on running scripts', () => {
      /** A server that runs one script at a time and lets one more request wait. */
      const serveCapped = (): Promise<CgiServer> =>
        serveCgi(teardown, {
          cgiForkServer,
          directory: fixture.tree.root,
          cgiMaxScripts: 1,
          cgiQueueLength: 1,
          cgiEnvironment: { PIDDIR: fixture.tree.pids },
        });

      it('queues requests beyond cgiMaxScripts and answers 503 with Retry-After when the queue is full', async () => {
        const capped = await serveCapped();
        const first = await WireClient.open(capped.address);
        first.write('GET /cgi-bin/sleep.sh?first HTTP/1.1\r\nHost: t\r\n\r\n');
        await waitFor(() => writtenPid(fixture.tree, 'sleep.first') !== null, 'the first script to start');
        const second = await WireClient.open(capped.address);
        second.write('GET /cgi-bin/sleep.sh?second HTTP/1.1\r\nHost: t\r\n\r\n');
        await waitFor(() => limiterFor(capped.server).waiting === 1, 'the second request to queue');

        const third = await cgiGet(capped.address, '/cgi-bin/hello.sh');
        expect(third.statusLine).to.equal('HTTP/1.1 503 Service Unavailable');
        expect(headerOf(third, 'Retry-After')).to.equal('1');
        expect(writtenPid(fixture.tree, 'sleep.second')).to.equal(null);

        first.destroy();
        await waitFor(
          () => writtenPid(fixture.tree, 'sleep.second') !== null,
          'the queued script to start once a slot is free',
        );
        second.destroy();
        await waitFor(() => limiterFor(capped.server).running === 0, 'every slot to be given back');
      });

      it('gives a queued place back when its client leaves', async () => {
        const capped = await serveCapped();
        const running = await WireClient.open(capped.address);
        running.write('GET /cgi-bin/sleep.sh?holder HTTP/1.1\r\nHost: t\r\n\r\n');
        await waitFor(() => writtenPid(fixture.tree, 'sleep.holder') !== null, 'the first script to start');
        const leaver = await WireClient.open(capped.address);
        leaver.write('GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: t\r\n\r\n');
        await waitFor(() => limiterFor(capped.server).waiting === 1, 'the request to queue');
        leaver.destroy();
        await waitFor(() => limiterFor(capped.server).waiting === 0, 'the queue to empty');
        const next = await WireClient.open(capped.address);
        next.write('GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: t\r\n\r\n');
        await waitFor(() => limiterFor(capped.server).waiting === 1, 'the next request to queue, not to be refused');
        running.destroy();
        expect((await next.response({}, 5000)).body.toString()).to.equal('hello\n');
      });
    });

    describe('leaks', () => {
      it(`leaves no zombie and no descriptor after ${RUNS} runs on 10 keep-alive connections`, async function () {
        this.timeout(Math.max(30000, RUNS * 50)); // each run forks the test process: ~20 ms here, more when loaded
        const connections = 10;
        // Warm up with a script per connection at once, so lazily opened descriptors (the thread
        // pool, /dev/null, every fork server's pipes and socket) are counted in the baseline.
        await Promise.all(Array.from({ length: connections }, () => cgiGet(fixture.cgi.address, '/cgi-bin/hello.sh')));
        const before = openFdCount();
        await Promise.all(
          Array.from({ length: connections }, async (_, index) => {
            const client = await WireClient.open(fixture.cgi.address);
            const runs = Math.floor(RUNS / connections) + (index < RUNS % connections ? 1 : 0);
            for (let done = 1; done <= runs; done++) {
              client.write('GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: t\r\n\r\n');
              const responses = await client.responses(done, {}, 10000);
              expect(responses[done - 1]!.body.toString()).to.equal('hello\n');
            }
            client.destroy();
          }),
        );
        await waitFor(() => limiterFor(fixture.cgi.server).running === 0, 'every script to be reaped');
        await waitFor(() => openFdCount() <= before, `descriptors back to ${before}`, 3000).catch(() => undefined);
        expect(openFdCount()).to.be.at.most(before);
        expect(scriptProcesses()).to.deep.equal([]);
      });
    });
  });
}
