/**
 * ForkingMixIn over real sockets: requests run in other processes, in parallel; a worker that
 * dies is replaced and its client sees the connection close; serverClose() waits (or not) for
 * the requests in the workers' hands; no process is left behind; the Unix and UDP variants;
 * ForkingMixIn(HTTPServer), whose workers' handlers and CGI scripts see the primary's bound
 * address, name and port; the sample, run under ts-node's own command so the re-run of the main
 * module is proven.
 *
 * This file is also the script the spec's servers run in their worker processes
 * (`workerScript = __filename`). Run as a worker, it only constructs the servers below; the one
 * whose `workerKey` the primary passed serves, and mocha's functions are never called.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CGIHTTPRequestHandler, HTTPServer } from '../../lib/http/index';
import {
  DatagramRequestHandler,
  ForkingMixIn,
  ForkingTCPServer,
  ForkingUDPServer,
  ForkingUnixStreamServer,
  StreamRequestHandler,
  isForkingWorker,
  type InetAddress,
} from '../../lib/index';
import { connect, destroyClients, exchange, receiveAll, udpClient } from '../support/clients';
import { Teardown } from '../support/teardown';
import { sleep, waitFor, within } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');
/** Workers compile this file without type-checking it (tsc and the primary's ts-node do that). */
const WORKER_EXEC_ARGV = ['--require', 'ts-node/register/transpile-only'];

/**
 * Reads one command line and answers with what the worker process saw:
 * `pid` → `<pid> <clientAddress as JSON>`; `spin <dir>` → computes until two requests have
 * entered `dir` (or 5 s) and answers `{ pid, start, end }`; `slow <ms>` → `started`, then after ms `finished <time>`;
 * `crash` → `working <pid>`, then the process kills itself; `throw` → the handler throws;
 * `sha <n>` → reads n more bytes and answers their SHA-256 and how many 'data' listeners the
 * connection's socket has (0 when it reads directly).
 */
class ProbeHandler extends StreamRequestHandler {
  protected override async handle(): Promise<void> {
    const [command = '', argument = '0'] = (await this.rfile.readline()).toString().trim().split(' ');
    if (command === 'pid') {
      await this.wfile.write(`${process.pid} ${JSON.stringify(this.clientAddress)}\n`);
    } else if (command === 'spin') {
      // Compute (the event loop is held, as by any CPU-bound handler) until the other request has
      // started too, or for 5 s. Run one after the other, the first would compute alone for 5 s.
      const start = Date.now();
      fs.writeFileSync(path.join(argument, String(process.pid)), '');
      while (fs.readdirSync(argument).length < 2 && Date.now() - start < 5000) {
        // computing
      }
      await this.wfile.write(`${JSON.stringify({ pid: process.pid, start, end: Date.now() })}\n`);
    } else if (command === 'slow') {
      await this.wfile.write('started\n');
      await sleep(Number(argument));
      await this.wfile.write(`finished ${Date.now()}\n`);
    } else if (command === 'crash') {
      await this.wfile.write(`working ${process.pid}\n`);
      this.connection.release(); // sends leave at the end of the turn, which SIGKILL never reaches
      process.kill(process.pid, 'SIGKILL');
    } else if (command === 'throw') {
      throw new Error('handler failed on purpose');
    } else if (command === 'sha') {
      const bytes = await this.rfile.read(Number(argument));
      const digest = createHash('sha256').update(bytes).digest('hex');
      await this.wfile.write(`${digest} ${this.connection.socket.listenerCount('data')}\n`);
    }
  }
}

/** Answers each datagram with `<pid> <packet>`. */
class PidEchoHandler extends DatagramRequestHandler {
  protected override async handle(): Promise<void> {
    await this.wfile.write(`${process.pid} ${this.packet.toString()}`);
  }
}

class ProbeTCPServer extends ForkingTCPServer {
  override workerKey = 'probe-tcp';
  override workerScript = __filename;
  override workerExecArgv = WORKER_EXEC_ARGV;
  override poolSize: number | null = 2;
}

class ProbeUnixServer extends ForkingUnixStreamServer {
  override workerKey = 'probe-unix';
  override workerScript = __filename;
  override workerExecArgv = WORKER_EXEC_ARGV;
  override poolSize: number | null = 1;
}

