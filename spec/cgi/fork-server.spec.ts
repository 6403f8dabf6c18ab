/**
 * The CGI fork server (lib/http/cgi/fork-server.ts): scripts are started by a python3 process, not
 * by forking the server; they get a socket to the server as stdin (with a body) and pipes to the
 * fork server as stdout and stderr; a connection without a script's token is refused; a fork server that dies is
 * replaced (its scripts killed); one ends with its process and leaves nothing behind; without
 * a python3 that can run it, or with cgiForkServer false, the server spawns scripts itself.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProgram } from '../support/child-program';
import { forkServers, isRunning, parentPid, writtenPid } from '../support/cgi-tree';
import { cgiGet, serveCgi, useCgiFixture, type CgiServer } from '../support/cgi-server';
import { WireClient } from '../support/http-wire';
import { Teardown } from '../support/teardown';
import { waitFor } from '../support/wait';

const REPOSITORY = path.resolve(__dirname, '..', '..');

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

describe('CGIHTTPRequestHandler: the fork server', function () {
  this.timeout(30000);
  const teardown = new Teardown();
  const fixture = useCgiFixture(teardown, (tree) => ({ cgiTimeout: 5, cgiEnvironment: { PIDDIR: tree.pids } }));

  it('starts scripts from a python3 fork server, with a socket as stdin and pipes as stdout and stderr', async () => {
    const seen = await parentOf(fixture.cgi, 'POST');
    expect(seen.ppid).to.not.equal(process.pid);
    expect(commandLine(seen.ppid)[0]).to.match(/python3?/);
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
    for (const parent of parents) expect(commandLine(parent)[0]).to.match(/python3?/);
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

  it('spawns scripts itself when cgiForkServer is false', async () => {
    const direct = await serveCgi(teardown, { directory: fixture.tree.root, cgiForkServer: false });
    expect((await parentOf(direct)).ppid).to.equal(process.pid);
  });

  it('refuses a connection that does not carry a waiting script token, and goes on starting scripts', async () => {
    const forkServer = (await parentOf(fixture.cgi)).ppid;
    const forged = net.connect(rendezvousOf(forkServer));
    forged.on('error', () => undefined);
    forged.write(Buffer.concat([Buffer.alloc(16, 7), Buffer.from([1]), Buffer.from('Status: 200\r\n\r\nforged')]));
    await new Promise<void>((resolve) => forged.once('close', () => resolve()));
    const response = await cgiGet(fixture.cgi.address, '/cgi-bin/hello.sh');
    expect(response.body.toString()).to.equal('hello\n');
  });

  it('drops a connection that sends no token (within 2 s)', async () => {
    const forkServer = (await parentOf(fixture.cgi)).ppid;
    const silent = net.connect(rendezvousOf(forkServer));
    silent.on('error', () => undefined);
    const started = Date.now();
    await new Promise<void>((resolve) => silent.once('close', () => resolve()));
    expect(Date.now() - started).to.be.below(10000);
    expect((await cgiGet(fixture.cgi.address, '/cgi-bin/hello.sh')).body.toString()).to.equal('hello\n');
  });

  it('replaces a fork server that dies, killing the scripts it had started', async () => {
    const held = await WireClient.open(fixture.cgi.address);
    held.write('GET /cgi-bin/sleep.sh?orphan HTTP/1.1\r\nHost: t\r\n\r\n');
    await waitFor(() => writtenPid(fixture.tree, 'sleep.orphan') !== null, 'the script to start');
    const script = writtenPid(fixture.tree, 'sleep.orphan') as number;
    const forkServer = parentPid(script);
    expect(commandLine(forkServer)[0]).to.match(/python3?/);
    process.kill(forkServer, 'SIGKILL');
    await waitFor(() => !isRunning(script), 'the orphaned script to be killed');
    const response = await held.response({}, 5000).catch(() => null);
    if (response !== null) expect(response.status).to.equal(502);
    const next = await parentOf(fixture.cgi);
    expect(next.ppid).to.not.equal(forkServer);
    expect(commandLine(next.ppid)[0]).to.match(/python3?/);
  });

  describe('in a process of its own', () => {
    const children: ChildProgram[] = [];
    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => child.kill()));
    });

    /** Run a server in a new Node process that asks parent.sh once, prints what it saw, and exits. */
    async function askOnce(env: NodeJS.ProcessEnv): Promise<{ pid: number; seen: string; rendezvous: string }> {
      const program = `
        const http = require('node:http');
        const { ThreadingHTTPServer, CGIHTTPRequestHandler, partial } = require(${JSON.stringify(path.join(REPOSITORY, 'lib/http/index'))});
        (async () => {
          const server = new ThreadingHTTPServer(['127.0.0.1', 0], partial(CGIHTTPRequestHandler, { directory: ${JSON.stringify(fixture.tree.root)} }));
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

    it('ends with the process that started it, and removes its socket', async () => {
      const { pid, seen, rendezvous } = await askOnce(process.env);
      const forkServer = Number(seen.split(' ')[0]);
      expect(forkServer).to.not.equal(pid);
      expect(rendezvous).to.match(/fork-server\.sock$/);
      await waitFor(() => !isRunning(forkServer), 'the fork server to end');
      expect(fs.existsSync(path.dirname(rendezvous))).to.equal(false);
    });

    it('spawns scripts itself when python3 cannot be found', async () => {
      const { pid, seen } = await askOnce({ ...process.env, PATH: path.join(fixture.tree.root, 'no-such-directory') });
      expect(Number(seen.split(' ')[0])).to.equal(pid);
    });

    it('spawns scripts itself when python3 cannot run the fork server (exits before it is ready)', async () => {
      // What a Python older than 3.9 does: it exits with a message instead of saying it is ready.
      const fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), 'sockserve-old-python-'));
      try {
        fs.writeFileSync(path.join(fakeBin, 'python3'), '#!/bin/sh\necho "too old" >&2\nexit 1\n', { mode: 0o755 });
        const { pid, seen } = await askOnce({ ...process.env, PATH: fakeBin });
        expect(Number(seen.split(' ')[0])).to.equal(pid);
      } finally {
        fs.rmSync(fakeBin, { recursive: true, force: true });
      }
    });
  });
});
