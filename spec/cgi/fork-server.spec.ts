/**
 * The CGI fork server (lib/http/cgi/fork-server.ts), its compiled program (build/fork-server) and
 * its Python one alike: scripts are started by it, not by forking the server; they get a socket
 * to the server as stdin (with a body) and pipes to the fork server as stdout and stderr; a
 * connection without a script's token is refused; a fork server that dies is replaced (its
 * scripts killed); one ends with its process and leaves nothing behind; with no fork server
 * that can run, or with cgiForkServer false, the server spawns scripts itself.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cCompilerFound } from '../support/c-compiler';
import { ChildProgram } from '../support/child-program';
import { forkServers, isRunning, parentPid, writtenPid } from '../support/cgi-tree';
import { createHash, randomBytes } from 'node:crypto';
import type { ServerAddress } from '../../lib/index';
import { cgiExchange, cgiGet, envReport, serveCgi, useCgiFixture, type CgiServer } from '../support/cgi-server';
import { WireClient, type WireResponse } from '../support/http-wire';
import { Teardown } from '../support/teardown';
import { waitFor } from '../support/wait';

const REPOSITORY = path.resolve(__dirname, '..', '..');
/** The fork server `npm install` compiles (scripts/build-fork-server.mjs). */
const COMPILED = path.join(REPOSITORY, 'build', 'fork-server');

/** The two fork server programs: how a command line starting one begins, and cgiForkServer asking for it. */
const PROGRAMS = [
  { name: 'compiled', command: new RegExp(`^${COMPILED}$`), cgiForkServer: true },
  { name: 'python', command: /python3?$/, cgiForkServer: 'python' },
] as const;

/** What parent.sh saw: its parent's pid and what its descriptors 0, 1 and 2 are. */
interface ParentReport {
  readonly ppid: number;
  readonly stdin: string;
  readonly stdout: string;
  readonly stderr: string;
}

async function parentOf(cgi: CgiServer, method = 'GET'): Promise<ParentReport> {
  const response =
    method === 'POST'
      ? await cgiGet(cgi.address, '/cgi-bin/parent.sh', ['Content-Length: 2', '', 'hi'], 'POST')
      : await cgiGet(cgi.address, '/cgi-bin/parent.sh');
  expect(response.status).to.equal(200);
  const [ppid, stdin, stdout, stderr] = response.body.toString().trim().split(' ');
  return { ppid: Number(ppid), stdin: stdin ?? '', stdout: stdout ?? '', stderr: stderr ?? '' };
}

/** The command line of process `pid`, argument by argument (empty once it is gone). */
function commandLine(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** The rendezvous socket on a fork server's command line. */
function rendezvousOf(pid: number): string {
  const socketPath = commandLine(pid).find((argument) => argument.includes('/sockserve-cgi-'));
  expect(socketPath, `the rendezvous socket on process ${pid}'s command line`).to.be.a('string');
  return socketPath as string;
}

/** A connection to the socket of the fork server that starts `cgi`'s scripts, and a promise of its close. */
async function connectToForkServer(cgi: CgiServer): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect(rendezvousOf((await parentOf(cgi)).ppid));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed };
}

describe('CGIHTTPRequestHandler: the compiled fork server', () => {
  it('is built by npm install wherever a C compiler is found', function () {
    if (!cCompilerFound()) this.skip(); // nothing to build it with: CGI uses the Python program
    expect(fs.existsSync(COMPILED), `${COMPILED} (run npm install, or node scripts/build-fork-server.mjs)`).to.equal(
      true,
    );
  });
});