class EchoUDPServer extends ForkingUDPServer {
  override workerKey = 'echo-udp';
  override workerScript = __filename;
  override workerExecArgv = WORKER_EXEC_ARGV;
  override poolSize: number | null = 1;
}

/**
 * The document root of the HTTP server's CGI handler. The worker derives the same name as the
 * primary: its parent is the primary. Holds cgi-bin/where.sh, which prints SERVER_NAME and SERVER_PORT.
 */
const CGI_ROOT = path.join(os.tmpdir(), `sockserve-forking-cgi-${isForkingWorker() ? process.ppid : process.pid}`);

/**
 * `GET /server` → JSON `{ pid, serverName, serverPort, serverAddress }` as the worker's server
 * holds them; any other path: CGIHTTPRequestHandler below CGI_ROOT. Logs nothing.
 */
class ServerFieldsHandler extends CGIHTTPRequestHandler<FieldsHTTPServer> {
  override directory = CGI_ROOT;
  override cgiUser: string | null = null;

  override logMessage(): void {}

  override async do_GET(): Promise<void> {
    if (this.path !== '/server') {
      await super.do_GET();
      return;
    }
    const { serverName, serverPort, serverAddress } = this.server;
    const body = JSON.stringify({ pid: process.pid, serverName, serverPort, serverAddress });
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', String(Buffer.byteLength(body)));
    await this.endHeaders();
    await this.wfile.write(body);
  }
}

class FieldsHTTPServer extends ForkingMixIn(HTTPServer) {
  override workerKey = 'fields-http';
  override workerScript = __filename;
  override workerExecArgv = WORKER_EXEC_ARGV;
  override poolSize: number | null = 1;
}

/** A server whose workers cannot start: their script does not exist. */
class MissingScriptServer extends ForkingTCPServer {
  override workerScript = path.join(__dirname, 'no-such-script.js');
  override workerExecArgv: string[] = [];
  override poolSize: number | null = 1;
}

/** Whether a process with this id exists (a zombie would: Node reaps its children at once). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Collects what is written to this process's stderr (the workers' output is forwarded there). */
class StderrCapture {
  text = '';
  readonly #original = process.stderr.write;

  constructor() {
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof process.stderr.write;
  }

  restore(): void {
    process.stderr.write = this.#original;
  }
}

