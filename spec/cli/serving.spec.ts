/**
 * The sockserve command as a child process (`node -r ts-node/register lib/cli.ts`, port 0): the
 * startup line, serving a directory with the options, dual-stack binding, TLS with a password
 * file, and stopping on SIGINT and SIGTERM while keep-alive clients are connected.
 */
import { expect } from 'chai';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import { connect, destroyClients, firstData } from '../support/clients';
import { WireClient, headerOf } from '../support/http-wire';
import { sleep, waitFor, within } from '../support/wait';

const PROJECT = path.resolve(__dirname, '..', '..');
const TLS_FIXTURES = path.join(PROJECT, 'spec', 'fixtures', 'tls');
/** Bigger than the kernel's socket buffers, so its response is still in flight when paused. */
const BIG_FILE_BYTES = 16 * 1024 * 1024;
/** ts-node compiles the command on start; on a busy 2-core machine that takes a few seconds. */
const START_MS = 45_000;

/** How a command process ended. */
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `sockserve ARGS` running in `cwd`, with what it printed so far. */
class CommandProcess {
  stdout = '';
  stderr = '';
  exit: Exit | null = null;
  readonly exited: Promise<Exit>;
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;

  constructor(args: readonly string[], cwd: string) {
    this.#child = spawn(
      process.execPath,
      ['-r', require.resolve('ts-node/register'), path.join(PROJECT, 'lib', 'cli.ts'), ...args],
      {
        cwd,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(PROJECT, 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child.stdout.setEncoding('utf8').on('data', (text: string) => (this.stdout += text));
    this.#child.stderr.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.exited = new Promise<Exit>((resolve) => {
      this.#child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** Wait for the startup line; resolve with the port it names. */
  async started(): Promise<number> {
    await waitFor(() => this.stdout.includes('\n') || this.exit !== null, 'the startup line', START_MS);
    const port = /port (\d+) /.exec(this.stdout)?.[1];
    if (port === undefined) throw new Error(`no startup line: ${JSON.stringify(this)}`);
    return Number(port);
  }

  /** Send `signal` to the process. */
  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** Wait (at most `ms`) for the process to end. */
  ended(ms = 10_000): Promise<Exit> {
    return within(this.exited, ms, `sockserve to exit; stdout ${JSON.stringify(this.stdout)}`);
  }

  /** Teardown: kill the process if it still runs, and wait for it. */
  async stop(): Promise<void> {
    if (this.exit === null) this.#child.kill('SIGKILL');
    await this.exited;
  }

  toJSON(): object {
    return { stdout: this.stdout, stderr: this.stderr, exit: this.exit };
  }
}

/** One GET on a new connection; the WireClient keeps the connection for more. */
async function get(port: number, target: string, host = '127.0.0.1'): Promise<WireClient> {
  const client = await WireClient.open([host, port]);
  client.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  return client;
}

/** True when this machine has the IPv6 loopback address. */
function hasIPv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((addresses) =>
    (addresses ?? []).some((address) => address.address === '::1'),
  );
}

describe('the sockserve command', function () {
  this.timeout(60_000);

  let siteDir = '';
  before(() => {
    siteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-cli-'));
    fs.writeFileSync(path.join(siteDir, 'hello.txt'), 'hello\n');
    fs.writeFileSync(path.join(siteDir, '.env'), 'SECRET=1\n');
    fs.writeFileSync(path.join(siteDir, 'big.bin'), Buffer.alloc(BIG_FILE_BYTES, 'x'));
  });
  after(() => fs.rmSync(siteDir, { recursive: true, force: true }));
  afterEach(() => destroyClients());

  describe('-b 127.0.0.1 -d DIR -p HTTP/1.1 --cors --cache 60', () => {
    let command: CommandProcess;
    let port = 0;
    before(async () => {
      command = new CommandProcess(
        ['0', '-b', '127.0.0.1', '-d', siteDir, '-p', 'HTTP/1.1', '--cors', '--cache', '60'],
        PROJECT,
      );
      port = await command.started();
    });
    after(() => command.stop());

    it("prints Python's startup line with the port it bound", () => {
      expect(port).to.be.above(0);
      expect(command.stdout).to.equal(`Serving HTTP on 127.0.0.1 port ${port} (http://127.0.0.1:${port}/) ...\n`);
    });

    it('serves a file of DIR with CORS and Cache-Control headers and keeps the connection alive', async () => {
      const client = await get(port, '/hello.txt');
      const first = await client.response();
      expect(first.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(first.body.toString()).to.equal('hello\n');
      expect(headerOf(first, 'Access-Control-Allow-Origin')).to.equal('*');
      expect(headerOf(first, 'Cache-Control')).to.equal('max-age=60');
      client.write('GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const [, second] = await client.responses(2);
      expect(second?.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(client.ended).to.equal(false);
    });

    it("logs each request on stderr in Python's format", async () => {
      await waitFor(() => command.stderr.includes('"GET /hello.txt HTTP/1.1" 200'), 'the access log line');
      expect(command.stderr).to.match(
        /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET \/hello\.txt HTTP\/1\.1" 200 -$/m,
      );
    });

    it("on SIGINT finishes a response in flight, closes an idle keep-alive connection, and exits 0 with Python's message", async () => {
      const idle = await get(port, '/hello.txt');
      await idle.response();
      const downloader = await connect(['127.0.0.1', port]);
      downloader.write('GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const chunks = [await firstData(downloader)];
      downloader.pause();
      const downloaded = new Promise<Buffer>((resolve) =>
        downloader.once('close', () => resolve(Buffer.concat(chunks))),
      );

      command.signal('SIGINT');
      await idle.closed(5000);
      downloader.on('data', (chunk: Buffer) => chunks.push(chunk));
      downloader.resume();
      const response = await within(downloaded, 5000, 'the download to end');
      const exit = await command.ended();

      expect(response.subarray(0, 17).toString()).to.equal('HTTP/1.1 200 OK\r\n');
      expect(response.length - (response.indexOf('\r\n\r\n') + 4)).to.equal(BIG_FILE_BYTES);
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(command.stdout).to.match(/ \.\.\.\n\nKeyboard interrupt received, exiting\.\n$/);
    });
  });

  describe('no -b, the working directory, -p HTTP/1.1 --quiet --no-dotfiles', () => {
    let command: CommandProcess;
    let port = 0;
    before(async () => {
      command = new CommandProcess(['0', '-p', 'HTTP/1.1', '--quiet', '--no-dotfiles'], siteDir);
      port = await command.started();
    });
    after(() => command.stop());

    it('binds :: and prints the address in brackets in the URL, as Python does', () => {
      expect(command.stdout).to.equal(`Serving HTTP on :: port ${port} (http://[::]:${port}/) ...\n`);
    });

    it('serves the working directory to IPv4 clients on the dual-stack socket', async () => {
      const response = await (await get(port, '/hello.txt')).response();
      expect([response.status, response.body.toString()]).to.deep.equal([200, 'hello\n']);
    });

    it('serves IPv6 clients too', async function () {
      if (!hasIPv6Loopback()) this.skip();
      const response = await (await get(port, '/hello.txt', '::1')).response();
      expect([response.status, response.body.toString()]).to.deep.equal([200, 'hello\n']);
    });

    it('answers 404 for a dotfile with --no-dotfiles', async () => {
      const response = await (await get(port, '/.env')).response();
      expect(response.status).to.equal(404);
      expect(response.body.toString()).not.to.include('SECRET');
    });

    it('logs nothing with --quiet, neither requests nor error answers', async () => {
      await (await get(port, '/hello.txt')).response();
      await (await get(port, '/missing.txt')).response();
      await sleep(200);
      expect(command.stderr).to.equal('');
    });

    it('on SIGTERM closes an idle keep-alive connection and exits 0 without a message', async () => {
      const idle = await get(port, '/hello.txt');
      await idle.response();
      command.signal('SIGTERM');
      await idle.closed(5000);
      expect(await command.ended()).to.deep.equal({ code: 0, signal: null });
      expect(command.stdout).to.equal(`Serving HTTP on :: port ${port} (http://[::]:${port}/) ...\n`);
    });
  });

  describe('--tls-cert --tls-key --tls-password-file', () => {
    const certfile = path.join(TLS_FIXTURES, 'cert.pem');
    let command: CommandProcess;
    let port = 0;
    before(async function () {
      if (!fs.existsSync(certfile)) this.skip();
      // The fixture key, encrypted with a passphrase that the password file holds (with a newline).
      const encryptedKey = path.join(siteDir, 'encrypted-key.pem');
      const passwordFile = path.join(siteDir, 'password.txt');
      const key = crypto.createPrivateKey(fs.readFileSync(path.join(TLS_FIXTURES, 'key.pem')));
      fs.writeFileSync(
        encryptedKey,
        key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }),
      );
      fs.writeFileSync(passwordFile, 'correct horse\n');
      command = new CommandProcess(
        [
          '0',
          '-b',
          '127.0.0.1',
          '-d',
          siteDir,
          '--tls-cert',
          certfile,
          '--tls-key',
          encryptedKey,
          '--tls-password-file',
          passwordFile,
        ],
        PROJECT,
      );
      port = await command.started();
    });
    after(async () => {
      if (command === undefined) return;
      command.signal('SIGTERM');
      await command.stop();
    });

    it('prints HTTPS in the startup line', () => {
      expect(command.stdout).to.equal(`Serving HTTPS on 127.0.0.1 port ${port} (https://127.0.0.1:${port}/) ...\n`);
    });

    it('serves a file over TLS, as HTTP/1.0 by default (the connection closes after the response)', async () => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<void>((resolve, reject) => {
        socket.once('close', () => resolve());
        socket.once('error', reject);
      });
      socket.write('GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await within(closed, 5000, 'the TLS response');
      const response = Buffer.concat(chunks).toString();
      expect(response.startsWith('HTTP/1.0 200 OK\r\n')).to.equal(true);
      expect(response.endsWith('\r\n\r\nhello\n')).to.equal(true);
    });
  });

  it('exits 1 with the reason when the port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = holder.address() as net.AddressInfo;
      const command = new CommandProcess(['-b', '127.0.0.1', String(port)], PROJECT);
      expect(await command.ended(START_MS)).to.deep.equal({ code: 1, signal: null });
      expect(command.stdout).to.equal('');
      expect(command.stderr).to.match(/^sockserve: cannot serve: .*EADDRINUSE.*\n$/);
    } finally {
      holder.close();
    }
  });
});
