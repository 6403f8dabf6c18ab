/**
 * Runs the samples and commands of tutorial chapters 5 to 8 the way a reader runs them, as
 * child processes on port 0, and checks what the chapters say about them:
 *
 * - chapter 5: samples/static_server.ts and `lib/cli.ts -d samples/static` serve index.html, the
 *   picture, a listing with its redirect, 304 for a known ETag or date, byte ranges, 404 for paths
 *   that climb out of the folder, 501 for POST;
 * - chapter 6: samples/cgi_server.ts runs the form's scripts (Python, Node.js, sh), turns a
 *   script's `Status: 303` into the status line, and answers 501 for a POST elsewhere (the
 *   chapter's command, `lib/cli.ts --cgi -d samples/cgi`, is run by spec/cgi/samples.spec.ts);
 * - chapter 7: samples/slow_server.ts, where a sequential server answers a second client only after
 *   the slow first one, the threading server answers it meanwhile, a handler that computes
 *   without awaiting holds the threading server too, and the forking server answers meanwhile;
 * - chapter 8: samples/https_server.ts (the command's `--tls-cert` is run by spec/cli/serving.spec.ts), a graceful SIGTERM
 *   in the middle of a request (slow_server's stop), samples/proxied_server.ts logging
 *   X-Forwarded-For only from the proxy, and samples/nginx/sockserve.conf in front of it in a real
 *   nginx (skipped where nginx is not installed), the same text as the chapter's nginx block.
 *
 * Children run through ts-node in transpile-only mode (`tsc --noEmit` does the type check) and
 * start in `before`, STARTS_AT_ONCE at a time.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProgram } from './support/child-program';
import { freePort, request } from './support/node-http-client';
import { sleep, waitFor } from './support/wait';

const ROOT = path.resolve(__dirname, '..');
const STATIC = path.join(ROOT, 'samples', 'static');
const TLS_FIXTURES = path.join(ROOT, 'spec', 'fixtures', 'tls');
const CHILD_ENV: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' };
/** Generous: a ts-node start can take seconds on a loaded 2-core machine. */
const PROCESS_MS = 45_000;
const REPLY_MS = 15_000;
/** Children started at a time: ts-node's start is CPU-bound, and more at once only slows each one down. */
const STARTS_AT_ONCE = 3;
const STARTUP_LINE = /^Serving (HTTPS?) on 127\.0\.0\.1 port (\d+) \((https?):\/\/127\.0\.0\.1:(\d+)\/\) \.\.\.$/m;
const ACCESS_LOG_PREFIX = /^(\S+) - - \[\d{2}\/\w{3}\/\d{4} \d{2}:\d{2}:\d{2}\] /;
const NGINX_PATHS = ['/usr/sbin/nginx', '/usr/bin/nginx'];

/** A sample or the command, running as `node -r ts-node/register <script> ...args` from the repository root. */
class Child extends ChildProgram {
  constructor(label: string, script: string, args: readonly string[]) {
    super(label, process.execPath, ['-r', 'ts-node/register', script, ...args], {
      cwd: ROOT,
      env: CHILD_ENV,
      limitMs: PROCESS_MS,
    });
  }

  /** Wait for Python's startup line and return the port it names. */
  async port(): Promise<number> {
    const match = await this.output(STARTUP_LINE);
    expect(match[3], 'the URL scheme matches the protocol').to.equal(match[1]?.toLowerCase());
    expect(match[4], 'the URL names the same port').to.equal(match[2]);
    return Number(match[2]);
  }

  /** The first word of each access-log line on stderr (the client address the handler logged). */
  loggedAddresses(): string[] {
    return this.stderr
      .split('\n')
      .map((line) => ACCESS_LOG_PREFIX.exec(line)?.[1])
      .filter((address): address is string => address !== undefined);
  }
}

