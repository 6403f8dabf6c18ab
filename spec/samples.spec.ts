/**
 * Runs every sample in samples/ as a child process, the way a reader runs it: servers on port 0
 * print their real port, the client samples talk to them, the output is checked exactly, and
 * servers stop at SIGINT/SIGTERM with exit code 0.
 *
 * Children run through ts-node in transpile-only mode (the type check is `tsc --noEmit`'s job) to
 * keep each start near a second; the servers (and the self-contained threaded sample) all start at
 * once in `before`.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import { ChildProgram, type ProgramExit } from './support/child-program';
import { within } from './support/wait';

const ROOT = path.resolve(__dirname, '..');
const CHILD_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  TS_NODE_TRANSPILE_ONLY: 'true',
};
/** Generous: a ts-node start takes seconds on a loaded 2-core machine. */
const PROCESS_MS = 45_000;
const SERVING = /^Serving on \('([^']+)', (\d+)\)$/m;

type Exit = ProgramExit;

const running = new Set<Sample>();

/** One sample running as `node -r ts-node/register samples/<name>.ts …args`. */
class Sample extends ChildProgram {
  readonly name: string;

  constructor(name: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
    super(name, process.execPath, ['-r', 'ts-node/register', `samples/${name}.ts`, ...args], {
      cwd: ROOT,
      env: { ...CHILD_ENV, ...env },
      limitMs: PROCESS_MS,
    });
    this.name = name;
    running.add(this);
    void this.exit()
      .finally(() => running.delete(this))
      .catch(() => undefined);
  }

  /** Wait for the "Serving on ('host', port)" line and return the port. */
  async port(): Promise<number> {
    return Number((await this.output(SERVING))[2]);
  }
}

/** Run a sample to completion. */
function run(name: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return new Sample(name, args, env).exit();
}

/** Expect a clean exit with exactly this output and nothing on stderr. */
function expectClean(exit: Exit, stdout: string | RegExp): void {
  expect(exit.stderr).to.equal('');
  if (typeof stdout === 'string') expect(exit.stdout).to.equal(stdout);
  else expect(exit.stdout).to.match(stdout);
  expect(exit).to.include({ code: 0, signal: null });
}

const REQUEST_LINE = (port: number): RegExp =>
  new RegExp(
    `^Connected by: \\('127\\.0\\.0\\.1', ${port === 0 ? '\\d+' : port}\\)  request: From Client: Can you hear me\\?$`,
  );