for (const program of PROGRAMS) {
  describe(`CGIHTTPRequestHandler: the fork server (${program.name} program)`, function () {
    this.timeout(30000);
    before(function () {
      if (program.name === 'compiled' && !fs.existsSync(COMPILED)) this.skip(); // not built here
    });
    const teardown = new Teardown();
    const fixture = useCgiFixture(teardown, (tree) => ({
      cgiTimeout: 5,
      cgiEnvironment: { PIDDIR: tree.pids },
      cgiForkServer: program.cgiForkServer,
    }));

    it('starts scripts from the fork server, with a socket as stdin and pipes as stdout and stderr', async () => {
      const seen = await parentOf(fixture.cgi, 'POST');
      expect(seen.ppid).to.not.equal(process.pid);
      expect(commandLine(seen.ppid)[0]).to.match(program.command);
      expect(rendezvousOf(seen.ppid)).to.match(/fork-server\.sock$/);
      expect(seen.stdin).to.match(/^socket:/);
      expect(seen.stdout).to.match(/^pipe:/);
      expect(seen.stderr).to.match(/^pipe:/);
      const again = await parentOf(fixture.cgi);
      expect(again.ppid, 'one fork server for every script').to.equal(seen.ppid);
      expect(again.stdin).to.equal('/dev/null');
    });

    it('spreads scripts that run at once over one fork server per CPU (up to 4)', async () => {
      const clients = await Promise.all(['a', 'b'].map(() => WireClient.open(fixture.cgi.address)));
      const parents: number[] = [];
      try {
        for (const [index, client] of clients.entries()) {
          const name = `spread${index}`;
          client.write(`GET /cgi-bin/sleep.sh?${name} HTTP/1.1\r\nHost: t\r\n\r\n`);
          await waitFor(() => writtenPid(fixture.tree, `sleep.${name}`) !== null, `script ${name} to start`);
          parents.push(parentPid(writtenPid(fixture.tree, `sleep.${name}`) as number));
        }
      } finally {
        for (const client of clients) client.socket.destroy();
      }
      for (const parent of parents) expect(commandLine(parent)[0]).to.match(program.command);
      if (os.availableParallelism() >= 2)
        expect(parents[1], 'the second script from another fork server').to.not.equal(parents[0]);
      else expect(parents[1], 'one CPU: one fork server').to.equal(parents[0]);
    });

    it("holds none of the server's environment but PATH, where its scripts could read it (/proc/<pid>/environ)", async () => {
      // A fresh fork server, started while the server's environment holds a secret.
      await parentOf(fixture.cgi);
      const old = forkServers();
      for (const pid of old) process.kill(pid, 'SIGKILL');
      await waitFor(() => !old.some(isRunning), 'the old fork servers to end');
      process.env['SOCKSERVE_SECRET_TOKEN'] = 'canary-456';
      try {
        const forkServer = (await parentOf(fixture.cgi)).ppid;
        expect(old).to.not.include(forkServer);
        const environment = fs.readFileSync(`/proc/${forkServer}/environ`, 'utf8');
        expect(environment).to.include('PATH=');
        expect(environment).to.not.include('canary-456');
        expect(environment).to.not.include('SOCKSERVE_SECRET_TOKEN');
      } finally {
        delete process.env['SOCKSERVE_SECRET_TOKEN'];
      }
    });

    it('cannot be read or traced by its scripts when the server is root (it drops to cgiUser after starting)', async function () {
      if (process.getuid?.() !== 0) this.skip(); // otherwise scripts run as the server's own user, as before
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/peek.sh');
      expect(response.body.toString()).to.equal('denied\n');
    });

    it('refuses a connection that does not carry a waiting script token, and goes on starting scripts', async () => {
      const { socket: forged, closed } = await connectToForkServer(fixture.cgi);
      forged.write(Buffer.concat([Buffer.alloc(16, 7), Buffer.from([1]), Buffer.from('Status: 200\r\n\r\nforged')]));
      await closed;
      const response = await cgiGet(fixture.cgi.address, '/cgi-bin/hello.sh');
      expect(response.body.toString()).to.equal('hello\n');
    });

    it('drops a connection that sends no token (within 2 s)', async () => {
      const { closed } = await connectToForkServer(fixture.cgi);
      const started = Date.now();
      await closed;
      expect(Date.now() - started).to.be.below(10000);
      expect((await cgiGet(fixture.cgi.address, '/cgi-bin/hello.sh')).body.toString()).to.equal('hello\n');
    });

    it('replaces a fork server that dies, killing the scripts it had started', async () => {
      const held = await WireClient.open(fixture.cgi.address);
      held.write('GET /cgi-bin/sleep.sh?orphan HTTP/1.1\r\nHost: t\r\n\r\n');
      await waitFor(() => writtenPid(fixture.tree, 'sleep.orphan') !== null, 'the script to start');
      const script = writtenPid(fixture.tree, 'sleep.orphan') as number;
      const forkServer = parentPid(script);
      expect(commandLine(forkServer)[0]).to.match(program.command);
      process.kill(forkServer, 'SIGKILL');
      await waitFor(() => !isRunning(script), 'the orphaned script to be killed');
      const response = await held.response({}, 5000).catch(() => null);
      if (response !== null) expect(response.status).to.equal(502);
      const next = await parentOf(fixture.cgi);
      expect(next.ppid).to.not.equal(forkServer);
      expect(commandLine(next.ppid)[0]).to.match(program.command);
    });
  });
}