/** Resolve once something accepts connections on 127.0.0.1:`port`. */
async function accepting(port: number, label: string): Promise<void> {
  const giveUp = Date.now() + PROCESS_MS;
  for (;;) {
    const socket = net.connect({ host: '127.0.0.1', port });
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    socket.destroy();
    if (connected) return;
    if (Date.now() > giveUp) throw new Error(`${label} did not listen on port ${port} within ${PROCESS_MS} ms`);
    await sleep(50);
  }
}

/** The one fenced block with info string `info` in the markdown file `file`. */
function fencedBlock(file: string, info: string): string {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const blocks = [...text.matchAll(new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))];
  expect(blocks, `one \`\`\`${info} block in ${file}`).to.have.length(1);
  return blocks[0]?.[1] ?? '';
}

/**
 * Ask for `first`, wait until the server logs that it started on it, then ask for `second`;
 * resolve with the paths in the order their replies arrived (both must be 200).
 */
async function replyOrder(server: Child, port: number, first: string, second: string): Promise<string[]> {
  const order: string[] = [];
  const logBefore = server.stderr.length;
  const route = first.split('?')[0] ?? first;
  const firstReply = request(port, { path: first }).then((reply) => (order.push(first), reply));
  await waitFor(() => server.stderr.slice(logBefore).includes(`] ${route}: `), `${first} did not start`, REPLY_MS);
  const secondReply = request(port, { path: second }).then((reply) => (order.push(second), reply));
  const replies = await Promise.all([firstReply, secondReply]);
  for (const reply of replies) expect(reply.status).to.equal(200);
  return order;
}