describe('samples', function () {
  this.timeout(3 * PROCESS_MS);
  const sockets = new Set<net.Socket>();
  after(() => {
    for (const sample of running) sample.kill();
    for (const socket of sockets) socket.destroy();
  });

  const ports = new Map<Sample, number>();
  let servers: Record<
    'host' | 'idleHost' | 'tcpserverHost' | 'tcpServer' | 'tcpStreamServer' | 'udpServer' | 'echoServer',
    Sample
  >;
  let threaded: Sample;
  before(async () => {
    threaded = new Sample('threaded_tcp_server');
    servers = {
      host: new Sample('host', ['0']),
      idleHost: new Sample('host', [], { PORT: '0' }),
      tcpserverHost: new Sample('tcpserver_host', ['0']),
      tcpServer: new Sample('tcp_server', ['0']),
      tcpStreamServer: new Sample('tcp_stream_server', [], { PORT: '0' }),
      udpServer: new Sample('udp_server', ['0']),
      echoServer: new Sample('echo_server', ['0']),
    };
    await Promise.all(Object.values(servers).map(async (sample) => ports.set(sample, await sample.port())));
  });

  /** The port `sample` printed, as a string for argv or env. */
  const portOf = (sample: Sample): string => String(ports.get(sample));

  /** Connect to the echo server with a socket that the teardown destroys. */
  async function connectToEcho(): Promise<net.Socket> {
    const socket = net.connect({ host: '127.0.0.1', port: ports.get(servers.echoServer) ?? 0 });
    sockets.add(socket);
    await once(socket, 'connect');
    return socket;
  }

  it('host.ts answers client.ts once, prints the request and exits by itself', async () => {
    const client = await run('client', [portOf(servers.host)]);
    expectClean(client, 'reply: Connected. Bye.\n');
    const [serving, request, ...rest] = (await servers.host.exit()).stdout.split('\n');
    expect(serving).to.equal(`Serving on ('127.0.0.1', ${portOf(servers.host)})`);
    expect(request).to.match(REQUEST_LINE(0));
    expect(rest).to.deep.equal(['']);
  });

  it('host.ts exits with code 0 at SIGTERM when no client came', async () => {
    expectClean(await servers.idleHost.stop('SIGTERM'), `Serving on ('127.0.0.1', ${portOf(servers.idleHost)})\n`);
  });

  it('tcpserver_host.ts answers client.ts every time until SIGINT', async () => {
    const port = portOf(servers.tcpserverHost);
    const clients = await Promise.all([run('client', [port]), run('client', [], { PORT: port })]);
    for (const client of clients) expectClean(client, 'reply: Connected. Bye.\n');
    const server = await servers.tcpserverHost.stop('SIGINT');
    expectClean(server, /^Serving on \('127\.0\.0\.1', \d+\)\n(Connected by: .*\n){2}$/);
    const requests = server.stdout.split('\n').slice(1, 3);
    for (const request of requests) expect(request).to.match(REQUEST_LINE(0));
  });

  it('tcp_client.ts gets its words back upper-cased from tcp_server.ts and tcp_stream_server.ts', async () => {
    const [recv, stream] = await Promise.all([
      run('tcp_client', ['hello', 'world', 'with', 'TCP'], { PORT: portOf(servers.tcpServer) }),
      run('tcp_client', ['python', 'is', 'nice'], { PORT: portOf(servers.tcpStreamServer) }),
    ]);
    expectClean(recv, 'Sent:     hello world with TCP\nReceived: HELLO WORLD WITH TCP\n');
    expectClean(stream, 'Sent:     python is nice\nReceived: PYTHON IS NICE\n');

    const [recvServer, streamServer] = await Promise.all([
      servers.tcpServer.stop('SIGTERM'),
      servers.tcpStreamServer.stop('SIGTERM'),
    ]);
    expectClean(
      recvServer,
      `Serving on ('127.0.0.1', ${portOf(servers.tcpServer)})\n127.0.0.1 wrote:\nhello world with TCP\n`,
    );
    expectClean(
      streamServer,
      `Serving on ('127.0.0.1', ${portOf(servers.tcpStreamServer)})\n127.0.0.1 wrote:\npython is nice\n`,
    );
  });

  it('udp_client.ts gets its words back upper-cased from udp_server.ts', async () => {
    const client = await run('udp_client', ['hello', 'world', 'with', 'UDP'], { PORT: portOf(servers.udpServer) });
    expectClean(client, 'Sent:     hello world with UDP\nReceived: HELLO WORLD WITH UDP\n');
    expectClean(
      await servers.udpServer.stop('SIGTERM'),
      `Serving on ('127.0.0.1', ${portOf(servers.udpServer)})\n127.0.0.1 wrote:\nhello world with UDP\n`,
    );
  });

  it('threaded_tcp_server.ts serves its three clients and exits by itself', async () => {
    expectClean(
      await threaded.exit(),
      'Server loop running on the event loop\n' +
        'Received: Handler-1: Hello World 1\n' +
        'Received: Handler-2: Hello World 2\n' +
        'Received: Handler-3: Hello World 3\n',
    );
  });

  it('echo_server.ts echoes lines upper-cased and exits at SIGTERM with a client still connected', async () => {
    const client = await connectToEcho();
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = once(client, 'close');
    client.end('hello\nwörld\n');
    await within(closed, 5000, 'the echo server did not close the connection');
    expect(Buffer.concat(received).toString('utf8')).to.equal('HELLO\nWÖRLD\n');

    const idle = await connectToEcho();
    idle.write('still here\n');
    const [echo] = (await within(once(idle, 'data'), 5000, 'no echo')) as [Buffer];
    expect(echo.toString('utf8')).to.equal('STILL HERE\n');
    const idleClosed = once(idle, 'end');

    expectClean(await servers.echoServer.stop('SIGTERM'), `Serving on ('127.0.0.1', ${portOf(servers.echoServer)})\n`);
    await within(idleClosed, 5000, 'the connected client was not let go');
  });
});