/** A request the two programs must answer alike: its head (no final blank line) and body. */
interface SameCase {
  readonly name: string;
  readonly head: string;
  readonly body?: Buffer;
}

const SAME_CASES: readonly SameCase[] = [
  {
    name: 'environment: path info, query, Latin-1 and cookie header values',
    head: 'GET /cgi-bin/env.py/a%20b/%C3%A9?x=1&y=%20 HTTP/1.1\r\nHost: t\r\nCookie: a=1\r\nX-Latin: caf\xe9',
  },
  { name: 'a query without = as the argument', head: 'GET /cgi-bin/env.py?one+two HTTP/1.1\r\nHost: t' },
  {
    name: 'a 300 KiB body on stdin',
    head: 'POST /cgi-bin/env.py HTTP/1.1\r\nHost: t\r\nContent-Length: 307200',
    body: randomBytes(300 * 1024),
  },
  {
    name: '1 MiB through stdin and back out, window by window',
    head: 'POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576',
    body: randomBytes(1024 * 1024),
  },
  { name: 'stderr and an exit status', head: 'GET /cgi-bin/stderr.sh HTTP/1.1\r\nHost: t' },
  { name: 'a script that cannot start', head: 'GET /cgi-bin/badshebang.sh HTTP/1.1\r\nHost: t' },
  { name: 'an interpreter found on PATH', head: 'GET /cgi-bin/plain.py HTTP/1.1\r\nHost: t' },
  { name: 'an nph- script', head: 'GET /cgi-bin/nph-raw.sh HTTP/1.1\r\nHost: t' },
];

/** What must match between the programs: status line, header fields but Date, body (env.py's report but the ports). */
function comparable(response: WireResponse): unknown {
  const headers = response.headers.filter(([name]) => name.toLowerCase() !== 'date');
  const isReport = (response.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '').includes(
    'json',
  );
  if (!isReport) {
    const body =
      response.body.length > 65536
        ? createHash('sha256').update(response.body).digest('hex')
        : response.body.toString('latin1');
    return { statusLine: response.statusLine, headers, body };
  }
  const report = envReport(response);
  delete report.env['REMOTE_PORT']; // the two servers' ports and their clients' differ
  delete report.env['SERVER_PORT'];
  return { statusLine: response.statusLine, headers: headers.filter(([name]) => name !== 'Content-Length'), report };
}

describe('CGIHTTPRequestHandler: the compiled and the Python fork server answer alike', function () {
  this.timeout(60000);
  before(function () {
    if (!fs.existsSync(COMPILED)) this.skip(); // not built here
  });
  const teardown = new Teardown();
  const fixture = useCgiFixture(teardown);

  for (const example of SAME_CASES) {
    it(example.name, async () => {
      const python = await serveCgi(teardown, { directory: fixture.tree.root, cgiForkServer: 'python' });
      const ask = (address: ServerAddress): Promise<WireResponse> =>
        cgiExchange(address, example.head, example.body ?? '', 20000);
      const [compiledAnswer, pythonAnswer] = [await ask(fixture.cgi.address), await ask(python.address)];
      expect(compiledAnswer.status).to.be.above(0);
      expect(comparable(compiledAnswer)).to.deep.equal(comparable(pythonAnswer));
      // The same lines; a script's stderr lines may come before or after its request's log line.
      const logged = (log: string[]): string[] => log.map((line) => line.replace(/^.*?\] /, '')).sort();
      expect(logged(fixture.cgi.log)).to.deep.equal(logged(python.log));
    });
  }
});