describe('tutorial samples, chapters 5-8', function () {
  this.timeout(PROCESS_MS + 10_000);
  const children = new Map<string, Child>();
  const ports = new Map<string, number>();

  const STARTS: [label: string, script: string, args: string[]][] = [
    ['static_server', 'samples/static_server.ts', ['0']],
    ['cli', 'lib/cli.ts', ['0', '-b', '127.0.0.1', '-d', 'samples/static']],
    ['slow_server', 'samples/slow_server.ts', ['0']],
    ['slow_server --sequential', 'samples/slow_server.ts', ['0', '--sequential']],
    ['slow_server --forking', 'samples/slow_server.ts', ['0', '--forking']],
    ['cgi_server', 'samples/cgi_server.ts', ['0']],
    ['https_server', 'samples/https_server.ts', ['0', `${TLS_FIXTURES}/cert.pem`, `${TLS_FIXTURES}/key.pem`]],
    ['proxied_server', 'samples/proxied_server.ts', ['0']],
  ];

  const MISSING_CERT = path.join(os.tmpdir(), 'sockserve-no-such-dir', 'cert.pem');

  before(async function () {
    this.timeout(Math.ceil(STARTS.length / STARTS_AT_ONCE) * PROCESS_MS + 5000);
    // `after` kills whatever is still running, even if a start fails.
    const queue = [...STARTS];
    const starter = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [label, script, args] = next;
        const child = new Child(label, script, args);
        children.set(label, child);
        ports.set(label, await child.port());
      }
    };
    await Promise.all(Array.from({ length: STARTS_AT_ONCE }, starter));
    const failing = new Child('https_server (no certificate)', 'samples/https_server.ts', ['0', MISSING_CERT]);
    children.set(failing.label, failing);
  });

  after(async () => {
    await Promise.all([...children.values()].map((child) => child.kill()));
  });

  function portOf(label: string): number {
    const port = ports.get(label);
    if (port === undefined) throw new Error(`${label} is not running`);
    return port;
  }

  function childOf(label: string): Child {
    const child = children.get(label);
    if (child === undefined) throw new Error(`${label} was not started`);
    return child;
  }

  describe('chapter 5: a folder served by SimpleHTTPRequestHandler', () => {
    for (const label of ['static_server', 'cli']) {
      describe(label === 'cli' ? 'npx ts-node lib/cli.ts 0 -d samples/static' : 'samples/static_server.ts', () => {
        it('serves index.html for / with its bytes, type, length and validators', async () => {
          const reply = await request(portOf(label));
          expect(reply.status).to.equal(200);
          expect(reply.headers['content-type']).to.equal('text/html; charset=utf-8');
          expect(reply.body.equals(readFileSync(path.join(STATIC, 'index.html')))).to.equal(true);
          expect(reply.headers['content-length']).to.equal(String(reply.body.length));
          expect(reply.headers.etag).to.match(/^"[^"]+"$/);
          expect(reply.headers['last-modified']).to.match(/ GMT$/);
        });

        it('serves the picture byte for byte as image/jpeg', async () => {
          const reply = await request(portOf(label), { path: '/test.jpg' });
          expect(reply.headers['content-type']).to.equal('image/jpeg');
          expect(reply.headers['accept-ranges']).to.equal('bytes');
          expect(reply.body.equals(readFileSync(path.join(STATIC, 'test.jpg')))).to.equal(true);
        });

        it('redirects /files to /files/ and lists that folder, which has no index.html', async () => {
          const redirect = await request(portOf(label), { path: '/files' });
          expect(redirect.status).to.equal(301);
          expect(redirect.headers.location).to.equal('/files/');
          const listing = await request(portOf(label), { path: '/files/' });
          expect(listing.status).to.equal(200);
          const page = listing.body.toString('utf8');
          expect(page).to.include('<title>Directory listing for /files/</title>');
          expect(page).to.include('<a href="alphabet.txt">alphabet.txt</a>');
          expect(page).to.include('<a href="hello.txt">hello.txt</a>');
        });

        it('answers 304 with no body to If-None-Match with the ETag, and to If-Modified-Since', async () => {
          const first = await request(portOf(label), { path: '/test.jpg' });
          const byTag = await request(portOf(label), {
            path: '/test.jpg',
            headers: { 'If-None-Match': first.headers.etag ?? '' },
          });
          expect(byTag.status).to.equal(304);
          expect(byTag.body.length).to.equal(0);
          expect(byTag.headers.etag).to.equal(first.headers.etag);
          const byDate = await request(portOf(label), {
            path: '/test.jpg',
            headers: { 'If-Modified-Since': first.headers['last-modified'] ?? '' },
          });
          expect(byDate.status).to.equal(304);
        });

        it('answers a byte range with 206 and Content-Range, and a range past the end with 416', async () => {
          const part = await request(portOf(label), { path: '/files/alphabet.txt', headers: { Range: 'bytes=0-4' } });
          expect(part.status).to.equal(206);
          expect(part.headers['content-range']).to.equal('bytes 0-4/27');
          expect(part.body.toString('ascii')).to.equal('abcde');
          const tail = await request(portOf(label), { path: '/files/alphabet.txt', headers: { Range: 'bytes=-4' } });
          expect(tail.body.toString('ascii')).to.equal('xyz\n');
          const past = await request(portOf(label), { path: '/files/alphabet.txt', headers: { Range: 'bytes=100-' } });
          expect(past.status).to.equal(416);
          expect(past.headers['content-range']).to.equal('bytes */27');
        });

        it('answers 404 for paths that climb out of the folder, and for a missing file', async () => {
          for (const target of [
            '/../../etc/passwd',
            '/%2e%2e/%2e%2e/etc/passwd',
            '/..%2f..%2fstatic_server.ts',
            '/nope',
          ]) {
            const reply = await request(portOf(label), { path: target });
            expect(reply.status, target).to.equal(404);
            expect(reply.statusMessage, target).to.equal('File not found');
          }
        });

        it("answers the form's POST with 501: SimpleHTTPRequestHandler has no do_POST", async () => {
          const reply = await request(portOf(label), {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: 'firstname=Ada',
          });
          expect(reply.status).to.equal(501);
          expect(reply.statusMessage).to.equal("Unsupported method ('POST')");
        });
      });
    }
  });

  describe('chapter 6: CGI scripts for the form', () => {
    // The chapter's command, `lib/cli.ts --cgi -d samples/cgi`, is run by spec/cgi/samples.spec.ts.
    const server = 'cgi_server';
    describe('samples/cgi_server.ts', () => {
      it('serves index.html, whose form posts firstname to cgi-bin/post.py', async () => {
        const reply = await request(portOf(server));
        expect(reply.status).to.equal(200);
        const page = reply.body.toString('utf8');
        expect(page).to.include('action="cgi-bin/post.py" method="post"');
        expect(page).to.include('name="firstname"');
      });

      for (const script of ['post.py', 'post.js', 'post.sh']) {
        it(`runs cgi-bin/${script} with the form on stdin and sends its page, framed, the name HTML-escaped`, async () => {
          const reply = await request(portOf(server), {
            method: 'POST',
            path: `/cgi-bin/${script}`,
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ firstname: '<b>Ada</b> 张' }).toString(),
          });
          expect(reply.status).to.equal(200);
          expect(reply.headers['content-type']).to.equal('text/html; charset=utf-8');
          expect(reply.headers['content-length']).to.equal(String(reply.body.length));
          expect(reply.body.toString('utf8')).to.equal('<p>Hello world!</p>\n<p>&lt;b&gt;Ada&lt;/b&gt; 张</p>\n');
        });
      }

      it("turns prg.py's Status: 303 and Location into the status line, and greet.py answers the GET", async () => {
        const posted = await request(portOf(server), {
          method: 'POST',
          path: '/cgi-bin/prg.py',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'firstname=Ada',
        });
        expect(posted.status).to.equal(303);
        expect(posted.statusMessage).to.equal('See Other');
        expect(posted.headers.location).to.equal('/cgi-bin/greet.py?firstname=Ada');
        expect(posted.headers.status, 'Status is not sent on as a header').to.equal(undefined);
        const followed = await request(portOf(server), { path: posted.headers.location ?? '' });
        expect(followed.body.toString('utf8')).to.equal('<p>Hello, Ada!</p>\n');
      });

      it('answers a POST outside cgi-bin with 501', async () => {
        const reply = await request(portOf(server), { method: 'POST', body: 'firstname=Ada' });
        expect(reply.status).to.equal(501);
        expect(reply.statusMessage).to.equal('Can only POST to CGI scripts');
      });
    });
  });

  describe('chapter 7: samples/slow_server.ts', () => {
    it('sequential: the second client is answered only after the slow first one', async () => {
      const server = childOf('slow_server --sequential');
      const order = await replyOrder(server, portOf('slow_server --sequential'), '/slow?seconds=1', '/hello');
      expect(order).to.deep.equal(['/slow?seconds=1', '/hello']);
      expect(server.stdout).to.include('HTTPServer: one connection at a time');
    });

    it('threading: the second client is answered while the first handler waits on its timer', async () => {
      const server = childOf('slow_server');
      const order = await replyOrder(server, portOf('slow_server'), '/slow?seconds=2', '/hello');
      expect(order).to.deep.equal(['/hello', '/slow?seconds=2']);
      expect(server.stdout).to.include('ThreadingHTTPServer: every connection at once');
    });

    it('threading: a handler that computes without awaiting holds the second client too', async () => {
      const order = await replyOrder(childOf('slow_server'), portOf('slow_server'), '/busy?seconds=1', '/hello');
      expect(order).to.deep.equal(['/busy?seconds=1', '/hello']);
    });

    it('forking: a handler that computes in one worker process does not hold the other', async function () {
      // One worker per core: with a single core there is no other worker to answer meanwhile.
      if (os.availableParallelism() < 2) this.skip();
      const server = childOf('slow_server --forking');
      const order = await replyOrder(server, portOf('slow_server --forking'), '/busy?seconds=1', '/hello');
      expect(order).to.deep.equal(['/hello', '/busy?seconds=1']);
      expect(server.stdout).to.match(/^ForkingHTTPServer: requests handled in \d+ worker processes$/m);
    });

    it('answers the pages with their text, and a bad number of seconds with 400', async () => {
      const hello = await request(portOf('slow_server'), { path: '/hello' });
      expect(hello.body.toString('utf8')).to.equal('/hello: answered at once\n');
      const bad = await request(portOf('slow_server'), { path: '/slow?seconds=forever' });
      expect(bad.status).to.equal(400);
    });
  });

  describe('chapter 8: going further', () => {
    it('samples/https_server.ts serves the folder over TLS with the given certificate, ranges included', async () => {
      const reply = await request(portOf('https_server'), { path: '/files/hello.txt', tls: true });
      expect(reply.status).to.equal(200);
      expect(reply.body.toString('utf8')).to.equal('Hello from a static file.\n');
      expect(childOf('https_server').stdout).to.match(/^Serving HTTPS on /m);
      const part = await request(portOf('https_server'), {
        path: '/files/alphabet.txt',
        headers: { Range: 'bytes=23-' },
        tls: true,
      });
      expect(part.status).to.equal(206);
      expect(part.body.toString('ascii')).to.equal('xyz\n');
    });

    it('samples/https_server.ts exits with code 1 and the reason when the certificate file is missing', async () => {
      const child = childOf('https_server (no certificate)');
      expect(await child.exit()).to.include({ code: 1, signal: null });
      expect(child.stderr).to.include('ENOENT');
      expect(child.stdout).to.equal('');
    });

    describe('samples/proxied_server.ts', () => {
      it('logs the last X-Forwarded-For address when the request comes from the proxy (loopback)', async () => {
        const server = childOf('proxied_server');
        const before = server.loggedAddresses().length;
        await request(portOf('proxied_server'), {
          path: '/files/hello.txt',
          headers: { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7' },
        });
        await request(portOf('proxied_server'), { path: '/files/hello.txt' });
        await waitFor(() => server.loggedAddresses().length >= before + 2, 'two access-log lines');
        expect(server.loggedAddresses().slice(before)).to.deep.equal(['203.0.113.7', '127.0.0.1']);
      });

      it('ignores X-Forwarded-For from any other address', async () => {
        const server = childOf('proxied_server');
        const before = server.loggedAddresses().length;
        const reply = await request(portOf('proxied_server'), {
          path: '/files/hello.txt',
          headers: { 'X-Forwarded-For': '6.6.6.6' },
          localAddress: '127.0.0.2',
        });
        expect(reply.status).to.equal(200);
        await waitFor(() => server.loggedAddresses().length > before, 'an access-log line');
        expect(server.loggedAddresses().slice(before)).to.deep.equal(['127.0.0.2']);
      });
    });

    describe('samples/nginx/sockserve.conf', () => {
      const SAMPLE_CONF = readFileSync(path.join(ROOT, 'samples', 'nginx', 'sockserve.conf'), 'utf8');

      for (const chapter of ['docs/tutorial/08-going-further.md', 'docs/zh/tutorial/08-going-further.md']) {
        it(`is the nginx block of ${chapter}, character for character`, () => {
          expect(fencedBlock(chapter, 'nginx')).to.equal(SAMPLE_CONF);
        });
      }

      describe('in front of samples/proxied_server.ts, in a real nginx', () => {
        const nginx = NGINX_PATHS.find((candidate) => existsSync(candidate));
        let workDir = '';
        let nginxPort = 0;
        let nginxProcess: ChildProcess | null = null;

        before(async function () {
          if (nginx === undefined) this.skip();
          workDir = mkdtempSync(path.join(os.tmpdir(), 'sockserve-nginx-'));
          nginxPort = await freePort();
          const listen = 'listen 8080;';
          const upstream = 'server 127.0.0.1:8000;';
          expect(SAMPLE_CONF).to.include(listen).and.include(upstream);
          const site = SAMPLE_CONF.replace(listen, `listen 127.0.0.1:${nginxPort};`).replace(
            upstream,
            `server 127.0.0.1:${portOf('proxied_server')};`,
          );
          writeFileSync(path.join(workDir, 'sockserve.conf'), site);
          const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
            .map((name) => `  ${name}_temp_path ${path.join(workDir, name)};`)
            .join('\n');
          writeFileSync(
            path.join(workDir, 'nginx.conf'),
            [
              'daemon off;',
              'master_process off;',
              `pid ${path.join(workDir, 'nginx.pid')};`,
              `error_log ${path.join(workDir, 'error.log')};`,
              'events {}',
              'http {',
              '  access_log off;',
              temp,
              `  include ${path.join(workDir, 'sockserve.conf')};`,
              '}',
              '',
            ].join('\n'),
          );
          nginxProcess = spawn(
            nginx!,
            ['-p', workDir, '-c', path.join(workDir, 'nginx.conf'), '-e', path.join(workDir, 'error.log')],
            { stdio: 'ignore' },
          );
          await accepting(nginxPort, 'nginx');
        });

        after(async () => {
          if (nginxProcess !== null && nginxProcess.exitCode === null && nginxProcess.signalCode === null) {
            const exited = once(nginxProcess, 'exit');
            nginxProcess.kill('SIGKILL');
            await exited;
          }
          if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
        });

        it('passes requests, redirects and ranges through to sockserve', async () => {
          const file = await request(nginxPort, { path: '/files/hello.txt' });
          expect(file.status).to.equal(200);
          expect(file.body.toString('utf8')).to.equal('Hello from a static file.\n');
          const redirect = await request(nginxPort, { path: '/files' });
          expect(redirect.status).to.equal(301);
          expect(redirect.headers.location).to.match(/\/files\/$/);
          const part = await request(nginxPort, { path: '/files/alphabet.txt', headers: { Range: 'bytes=3-5' } });
          expect(part.status).to.equal(206);
          expect(part.body.toString('ascii')).to.equal('def');
        });

        it("logs the client's address, not nginx's, and not one the client made up", async () => {
          const server = childOf('proxied_server');
          const before = server.loggedAddresses().length;
          const reply = await request(nginxPort, {
            path: '/files/hello.txt',
            headers: { 'X-Forwarded-For': '6.6.6.6' },
            localAddress: '127.0.0.2',
          });
          expect(reply.status).to.equal(200);
          await waitFor(() => server.loggedAddresses().length > before, 'an access-log line');
          expect(server.loggedAddresses().slice(before)).to.deep.equal(['127.0.0.2']);
        });
      });
    });
  });

  describe('stopping', () => {
    it('chapter 8: SIGTERM during a request to slow_server: the reply arrives whole, then it exits with code 0', async () => {
      const server = childOf('slow_server');
      const logBefore = server.stderr.length;
      const reply = request(portOf('slow_server'), { path: '/slow?seconds=1' });
      await waitFor(() => server.stderr.slice(logBefore).includes('] /slow: '), 'the request did not start', REPLY_MS);
      const exit = server.stop('SIGTERM');
      const answered = await reply;
      expect(answered.status).to.equal(200);
      expect(answered.body.toString('utf8')).to.equal('/slow: answered after waiting 1 s\n');
      expect(await exit).to.include({ code: 0, signal: null });
    });

    for (const label of ['static_server', 'cli', 'cgi_server', 'https_server', 'proxied_server']) {
      it(`${label} exits with code 0 on SIGTERM`, async () => {
        expect(await childOf(label).stop('SIGTERM')).to.include({ code: 0, signal: null });
      });
    }

    it('slow_server --forking exits with code 0 on SIGTERM', async () => {
      expect(await childOf('slow_server --forking').stop('SIGTERM')).to.include({ code: 0, signal: null });
    });

    it('slow_server --sequential exits with code 0 on SIGINT (Ctrl-C)', async () => {
      expect(await childOf('slow_server --sequential').stop('SIGINT')).to.include({ code: 0, signal: null });
    });
  });
});