/** GET `target` over HTTP/1.0 and resolve with the response body. */
async function httpGetBody(address: InetAddress, target: string): Promise<string> {
  const response = (await exchange(address, `GET ${target} HTTP/1.0\r\n\r\n`)).toString('latin1');
  expect(response).to.match(/^HTTP\/1\.0 200 /);
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

/** Send one command line and resolve with the reply line (trimmed) once the server closes. */
async function ask(address: InetAddress | string, command: string): Promise<string> {
  return (await exchange(address, `${command}\n`)).toString().trim();
}

/** The reply to `pid`: the worker's process id and the client address it was given. */
async function askPid(address: InetAddress | string): Promise<{ pid: number; clientAddress: unknown }> {
  const [pid = '', clientAddress = ''] = (await ask(address, 'pid')).split(' ');
  return { pid: Number(pid), clientAddress: JSON.parse(clientAddress) };
}

if (isForkingWorker()) {
  new ProbeTCPServer(['127.0.0.1', 0], ProbeHandler);
  new ProbeUnixServer('unused-in-a-worker', ProbeHandler);
  new EchoUDPServer(['127.0.0.1', 0], PidEchoHandler);
  new FieldsHTTPServer(['127.0.0.1', 0], ServerFieldsHandler);
} else {
  describe('ForkingMixIn', function () {
    this.timeout(20_000);
    afterEach(() => destroyClients());

    const socketPath = path.join(os.tmpdir(), `sockserve-forking-${process.pid}.sock`);
    const teardown = new Teardown();
    let tcp: ProbeTCPServer;
    let unix: ProbeUnixServer;
    let udp: EchoUDPServer;
    let http: FieldsHTTPServer;
    // Each worker spends about a second and a half of CPU starting ts-node: the four servers'
    // workers start together, so the cores share the work.
    before(async function () {
      this.timeout(60_000); // a loaded machine can take many seconds to start ts-node
      tcp = teardown.server(new ProbeTCPServer(['127.0.0.1', 0], ProbeHandler));
      unix = teardown.server(new ProbeUnixServer(socketPath, ProbeHandler));
      udp = teardown.server(new EchoUDPServer(['127.0.0.1', 0], PidEchoHandler));
      fs.mkdirSync(path.join(CGI_ROOT, 'cgi-bin'), { recursive: true });
      fs.writeFileSync(
        path.join(CGI_ROOT, 'cgi-bin', 'where.sh'),
        `#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n%s %s\\n' "$SERVER_NAME" "$SERVER_PORT"\n`,
        { mode: 0o755 },
      );
      http = teardown.server(new FieldsHTTPServer(['127.0.0.1', 0], ServerFieldsHandler));
      await Promise.all([tcp.ready(), unix.ready(), udp.ready(), http.ready()]);
      for (const server of [tcp, unix, udp, http]) void teardown.serve(server, 0.05);
    });
    after(async () => {
      await teardown.run();
      fs.rmSync(CGI_ROOT, { recursive: true, force: true });
    });

    describe('ForkingTCPServer with two workers', () => {
      let address: InetAddress;
      const seen = new Set<number>();
      before(() => {
        address = tcp.serverAddress as InetAddress;
        for (const pid of tcp.activeChildren ?? []) seen.add(pid);
      });

      it('serves each connection in a worker process, not in this one', async () => {
        const workers = [...(tcp.activeChildren ?? [])];
        expect(workers).to.have.length(2);
        const socket = await connect(address);
        const local = [socket.localAddress, socket.localPort];
        const reply = receiveAll(socket);
        socket.end('pid\n');
        const [pid = '', clientAddress = ''] = (await reply).data.toString().trim().split(' ');
        expect(workers).to.include(Number(pid));
        expect(Number(pid)).to.not.equal(process.pid);
        expect(JSON.parse(clientAddress)).to.deep.equal(local);
      });

      it('a worker reads its connection directly: 8 MiB sent with the request arrive whole and in order', async () => {
        const body = randomBytes(8 * 1024 * 1024);
        const socket = await connect(address);
        const reply = receiveAll(socket);
        socket.end(Buffer.concat([Buffer.from(`sha ${body.length}\n`), body]));
        const [digest = '', dataListeners = ''] = (await within(reply, 10000, 'no digest')).data
          .toString()
          .trim()
          .split(' ');
        expect(digest).to.equal(createHash('sha256').update(body).digest('hex'));
        expect(dataListeners).to.equal('0');
      });

      it('runs two CPU-bound requests at the same time, in two processes', async () => {
        await tcp.collectChildren({ blocking: true }); // both workers idle: one request each
        const meeting = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-forking-'));
        try {
          const replies = await Promise.all([ask(address, `spin ${meeting}`), ask(address, `spin ${meeting}`)]);
          const [first, second] = replies.map(
            (reply) => JSON.parse(reply) as { pid: number; start: number; end: number },
          );
          expect(first!.pid).to.not.equal(second!.pid);
          // Each computed while the other did: the two intervals overlap (in whole milliseconds,
          // so the second may start and end in the millisecond the first started in). One after
          // the other, the first would compute alone for 5 s and end before the second started.
          expect(first!.start).to.be.at.most(second!.end);
          expect(second!.start).to.be.at.most(first!.end);
          // And neither stopped at the 5 s cap, which only a request computing alone reaches.
          expect(Math.max(first!.end - first!.start, second!.end - second!.start)).to.be.below(5000);
        } finally {
          fs.rmSync(meeting, { recursive: true, force: true });
        }
      });

      it("prints a handler's error on stderr as Python does, and the worker goes on", async () => {
        const workers = [...(tcp.activeChildren ?? [])];
        const stderr = new StderrCapture();
        try {
          const socket = await connect(address);
          const { localPort } = socket;
          const reply = receiveAll(socket);
          socket.write('throw\n');
          expect((await reply).data.toString()).to.equal('');
          await waitFor(() => stderr.text.includes('handler failed on purpose'), 'no report on stderr');
          const dashes = '-'.repeat(40);
          expect(stderr.text).to.contain(
            `${dashes}\nException occurred during processing of request from ('127.0.0.1', ${localPort})\n` +
              'Error: handler failed on purpose\n',
          );
        } finally {
          stderr.restore();
        }
        expect(workers).to.include((await askPid(address)).pid);
        expect([...(tcp.activeChildren ?? [])]).to.deep.equal(workers);
      });

      it('replaces a worker that dies mid-request; its client sees the connection close', async () => {
        const stderr = new StderrCapture();
        let dead: number;
        try {
          const socket = await connect(address);
          const reply = receiveAll(socket);
          socket.write('crash\n');
          const { data } = await within(reply, 5000, 'the connection of the dead worker stayed open');
          const [word = '', pid = ''] = data.toString().trim().split(' ');
          expect(word).to.equal('working');
          dead = Number(pid);
          await waitFor(() => stderr.text.includes(`Worker process ${dead}`), 'no word of the dead worker');
          expect(stderr.text).to.contain(
            `Worker process ${dead} was killed by SIGKILL with 1 request(s) in hand; starting another\n`,
          );
        } finally {
          stderr.restore();
        }
        // The next request is served at once, by the other worker.
        const next = await askPid(address);
        expect(next.pid).to.not.equal(dead);
        expect(isRunning(dead)).to.equal(false);
        // A new worker takes the dead one's place, and serves once it has started.
        expect(tcp.activeChildren?.size).to.equal(2);
        const replacement = [...(tcp.activeChildren ?? [])].find((pid) => !seen.has(pid));
        expect(replacement).to.be.a('number');
        seen.add(replacement!);
        const giveUp = Date.now() + 15_000;
        while ((await askPid(address)).pid !== replacement) {
          if (Date.now() > giveUp) throw new Error(`the replacement worker ${replacement} never served`);
          await sleep(50);
        }
      });

      it('waits in serverClose() for the request in a worker, then for every worker to exit', async () => {
        const socket = await connect(address);
        const reply = receiveAll(socket);
        socket.write('slow 300\n');
        await new Promise<void>((resolve) => socket.once('data', () => resolve())); // 'started': in a worker's hands
        await tcp.shutdown();
        await tcp.serverClose();
        const closedAt = Date.now();
        expect(tcp.activeChildren?.size).to.equal(0);
        expect(seen.size).to.equal(3);
        for (const pid of seen) expect(isRunning(pid), `worker ${pid}`).to.equal(false);
        const [started, finished = ''] = (await reply).data.toString().trim().split('\n');
        expect(started).to.equal('started');
        expect(Number(finished.split(' ')[1])).to.be.at.most(closedAt);
      });
    });

    describe('ForkingUnixStreamServer', () => {
      it('serves a Unix socket connection in a worker process', async () => {
        const { pid, clientAddress } = await askPid(socketPath);
        expect([...(unix.activeChildren ?? [])]).to.deep.equal([pid]);
        expect(pid).to.not.equal(process.pid);
        expect(clientAddress).to.equal('');
      });

      it('returns from serverClose() at once without blockOnClose; the worker finishes, then exits', async () => {
        const [worker = 0] = unix.activeChildren ?? [];
        unix.blockOnClose = false;
        const socket = await connect(socketPath);
        const reply = receiveAll(socket);
        socket.write('slow 600\n');
        await new Promise<void>((resolve) => socket.once('data', () => resolve())); // 'started'
        await unix.shutdown();
        await unix.serverClose();
        const closedAt = Date.now();
        expect(isRunning(worker)).to.equal(true);
        expect(fs.existsSync(socketPath)).to.equal(false);
        const [started, finished = ''] = (await reply).data.toString().trim().split('\n');
        expect(started).to.equal('started');
        expect(Number(finished.split(' ')[1])).to.be.above(closedAt);
        await waitFor(() => !isRunning(worker), 'the worker did not exit after its request');
      });
    });

    describe('ForkingUDPServer', () => {
      it("handles a datagram in a worker process and answers from the server's own port", async () => {
        const [host, port] = udp.serverAddress as InetAddress;
        const client = udpClient(host);
        const reply = new Promise<{ message: Buffer; port: number }>((resolve) =>
          client.once('message', (message: Buffer, sender: { port: number }) =>
            resolve({ message, port: sender.port }),
          ),
        );
        client.send('hello', port, host);
        const { message, port: from } = await within(reply, 5000, 'no datagram came back');
        const [pid = '', text] = message.toString().split(' ');
        expect([...(udp.activeChildren ?? [])]).to.deep.equal([Number(pid)]);
        expect(text).to.equal('hello');
        expect(from).to.equal(port);
      });
    });

    describe('ForkingMixIn(HTTPServer)', () => {
      it("gives the worker's handlers the serverAddress, serverName and serverPort the primary bound", async () => {
        const address = http.serverAddress as InetAddress;
        expect(address[1]).to.be.above(0);
        expect([http.serverName, http.serverPort]).to.deep.equal(address);
        const seen = JSON.parse(await httpGetBody(address, '/server')) as { pid: number };
        expect([...(http.activeChildren ?? [])]).to.deep.equal([seen.pid]);
        expect(seen).to.deep.equal({
          pid: seen.pid,
          serverName: http.serverName,
          serverPort: http.serverPort,
          serverAddress: address,
        });
      });

      it('gives a CGI script run by a worker the bound SERVER_NAME and SERVER_PORT', async () => {
        const address = http.serverAddress as InetAddress;
        expect(await httpGetBody(address, '/cgi-bin/where.sh')).to.equal(`127.0.0.1 ${address[1]}\n`);
      });
    });

    describe('starting the workers', () => {
      it('rejects ready() when a worker exits before it is ready (here: its script does not exist)', async () => {
        const server = new MissingScriptServer(['127.0.0.1', 0], ProbeHandler);
        const stderr = new StderrCapture();
        let failure: Error | null;
        try {
          failure = await server.ready().then(
            () => null,
            (error: unknown) => error as Error,
          );
        } finally {
          stderr.restore();
        }
        expect(failure?.message).to.match(
          /^worker process \d+ exited with code 1 before it was ready: .*no-such-script\.js must construct this server \(workerKey '\d+'\) and await its ready\(\)$/,
        );
        expect(stderr.text).to.contain('Cannot find module');
        expect(server.activeChildren?.size).to.equal(0);
        expect(server.socket.listening).to.equal(false);
      });

      it('rejects ready() for maxChildren = 0 without starting a process', async () => {
        const server = new ProbeTCPServer(['127.0.0.1', 0], ProbeHandler);
        server.maxChildren = 0;
        const failure = await server.ready().then(
          () => null,
          (error: unknown) => error as RangeError & { code: string },
        );
        expect(failure).to.be.instanceOf(RangeError);
        expect(failure?.message).to.equal('maxChildren must be an integer >= 1, got 0');
        expect(failure?.code).to.equal('SOCKSERVE_ERR_INVALID_ARGUMENT');
        expect(server.activeChildren).to.equal(null);
      });
    });

    describe('samples/forking_tcp_server.ts', () => {
      it('runs under `npx ts-node`: its workers re-run it, serve, and are gone when it exits', async function () {
        this.timeout(60_000); // three ts-node starts; a loaded machine can take many seconds
        const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), 'samples/forking_tcp_server.ts'], {
          cwd: ROOT,
          env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const exit = new Promise<number | null>((resolve) =>
          child.once('close', (code: number | null) => resolve(code)),
        );
        const code = await within(exit, 55_000, 'the sample did not exit').finally(() => child.kill('SIGKILL'));
        expect(stderr).to.equal('');
        expect(code).to.equal(0);
        const lines = stdout.trimEnd().split('\n');
        expect(lines).to.have.length(4);
        const primary = Number(/^Server loop running in process (\d+)$/.exec(lines[0] ?? '')?.[1]);
        const workers = lines.slice(1).map((line, index) => {
          const match = new RegExp(`^Received: (\\d+): Hello World ${index + 1}, 25997 primes below 300000$`).exec(
            line,
          );
          expect(match, line).to.not.equal(null);
          return Number(match?.[1]);
        });
        for (const worker of workers) {
          expect(worker).to.not.equal(primary);
          expect(isRunning(worker), `worker ${worker}`).to.equal(false);
        }
      });
    });
  });
}