describe('CGIHTTPRequestHandler: without a fork server', function () {
  this.timeout(30000);
  const teardown = new Teardown();
  const fixture = useCgiFixture(teardown, (tree) => ({ cgiTimeout: 5, cgiEnvironment: { PIDDIR: tree.pids } }));

  it('spawns scripts itself when cgiForkServer is false', async () => {
    const direct = await serveCgi(teardown, { directory: fixture.tree.root, cgiForkServer: false });
    expect((await parentOf(direct)).ppid).to.equal(process.pid);
  });

  describe('in a process of its own', () => {
    const children: ChildProgram[] = [];
    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => child.kill()));
    });

    /**
     * Run a server (its cgiForkServer as given) in a new Node process that asks parent.sh once,
     * prints what it saw, and exits.
     */
    async function askOnce(
      env: NodeJS.ProcessEnv,
      cgiForkServer: boolean | 'python' = true,
    ): Promise<{ pid: number; seen: string; rendezvous: string }> {
      const program = `
        const http = require('node:http');
        const { ThreadingHTTPServer, CGIHTTPRequestHandler, partial } = require(${JSON.stringify(path.join(REPOSITORY, 'lib/http/index'))});
        (async () => {
          const server = new ThreadingHTTPServer(['127.0.0.1', 0], partial(CGIHTTPRequestHandler, { directory: ${JSON.stringify(fixture.tree.root)}, cgiForkServer: ${JSON.stringify(cgiForkServer)} }));
          await server.ready();
          void server.serveForever(0.05);
          const port = server.serverAddress[1];
          const body = await new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, path: '/cgi-bin/parent.sh' }, (response) => {
            let text = ''; response.setEncoding('utf8'); response.on('data', (chunk) => (text += chunk)); response.on('end', () => resolve(text));
          }).on('error', reject));
          const ppid = Number(body.split(' ')[0]);
          let rendezvous = '';
          try { rendezvous = require('node:fs').readFileSync('/proc/' + ppid + '/cmdline', 'utf8').split('\\0').find((a) => a.includes('/sockserve-cgi-')) || ''; } catch {}
          console.log(JSON.stringify({ pid: process.pid, seen: body.trim(), rendezvous }));
          await server.shutdown();
          await server.serverClose();
        })();
      `;
      const child = new ChildProgram('CGI server', process.execPath, ['-r', 'ts-node/register', '-e', program], {
        cwd: REPOSITORY,
        env: { ...env, TS_NODE_TRANSPILE_ONLY: 'true' },
      });
      children.push(child);
      const exit = await child.exit();
      expect(exit.code, exit.stderr).to.equal(0);
      return JSON.parse(exit.stdout.trim().split('\n').pop() as string) as {
        pid: number;
        seen: string;
        rendezvous: string;
      };
    }

    for (const program of PROGRAMS) {
      it(`ends with the process that started it, and removes its socket (${program.name} program)`, async function () {
        if (program.name === 'compiled' && !fs.existsSync(COMPILED)) this.skip(); // not built here
        const { pid, seen, rendezvous } = await askOnce(process.env, program.cgiForkServer);
        const forkServer = Number(seen.split(' ')[0]);
        expect(forkServer).to.not.equal(pid);
        expect(rendezvous).to.match(/fork-server\.sock$/);
        await waitFor(() => !isRunning(forkServer), 'the fork server to end');
        expect(fs.existsSync(path.dirname(rendezvous))).to.equal(false);
      });
    }

    it('starts scripts from the compiled fork server when python3 cannot be found', async function () {
      if (!fs.existsSync(COMPILED)) this.skip(); // not built here
      const { pid, seen } = await askOnce({ ...process.env, PATH: path.join(fixture.tree.root, 'no-such-directory') });
      expect(Number(seen.split(' ')[0])).to.not.equal(pid);
    });

    it('spawns scripts itself when the Python program is asked for and python3 cannot be found', async () => {
      const noPython = { ...process.env, PATH: path.join(fixture.tree.root, 'no-such-directory') };
      const { pid, seen } = await askOnce(noPython, 'python');
      expect(Number(seen.split(' ')[0])).to.equal(pid);
    });

    it('spawns scripts itself when python3 cannot run the fork server (exits before it is ready)', async () => {
      // What a Python older than 3.9 does: it exits with a message instead of saying it is ready.
      const fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-old-python-'));
      try {
        fs.writeFileSync(path.join(fakeBin, 'python3'), '#!/bin/sh\necho "too old" >&2\nexit 1\n', { mode: 0o755 });
        const { pid, seen } = await askOnce({ ...process.env, PATH: fakeBin }, 'python');
        expect(Number(seen.split(' ')[0])).to.equal(pid);
      } finally {
        fs.rmSync(fakeBin, { recursive: true, force: true });
      }
    });
  });
});
